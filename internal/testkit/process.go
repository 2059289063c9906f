package testkit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// StopGrace is how long Stop waits after SIGTERM before it kills.
const StopGrace = 10 * time.Second

// Process is a binary running in the background, its output appended to
// a log file. It never outlives the process that started it, even when
// that one is killed.
type Process struct {
	Name    string
	LogPath string

	cmd  *exec.Cmd
	stop context.CancelFunc
	done chan struct{}
}

// StartProcess runs binary with args and extra environment variables,
// appending its output to logPath.
func StartProcess(name, binary string, args, env []string, logPath string) (*Process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) //nolint:gosec // G304: logPath is where the test wants the output
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binary, args...) //nolint:gosec // G204: running the binary the test names is this function's job
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	// Stop asks first: SIGTERM, then SIGKILL after StopGrace.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = StopGrace
	if err := cmd.Start(); err != nil {
		cancel()
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s (%s): %w", name, binary, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, stop: cancel, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close() // the process had its own copy
		cancel()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits until the process ends on its own.
func (p *Process) Wait() { <-p.done }

// Stop asks the process to end (SIGTERM), kills it after StopGrace, and
// waits for it.
func (p *Process) Stop() {
	p.stop()
	<-p.done
}

// Kill ends the process with SIGKILL, as a node failure or the OOM killer
// would, and waits until it is gone.
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

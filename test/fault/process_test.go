package fault

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// controllerProcess runs the controller's binary, built from the working
// tree, as the process a user deploys: its own user, its own flags. It can
// be SIGKILLed and started again; every start logs to a file of its own.
type controllerProcess struct {
	binary     string
	kubeconfig string
	dir        string
	args       []string

	mu         sync.Mutex
	cmd        *exec.Cmd
	done       chan struct{}
	logs       []string
	healthAddr string
	kills      int
}

// start runs a new controller process. Pdeathsig kills it if the test
// binary dies, so no controller outlives the suite.
func (c *controllerProcess) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil && !exited(c.done) {
		return fmt.Errorf("the controller is already running (pid %d)", c.cmd.Process.Pid)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, fmt.Sprintf("controller-%02d.log", len(c.logs)+1))
	out, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer out.Close() // the child has its own copy
	c.healthAddr = "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(c.binary, append([]string{"--metrics-addr=0", "--health-addr=" + c.healthAddr}, c.args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", c.binary, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	c.cmd, c.done = cmd, done
	c.logs = append(c.logs, logPath)
	return nil
}

// kill SIGKILLs the controller, as a node failure or the OOM killer would,
// and waits until it is gone.
func (c *controllerProcess) kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || exited(c.done) {
		return
	}
	_ = c.cmd.Process.Kill()
	<-c.done
	c.kills++
}

// stop ends the controller with SIGTERM, or SIGKILL after 10 seconds.
func (c *controllerProcess) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || exited(c.done) {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// ensureRunning starts the controller unless it runs.
func (c *controllerProcess) ensureRunning() error {
	if c.running() {
		return nil
	}
	return c.start()
}

func (c *controllerProcess) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd != nil && !exited(c.done)
}

// pid identifies the current process, 0 when none runs.
func (c *controllerProcess) pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || exited(c.done) {
		return 0
	}
	return c.cmd.Process.Pid
}

// readyz asks the current process's /readyz and returns the HTTP status,
// 0 when nothing answers.
func (c *controllerProcess) readyz() int {
	c.mu.Lock()
	addr := c.healthAddr
	c.mu.Unlock()
	hc := http.Client{Timeout: time.Second}
	resp, err := hc.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// logText returns every line every controller process of the suite wrote.
func (c *controllerProcess) logText() (string, error) {
	c.mu.Lock()
	paths := append([]string(nil), c.logs...)
	c.mu.Unlock()
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		b.Write(data)
	}
	return b.String(), nil
}

func exited(done chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

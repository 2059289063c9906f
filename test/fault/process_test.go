package fault

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
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
	proc       *testkit.Process
	logs       []string
	healthAddr string
}

// start runs a new controller process. Pdeathsig kills it if the test
// binary dies, so no controller outlives the suite.
func (c *controllerProcess) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != nil && !c.proc.Exited() {
		return fmt.Errorf("the controller is already running (pid %d)", c.proc.Pid())
	}
	healthAddr, err := testkit.FreeAddr()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, fmt.Sprintf("controller-%02d.log", len(c.logs)+1))
	args := append([]string{"--metrics-addr=0", "--health-addr=" + healthAddr}, c.args...)
	proc, err := testkit.StartProcess("fluxconfig-controller", c.binary, args, []string{"KUBECONFIG=" + c.kubeconfig}, logPath)
	if err != nil {
		return err
	}
	c.proc, c.healthAddr = proc, healthAddr
	c.logs = append(c.logs, logPath)
	return nil
}

// kill SIGKILLs the controller, as a node failure or the OOM killer would,
// and waits until it is gone.
func (c *controllerProcess) kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != nil {
		c.proc.Kill()
	}
}

// stop ends the controller with SIGTERM, or SIGKILL after 10 seconds.
func (c *controllerProcess) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc != nil {
		c.proc.Stop()
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
	return c.proc != nil && !c.proc.Exited()
}

// pid identifies the current process, 0 when none runs.
func (c *controllerProcess) pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc == nil || c.proc.Exited() {
		return 0
	}
	return c.proc.Pid()
}

// readyz asks the current process's /readyz and returns the HTTP status,
// 0 when nothing answers.
func (c *controllerProcess) readyz() int {
	c.mu.Lock()
	addr := c.healthAddr
	c.mu.Unlock()
	req, err := http.NewRequestWithContext(bg(), http.MethodGet, "http://"+addr+"/readyz", http.NoBody)
	if err != nil {
		return 0
	}
	hc := http.Client{Timeout: time.Second}
	resp, err := hc.Do(req)
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

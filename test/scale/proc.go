package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// buildController builds cmd/ from the working tree into out, as `make
// build` does (static, trimmed paths).
func buildController(ctx context.Context, out string) (string, error) {
	root, err := testenv.Root()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-o", out, "./cmd")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd: %w\n%s", err, b)
	}
	return out, nil
}

// controllerProc is the controller binary running as its own process.
type controllerProc struct {
	name       string
	logPath    string
	metricsURL string
	started    time.Time
	cmd        *exec.Cmd
	done       chan struct{}
	stopCtx    context.CancelFunc
}

// startController runs the binary with kubeconfig as its user. Its metrics
// (and pprof, when asked) are served on a free 127.0.0.1 port. It gets
// SIGTERM when stopped (10 s later SIGKILL), and SIGKILL if the benchmark
// dies.
func startController(name, bin, kubeconfig, logPath string, args []string) (*controllerProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &controllerProc{name: name, logPath: logPath, metricsURL: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{}), stopCtx: cancel}
	all := append([]string{"--metrics-addr=127.0.0.1:" + strconv.Itoa(port), "--health-addr=0"}, args...)
	p.cmd = exec.CommandContext(ctx, bin, all...)
	p.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p.cmd.Cancel = func() error { return p.cmd.Process.Signal(syscall.SIGTERM) }
	p.cmd.WaitDelay = 10 * time.Second
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		cancel()
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// stop sends SIGTERM and waits for the process to end.
func (p *controllerProc) stop() {
	if p == nil {
		return
	}
	p.stopCtx()
	<-p.done
}

func (p *controllerProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitWorkers waits until the controller logs that its workers started:
// its caches are synced and it reconciles.
func (p *controllerProc) waitWorkers(ctx context.Context, timeout time.Duration) error {
	return poll(ctx, p.name+" started", 50*time.Millisecond, timeout, func() (bool, string, error) {
		if p.exited() {
			return false, "", fmt.Errorf("%s exited: see %s", p.name, p.logPath)
		}
		return fileContains(p.logPath, `"Starting workers"`), "see " + p.logPath, nil
	})
}

// procStatus reads a field of /proc/PID/status in kB, as bytes.
func (p *controllerProc) procStatus(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	v := firstLineValue(string(b), field+":")
	kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc status %s: %q", field, v)
	}
	return kb * 1024, nil
}

// rssPeak is the process's peak resident set size (VmHWM).
func (p *controllerProc) rssPeak() (int64, error) { return p.procStatus("VmHWM") }

// cpuTicks is the CPU time the process used so far (utime + stime), in
// clock ticks.
func (p *controllerProc) cpuTicks() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	fields, err := statFields(string(b))
	if err != nil {
		return 0, err
	}
	return sumFields(fields, 11, 12), nil
}

// metrics scrapes the controller's /metrics.
func (p *controllerProc) metrics(ctx context.Context) (map[string]*dto.MetricFamily, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.metricsURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping %s: %w", p.name, err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	return parser.TextToMetricFamilies(resp.Body)
}

// sumMetric adds up the samples of a counter or gauge whose labels include
// the given ones.
func sumMetric(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.GetCounter() != nil:
			total += m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			total += m.GetGauge().GetValue()
		case m.GetUntyped() != nil:
			total += m.GetUntyped().GetValue()
		}
	}
	return total
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			found++
		}
	}
	return found == len(want)
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// controllerProc is the controller binary running as its own process.
type controllerProc struct {
	*testkit.Process
	metricsURL string
	started    time.Time
}

// startController runs the binary with kubeconfig as its user. Its metrics
// (and pprof, when asked) are served on a free 127.0.0.1 port. It gets
// SIGTERM when stopped (10 s later SIGKILL), and SIGKILL if the benchmark
// dies.
func startController(name, bin, kubeconfig, logPath string, args []string) (*controllerProc, error) {
	addr, err := testkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	all := append([]string{"--metrics-addr=" + addr, "--health-addr=0"}, args...)
	p := &controllerProc{metricsURL: "http://" + addr, started: time.Now()}
	if p.Process, err = testkit.StartProcess(name, bin, all, []string{"KUBECONFIG=" + kubeconfig}, logPath); err != nil {
		return nil, err
	}
	return p, nil
}

// stop sends SIGTERM and waits for the process to end.
func (p *controllerProc) stop() {
	if p == nil {
		return
	}
	p.Stop()
}

// waitWorkers waits until the controller logs that its workers started:
// its caches are synced and it reconciles.
func (p *controllerProc) waitWorkers(ctx context.Context, timeout time.Duration) error {
	return poll(ctx, p.Name+" started", 50*time.Millisecond, timeout, func() (bool, string, error) {
		if p.Exited() {
			return false, "", fmt.Errorf("%s exited: see %s", p.Name, p.LogPath)
		}
		return fileContains(p.LogPath, `"Starting workers"`), "see " + p.LogPath, nil
	})
}

// procStatus reads a field of /proc/PID/status in kB, as bytes.
func (p *controllerProc) procStatus(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid()))
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
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.metricsURL+"/metrics", http.NoBody)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping %s: %w", p.Name, err)
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

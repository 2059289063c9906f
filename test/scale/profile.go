package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// profileChunk is the length of one CPU profile; a rollout is covered by
// consecutive chunks (`go tool pprof` merges them when given together).
const profileChunk = 10 * time.Second

// profiler records CPU profiles of the controller (through its --enable-pprof
// handlers) and of kube-apiserver (its /debug/pprof, as the admin user)
// until stopped.
type profiler struct {
	dir    string
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// profileTarget is a process serving /debug/pprof/ at url.
type profileTarget struct {
	name string
	url  string
	c    *http.Client
}

// apiserverTarget is kube-apiserver's /debug/pprof, as cfg's user.
func apiserverTarget(name string, cfg *rest.Config) (profileTarget, error) {
	c, err := rest.HTTPClientFor(cfg)
	return profileTarget{name: name, url: strings.TrimSuffix(cfg.Host, "/"), c: c}, err
}

// controllerTarget is the controller's --enable-pprof handlers.
func controllerTarget(p *controllerProc) profileTarget {
	return profileTarget{name: "controller-cpu", url: p.metricsURL, c: http.DefaultClient}
}

func startProfiling(ctx context.Context, dir string, targets ...profileTarget) (*profiler, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr := &profiler{dir: dir, cancel: cancel}
	for _, t := range targets {
		pr.wg.Add(1)
		go func() {
			defer pr.wg.Done()
			pr.chunks(ctx, t.name, t.url, t.c)
		}()
	}
	return pr, nil
}

// chunks fetches consecutive CPU profiles until ctx ends; the chunk in
// flight then completes (at most profileChunk later).
func (pr *profiler) chunks(ctx context.Context, name, base string, c *http.Client) {
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(profileChunk.Seconds()))
	for i := 1; ctx.Err() == nil && i <= 1000; i++ {
		path := filepath.Join(pr.dir, fmt.Sprintf("%s-%03d.pb.gz", name, i))
		if err := fetch(context.WithoutCancel(ctx), c, url, path, profileChunk+30*time.Second); err != nil {
			pr.mu.Lock()
			pr.errs = append(pr.errs, err)
			pr.mu.Unlock()
			return
		}
	}
}

// stop waits for the chunks in flight and returns the first error.
func (pr *profiler) stop() error {
	pr.cancel()
	pr.wg.Wait()
	if len(pr.errs) > 0 {
		return pr.errs[0]
	}
	return nil
}

func fetch(ctx context.Context, c *http.Client, url, path string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("profiling %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profiling %s: %s (is pprof enabled?)", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profileRestart profiles a restarted controller from the moment its
// endpoint answers (a few milliseconds after the process starts, before its
// caches sync) until stopped: where the restart time goes.
func profileRestart(ctx context.Context, p *controllerProc, dir string) (*profiler, error) {
	err := poll(ctx, "the restarted controller's metrics endpoint", 10*time.Millisecond, 30*time.Second, func() (bool, string, error) {
		up, why := answers(ctx, p.metricsURL+"/debug/pprof/")
		return up, why, nil
	})
	if err != nil {
		return nil, err
	}
	return startProfiling(ctx, dir, profileTarget{name: "restart-cpu", url: p.metricsURL, c: http.DefaultClient})
}

// answers tells whether url answers 200 OK, and if not, why.
func answers(ctx context.Context, url string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return false, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err.Error()
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}

// heapProfile saves the controller's live heap (after a GC) to dir.
func heapProfile(ctx context.Context, p *controllerProc, dir string) error {
	return fetch(ctx, http.DefaultClient, p.metricsURL+"/debug/pprof/heap?gc=1", filepath.Join(dir, "controller-heap.pb.gz"), time.Minute)
}

// summarize writes `go tool pprof -top` of the merged chunks of each
// profile next to them, for a first look.
func summarize(ctx context.Context, dir, controllerBin string) error {
	for _, s := range []struct{ glob, bin, out, extra string }{
		{"controller-cpu-*.pb.gz", controllerBin, "controller-cpu-top.txt", ""},
		{"apiserver-cpu-*.pb.gz", "", "apiserver-cpu-top.txt", ""},
		{"apiserver-baseline-cpu-*.pb.gz", "", "apiserver-baseline-cpu-top.txt", ""},
		{"restart-cpu-*.pb.gz", controllerBin, "restart-cpu-top.txt", ""},
		{"controller-heap.pb.gz", controllerBin, "controller-heap-top.txt", "-sample_index=inuse_space"},
	} {
		files, _ := filepath.Glob(filepath.Join(dir, s.glob))
		if len(files) == 0 {
			continue
		}
		args := []string{"tool", "pprof", "-top", "-nodecount=60"}
		if s.extra != "" {
			args = append(args, s.extra)
		}
		if s.bin != "" {
			args = append(args, s.bin)
		}
		out, err := exec.CommandContext(ctx, "go", append(args, files...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool pprof %s: %w\n%s", s.glob, err, out)
		}
		if err := os.WriteFile(filepath.Join(dir, s.out), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

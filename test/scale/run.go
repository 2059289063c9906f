package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// sizeResult is everything measured for one N.
type sizeResult struct {
	n, k       int
	baseline   *baselineResult
	controller *controllerResult
	versions   versions
}

// runSize runs one N on a fresh control plane: the bare client, its objects
// deleted, then the controller.
func runSize(ctx context.Context, opts options, bin string, n int, log *logger) (*sizeResult, error) {
	dir := filepath.Join(opts.outDir, fmt.Sprintf("n%d", n))
	log.printf("N=%d: starting the control plane and the Flux stand-in (%s)", n, dir)
	s, err := startSession(ctx, dir, opts.workers)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	r := &sizeResult{n: n, k: opts.k, versions: s.versions}

	base := newFleet(fmt.Sprintf("b%d", n), n, opts.k, opts.perNamespace)
	log.printf("N=%d: bare client, %d workers", n, opts.workers)
	if r.baseline, err = runBaseline(ctx, s, base, opts, opts.convergeTimeout(n)); err != nil {
		return nil, err
	}
	if err := verifyChildren(ctx, s, base); err != nil {
		return nil, fmt.Errorf("bare client: %w", err)
	}
	log.printf("N=%d: bare client %.2f s; deleting its objects", n, r.baseline.elapsed.Seconds())
	if err := deleteFleet(ctx, s, base, opts.workers); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "baseline-requests.txt"), []byte(breakdown(r.baseline.requests, n)), 0o644); err != nil {
		return nil, err
	}

	ctl := newFleet(fmt.Sprintf("c%d", n), n, opts.k, opts.perNamespace)
	if r.controller, err = runController(ctx, opts, s, bin, ctl, log); err != nil {
		return nil, err
	}
	return r, nil
}

// controllerArgs are the flags of the controller under test.
func controllerArgs(opts options, f *fleet, extra ...string) []string {
	args := []string{
		fmt.Sprintf("--concurrent=%d", opts.concurrent),
		fmt.Sprintf("--watch-label-selector=%s=%s", RunLabel, f.run),
	}
	if opts.pprof {
		args = append(args, "--enable-pprof")
	}
	return append(args, extra...)
}

// controllerResult is the controller's run.
type controllerResult struct {
	elapsed      time.Duration
	otherCPU     float64   // share of the CPU other processes took during the rollout
	requests     []request // from its start until idle after convergence
	firstStatus  []time.Duration
	steadyWrites []request // after it went idle, for opts.steady
	latencies    []time.Duration
	flipMisses   []string // flips the FluxConfig's status did not show in time
	rssPeak      int64
	heapInuse    float64
	restart      *restartResult
}

// runController starts the controller, creates the fleet with workers
// goroutines, and waits until every FluxConfig is Compliant; then counts
// its writes while nothing changes, times status latency, reads its memory,
// and restarts it.
func runController(ctx context.Context, opts options, s *session, bin string, f *fleet, log *logger) (*controllerResult, error) {
	kubeconfig, err := s.kubeconfig(controllerUser)
	if err != nil {
		return nil, err
	}
	p, err := startController("controller", bin, kubeconfig, filepath.Join(s.dir, "controller.log"), controllerArgs(opts, f))
	if err != nil {
		return nil, err
	}
	defer p.stop()
	if err := p.waitWorkers(ctx, 2*time.Minute); err != nil {
		return nil, err
	}
	if err := f.createNamespaces(ctx, s.admin); err != nil {
		return nil, err
	}
	res := &controllerResult{}
	log.printf("N=%d: controller, %d FluxConfigs created by %d workers", f.n, f.n, opts.workers)
	if err := rollout(ctx, opts, s, p, f, res); err != nil {
		return nil, err
	}
	if err := verifyChildren(ctx, s, f); err != nil {
		return nil, fmt.Errorf("controller: %w", err)
	}
	log.printf("N=%d: controller %.2f s; waiting until it is idle, then %s of steady state", f.n, res.elapsed.Seconds(), opts.steady)
	idleAt, err := steadyState(ctx, opts, s, p, f, res)
	if err != nil {
		return nil, err
	}
	log.printf("N=%d: %d status flips", f.n, opts.flips)
	if res.latencies, res.flipMisses, err = measureLatency(ctx, s, f, opts.flips); err != nil {
		return nil, err
	}
	if res.rssPeak, err = p.rssPeak(); err != nil {
		return nil, err
	}
	if err := settleAudit(ctx, s.audit); err != nil {
		return nil, err
	}
	res.requests = s.audit.Between(controllerUser, p.started, idleAt)
	if err := os.WriteFile(filepath.Join(s.dir, "controller-requests.txt"), []byte(breakdown(res.requests, f.n)), 0o644); err != nil {
		return nil, err
	}
	log.printf("N=%d: restarting the controller over %d converged FluxConfigs", f.n, f.n)
	p.stop()
	if res.restart, err = measureRestart(ctx, opts, s, bin, kubeconfig, f, log); err != nil {
		return nil, err
	}
	if opts.pprof {
		// The rollout's and the restart's profiles, once both are taken.
		return res, summarize(ctx, filepath.Join(s.dir, "profiles"), bin)
	}
	return res, nil
}

// rollout creates the fleet and waits for it to converge, profiling the
// controller and kube-apiserver meanwhile when asked.
func rollout(ctx context.Context, opts options, s *session, p *controllerProc, f *fleet, res *controllerResult) error {
	var prof *profiler
	var err error
	if opts.pprof {
		api, err := apiserverTarget("apiserver-cpu", s.adminCfg)
		if err != nil {
			return err
		}
		if prof, err = startProfiling(ctx, filepath.Join(s.dir, "profiles"), controllerTarget(p), api); err != nil {
			return err
		}
	}
	cpuBefore, err := sampleCPU()
	if err != nil {
		return err
	}
	start := time.Now()
	err = forEach(ctx, f.n, opts.workers, func(ctx context.Context, i int) error {
		s.flux.watcher.markCreated(f.key(i), time.Now())
		if err := s.admin.Create(ctx, f.config(i)); err != nil {
			return fmt.Errorf("creating FluxConfig %s: %w", f.key(i), err)
		}
		return nil
	})
	if err == nil {
		err = waitConverged(ctx, s, f, opts.convergeTimeout(f.n), p)
	}
	end := time.Now()
	res.elapsed = end.Sub(start)
	if cpuAfter, cerr := sampleCPU(); cerr == nil {
		res.otherCPU = otherShare(cpuBefore, cpuAfter)
	}
	res.firstStatus = s.flux.watcher.firstStatusTimes(f)
	if prof != nil {
		err = firstError(err, prof.stop())
		if err == nil {
			err = heapProfile(ctx, p, prof.dir)
		}
	}
	if err != nil {
		return fmt.Errorf("controller: %w (its log: %s)", err, p.LogPath)
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// steadyState waits until the converged controller is idle, then counts
// its writes over opts.steady, and reads its heap. It returns when the
// controller went idle.
func steadyState(ctx context.Context, opts options, s *session, p *controllerProc, f *fleet, res *controllerResult) (time.Time, error) {
	idle, err := waitIdle(ctx, p, float64(f.n), opts.convergeTimeout(f.n))
	if err != nil {
		return time.Time{}, err
	}
	select {
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	case <-time.After(opts.steady):
	}
	end := time.Now()
	m, err := p.metrics(ctx)
	if err != nil {
		return time.Time{}, err
	}
	res.heapInuse = sumMetric(m, "go_memstats_heap_inuse_bytes", nil)
	if err := settleAudit(ctx, s.audit); err != nil {
		return time.Time{}, err
	}
	res.steadyWrites = writes(s.audit.Between(controllerUser, idle.at, end))
	for _, w := range res.steadyWrites {
		fmt.Fprintf(os.Stderr, "steady-state write: %s %s %s/%s\n", w.Verb, w.Resource, w.Namespace, w.Name)
	}
	return idle.at, nil
}

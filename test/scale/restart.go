package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// restartResult is a controller started again over converged FluxConfigs.
type restartResult struct {
	// elapsed runs from the process's start to idle (caches synced, every
	// FluxConfig reconciled, nothing left to do).
	elapsed time.Duration
	// writes made meanwhile: expected none.
	writes []request
	// requests made meanwhile, of any verb.
	requests []request
	rssPeak  int64
	// resync: a second restart with a short --resync-interval, through two
	// resync passes; its writes after going idle are expected none too.
	resyncInterval time.Duration
	resyncElapsed  time.Duration
	resyncWrites   []request
	resyncPasses   float64
}

// measureRestart starts the controller (stopped by the caller) again with
// its default resync: the restart time and its writes. Then once more, with
// --resync-interval long enough for a pass to finish, and counts its writes
// over two resync passes.
func measureRestart(ctx context.Context, opts options, s *session, bin, kubeconfig string, f *fleet, log *logger) (*restartResult, error) {
	res := &restartResult{}
	p, err := startController("controller-restarted", bin, kubeconfig, filepath.Join(s.dir, "controller-restarted.log"), controllerArgs(opts, f))
	if err != nil {
		return nil, err
	}
	var prof *profiler
	if opts.pprof {
		if prof, err = profileRestart(ctx, p, filepath.Join(s.dir, "profiles")); err != nil {
			p.stop()
			return nil, err
		}
	}
	idle, err := waitIdle(ctx, p, float64(f.n), opts.convergeTimeout(f.n))
	if prof != nil {
		if perr := prof.stop(); err == nil {
			err = perr
		}
	}
	if err == nil {
		res.rssPeak, err = p.rssPeak()
	}
	p.stop()
	if err != nil {
		return nil, err
	}
	res.elapsed = idle.at.Sub(p.started)
	if err := settleAudit(ctx, s.audit); err != nil {
		return nil, err
	}
	res.requests = s.audit.Between(controllerUser, p.started, idle.at)
	res.writes = writes(res.requests)

	res.resyncInterval = max(opts.resync, 2*res.elapsed+5*time.Second).Round(time.Second)
	log.printf("N=%d: restart %.2f s, %d writes; once more with --resync-interval=%s for two resync passes", f.n, res.elapsed.Seconds(), len(res.writes), res.resyncInterval)
	return res, resyncPasses(ctx, opts, s, bin, kubeconfig, f, res)
}

// resyncPasses runs the controller with a short resync until every
// FluxConfig was reconciled twice more after it went idle, and counts its
// writes from idle on.
func resyncPasses(ctx context.Context, opts options, s *session, bin, kubeconfig string, f *fleet, res *restartResult) error {
	args := controllerArgs(opts, f, "--resync-interval="+res.resyncInterval.String())
	p, err := startController("controller-resync", bin, kubeconfig, filepath.Join(s.dir, "controller-resync.log"), args)
	if err != nil {
		return err
	}
	defer p.stop()
	idle, err := waitIdle(ctx, p, float64(f.n), opts.convergeTimeout(f.n))
	if err != nil {
		return err
	}
	res.resyncElapsed = idle.at.Sub(p.started)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(2 * res.resyncInterval):
	}
	var total float64
	err = poll(ctx, "two resync passes", 2*time.Second, 2*res.resyncInterval+opts.convergeTimeout(f.n), func() (bool, string, error) {
		m, err := p.metrics(ctx)
		if err != nil {
			return false, "", err
		}
		total = sumMetric(m, "controller_runtime_reconcile_total", map[string]string{"controller": controllerName})
		return total >= idle.reconciles+float64(2*f.n), fmt.Sprintf("%.0f reconciles since idle, want %d", total-idle.reconciles, 2*f.n), nil
	})
	if err != nil {
		return err
	}
	end := time.Now()
	res.resyncPasses = (total - idle.reconciles) / float64(f.n)
	if err := settleAudit(ctx, s.audit); err != nil {
		return err
	}
	res.resyncWrites = writes(s.audit.Between(controllerUser, idle.at, end))
	return nil
}

package main

import (
	"context"
	"fmt"
	"time"
)

// Idle detection, from outside the controller. The audit log cannot tell:
// a controller resyncing converged FluxConfigs reads its cache and sends no
// request at all. Scraping /metrics often cannot either: the scrape holds a
// series per FluxConfig and would itself keep the controller busy. So the
// controller's CPU time (/proc/PID/stat) is sampled every idleSample; idle
// starts where a window of idleWindow begins in which it used at most
// idleTicks, and is confirmed by one scrape: the work queue empty, no
// worker active, and at least the expected number of reconciles done.
const (
	idleSample = 100 * time.Millisecond
	idleWindow = 10 // samples: one second
	idleTicks  = 2  // clock ticks (10 ms each): 2% of one core over the window
)

// Names of the controller in controller-runtime's metrics.
const controllerName = "fluxconfig"

// idleness is the pure part: the CPU samples and where a quiet window began.
type idleness struct {
	at    []time.Time
	ticks []int64
}

// add records a sample and returns the start of the quiet window ending
// with it, if it is one.
func (d *idleness) add(at time.Time, ticks int64) (time.Time, bool) {
	d.at = append(d.at, at)
	d.ticks = append(d.ticks, ticks)
	n := len(d.ticks)
	if n <= idleWindow {
		return time.Time{}, false
	}
	if d.ticks[n-1]-d.ticks[n-1-idleWindow] > idleTicks {
		return time.Time{}, false
	}
	return d.at[n-1-idleWindow], true
}

// reset forgets the samples (after a scrape, which costs CPU itself).
func (d *idleness) reset() { d.at, d.ticks = nil, nil }

// idleState is what a confirming scrape read.
type idleState struct {
	at         time.Time
	reconciles float64
}

// waitIdle waits until p is idle having done at least minReconciles.
func waitIdle(ctx context.Context, p *controllerProc, minReconciles float64, timeout time.Duration) (idleState, error) {
	var d idleness
	var state idleState
	progress := "no sample yet"
	err := poll(ctx, p.Name+" idle", idleSample, timeout, func() (bool, string, error) {
		if p.Exited() {
			return false, "", fmt.Errorf("%s exited: see %s", p.Name, p.LogPath)
		}
		ticks, err := p.cpuTicks()
		if err != nil {
			return false, "", err
		}
		start, quiet := d.add(time.Now(), ticks)
		if !quiet {
			return false, progress, nil
		}
		d.reset()
		m, err := p.metrics(ctx)
		if err != nil {
			return false, "", err
		}
		sel := map[string]string{"controller": controllerName}
		reconciles := sumMetric(m, "controller_runtime_reconcile_total", sel)
		depth := sumMetric(m, "workqueue_depth", map[string]string{"name": controllerName})
		active := sumMetric(m, "controller_runtime_active_workers", sel)
		progress = fmt.Sprintf("last quiet second: %.0f reconciles of %.0f expected, queue depth %.0f, %.0f workers active", reconciles, minReconciles, depth, active)
		state = idleState{at: start, reconciles: reconciles}
		return reconciles >= minReconciles && depth == 0 && active == 0, progress, nil
	})
	return state, err
}

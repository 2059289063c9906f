package main

import (
	"fmt"
	"time"
)

// goal is one of issue 11's goals, as far as a run measures it.
type goal struct {
	text     string
	measured string
	met      bool
}

// evaluateGoals checks the results against issue 11's goals, each at the
// N it is stated for when the run has that N.
func evaluateGoals(results []*sizeResult) []goal {
	var out []goal
	for _, r := range results {
		c := r.controller
		ratio := c.elapsed.Seconds() / r.baseline.elapsed.Seconds()
		if r.n >= 1000 {
			out = append(out, goal{fmt.Sprintf("creation at most 1.05× the bare client at %d", r.n), fmt.Sprintf("%.2f×", ratio), ratio <= 1.05})
		}
		perConfig := float64(len(c.requests)) / float64(r.n)
		out = append(out, goal{fmt.Sprintf("at most 10 requests per config at %d", r.n), fmt.Sprintf("%.2f", perConfig), perConfig <= 10})
		w := len(c.steadyWrites) + len(c.restart.resyncWrites) + len(c.restart.writes)
		out = append(out, goal{fmt.Sprintf("zero writes in steady state, resync and restart at %d", r.n), fmt.Sprint(w), w == 0})
		out = append(out, sizeGoals(r)...)
	}
	if g, ok := slopeGoal(results); ok {
		out = append(out, g)
	}
	return out
}

// sizeGoals are the goals stated for one N only.
func sizeGoals(r *sizeResult) []goal {
	c := r.controller
	rss := float64(c.rssPeak) / mib
	switch r.n {
	case 1000:
		return []goal{{"RSS at most 64 MiB at 1000", fmt.Sprintf("%.0f MiB", rss), rss <= 64}}
	case 3000:
		ok := c.restart.elapsed <= 5*time.Second && len(c.restart.writes) == 0
		return []goal{{"restart resync of 3000 in at most 5 s with 0 writes",
			fmt.Sprintf("%s, %d writes", seconds(c.restart.elapsed), len(c.restart.writes)), ok}}
	case 10000:
		p99 := percentile(c.latencies, 99)
		return []goal{
			{"status latency p99 at most 50 ms at 10000", millis(p99), p99 <= 50*time.Millisecond},
			{"10000 configs converge in at most 350 MiB", fmt.Sprintf("%.0f MiB", rss), rss <= 350},
		}
	}
	return nil
}

// slopeGoal: at most 32 KiB of RSS per config beyond 1,000, between the
// smallest and the largest N of at least 1,000.
func slopeGoal(results []*sizeResult) (goal, bool) {
	var lo, hi *sizeResult
	for _, r := range results {
		if r.n < 1000 {
			continue
		}
		if lo == nil || r.n < lo.n {
			lo = r
		}
		if hi == nil || r.n > hi.n {
			hi = r
		}
	}
	if lo == nil || hi == lo {
		return goal{}, false
	}
	kib := float64(hi.controller.rssPeak-lo.controller.rssPeak) / 1024 / float64(hi.n-lo.n)
	return goal{fmt.Sprintf("RSS at most 32 KiB per further config (%d to %d)", lo.n, hi.n), fmt.Sprintf("%.1f KiB", kib), kib <= 32}, true
}

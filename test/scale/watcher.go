package main

import (
	"sort"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// configWatcher follows every FluxConfig's status through a watch: which
// are Compliant at their current generation, when each first got a status,
// and the conditions the latency measurement waits for.
type configWatcher struct {
	mu          sync.Mutex
	compliant   map[types.NamespacedName]bool
	created     map[types.NamespacedName]time.Time
	firstStatus map[types.NamespacedName]time.Duration
	waiters     map[types.NamespacedName]*waiter
}

// waiter is told the moment its FluxConfig's status satisfies cond.
type waiter struct {
	cond func(*v1alpha1.FluxConfigStatus) bool
	seen chan time.Time
}

func newConfigWatcher() *configWatcher {
	return &configWatcher{
		compliant:   map[types.NamespacedName]bool{},
		created:     map[types.NamespacedName]time.Time{},
		firstStatus: map[types.NamespacedName]time.Duration{},
		waiters:     map[types.NamespacedName]*waiter{},
	}
}

func (w *configWatcher) handler() toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.observe(obj) },
		UpdateFunc: func(_, obj any) { w.observe(obj) },
	}
}

// isCompliant: the state the benchmark waits for after a rollout.
func isCompliant(fc *v1alpha1.FluxConfig) bool {
	return fc.Status.ComplianceState == v1alpha1.ComplianceCompliant && fc.Status.ObservedGeneration == fc.Generation
}

func (w *configWatcher) observe(obj any) {
	fc, ok := obj.(*v1alpha1.FluxConfig)
	if !ok {
		return
	}
	now := time.Now()
	key := types.NamespacedName{Namespace: fc.Namespace, Name: fc.Name}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.compliant[key] = isCompliant(fc)
	if _, ok := w.firstStatus[key]; !ok && fc.Status.ComplianceState != "" {
		if at, ok := w.created[key]; ok {
			w.firstStatus[key] = now.Sub(at)
		}
	}
	if wt := w.waiters[key]; wt != nil && wt.cond(&fc.Status) {
		delete(w.waiters, key)
		wt.seen <- now
	}
}

// markCreated records when the benchmark created a FluxConfig.
func (w *configWatcher) markCreated(key types.NamespacedName, at time.Time) {
	w.mu.Lock()
	w.created[key] = at
	w.mu.Unlock()
}

// compliantIn counts the Compliant FluxConfigs of a run.
func (w *configWatcher) compliantIn(f *fleet) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for key, ok := range w.compliant {
		if ok && f.owns(key.Namespace) {
			n++
		}
	}
	return n
}

// firstStatusTimes are the delays from creation to first status of a run's
// FluxConfigs, sorted.
func (w *configWatcher) firstStatusTimes(f *fleet) []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []time.Duration
	for key, d := range w.firstStatus {
		if f.owns(key.Namespace) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// await registers a wait for key's status to satisfy cond; the channel
// receives the time the watch delivered it. One wait per key at a time.
func (w *configWatcher) await(key types.NamespacedName, cond func(*v1alpha1.FluxConfigStatus) bool) <-chan time.Time {
	wt := &waiter{cond: cond, seen: make(chan time.Time, 1)}
	w.mu.Lock()
	w.waiters[key] = wt
	w.mu.Unlock()
	return wt.seen
}

// cancel drops a wait that timed out.
func (w *configWatcher) cancel(key types.NamespacedName) {
	w.mu.Lock()
	delete(w.waiters, key)
	w.mu.Unlock()
}

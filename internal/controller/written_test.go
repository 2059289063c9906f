package controller

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

func TestWrittenCacheBehind(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	wrote := &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "cfg", ResourceVersion: "42", Generation: 3}}
	cached := func(rv string, gen int64) *v1alpha1.FluxConfig {
		return &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "cfg", ResourceVersion: rv, Generation: gen}}
	}
	tests := []struct {
		name   string
		cached *v1alpha1.FluxConfig
		at     time.Time
		want   bool
	}{
		{"the cache shows the write", cached("42", 3), t0.Add(time.Millisecond), false},
		{"an older copy, just after the write", cached("41", 3), t0.Add(time.Millisecond), true},
		{"an older copy, long after: someone else's write, judge it", cached("41", 3), t0.Add(cacheLagWindow), false},
		{"a newer generation came after the write", cached("43", 4), t0.Add(time.Millisecond), false},
		{"another FluxConfig", &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "other", ResourceVersion: "1", Generation: 3}}, t0, false},
	}
	w := newWritten()
	w.remember(wrote, t0)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := w.cacheBehind(tc.cached, tc.at); got != tc.want {
				t.Errorf("cacheBehind = %v, want %v", got, tc.want)
			}
		})
	}
	w.forget(types.NamespacedName{Namespace: "ns", Name: "cfg"})
	if w.cacheBehind(cached("41", 3), t0.Add(time.Millisecond)) {
		t.Error("a forgotten FluxConfig is never behind")
	}
}

// TestWrittenDiffers: a status computed again from a stale cached copy can
// equal that copy and still not be what is stored; differs catches it.
func TestWrittenDiffers(t *testing.T) {
	key := types.NamespacedName{Namespace: "ns", Name: "cfg"}
	compliant := v1alpha1.FluxConfigStatus{ComplianceState: v1alpha1.ComplianceCompliant, ObservedGeneration: 3}
	nonCompliant := v1alpha1.FluxConfigStatus{ComplianceState: v1alpha1.ComplianceNonCompliant, ObservedGeneration: 3}
	w := newWritten()
	if w.differs(key, compliant) {
		t.Error("nothing written yet: the cache is the only truth")
	}
	w.remember(&v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "cfg"}, Status: nonCompliant}, time.Now())
	if !w.differs(key, compliant) {
		t.Error("Non-Compliant was written last: Compliant must be written, even if the stale cache says Compliant")
	}
	if w.differs(key, nonCompliant) {
		t.Error("the status last written needs no write")
	}
}

// TestCacheCaughtUp: a pass that found the cached FluxConfig behind its own
// status write is started again by the cache's next copy of it, once,
// instead of waiting cacheLagRetry.
func TestCacheCaughtUp(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	meta := func(name, rv string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: "ns", Name: name, ResourceVersion: rv, Generation: 1}
	}
	r := &FluxConfigReconciler{written: newWritten()}
	r.written.remember(&v1alpha1.FluxConfig{ObjectMeta: meta("cfg", "42")}, t0)
	wakes := r.cacheCaughtUp()
	update := func(name, rv string) event.UpdateEvent {
		return event.UpdateEvent{
			ObjectOld: &v1alpha1.FluxConfig{ObjectMeta: meta(name, "41")},
			ObjectNew: &v1alpha1.FluxConfig{ObjectMeta: meta(name, rv)},
		}
	}
	if wakes.Update(update("cfg", "42")) {
		t.Fatal("an update woke a FluxConfig no pass waits for")
	}
	if !r.written.cacheBehind(&v1alpha1.FluxConfig{ObjectMeta: meta("cfg", "41")}, t0.Add(time.Millisecond)) {
		t.Fatal("the cached copy older than the write is not behind")
	}
	if wakes.Update(update("other", "7")) {
		t.Error("another FluxConfig's update woke the waiting one's pass")
	}
	if !wakes.Update(update("cfg", "42")) {
		t.Error("the cache's copy with the write did not start the waiting pass")
	}
	if wakes.Update(update("cfg", "43")) {
		t.Error("a later update woke the pass again: it waits once")
	}
	if wakes.Create(event.CreateEvent{Object: &v1alpha1.FluxConfig{ObjectMeta: meta("cfg", "42")}}) ||
		wakes.Delete(event.DeleteEvent{Object: &v1alpha1.FluxConfig{ObjectMeta: meta("cfg", "42")}}) {
		t.Error("only updates bring the cache's next copy")
	}
	r.written.cacheBehind(&v1alpha1.FluxConfig{ObjectMeta: meta("cfg", "41")}, t0.Add(time.Millisecond))
	r.written.forget(types.NamespacedName{Namespace: "ns", Name: "cfg"})
	if wakes.Update(update("cfg", "42")) {
		t.Error("a forgotten FluxConfig still waits")
	}
}

package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// flipTimeout bounds one flip: far above any latency worth reporting. A
// flip the FluxConfig does not show by then is a miss: it counts as an
// infinite latency, and the report names it with the status the API server
// holds.
const flipTimeout = 30 * time.Second

// missed is the latency recorded for a miss.
const missed = time.Duration(math.MaxInt64)

// maxMisses stops the measurement: beyond it something is broken, not slow.
const maxMisses = 10

// measureLatency flips the Ready condition of the last Kustomization of
// flips/2 FluxConfigs spread over the fleet, one at a time: to False (a
// failed apply at the current generation), timed until the FluxConfig's
// status says Non-Compliant with that message, then back to True, timed
// until it is Compliant again. The time runs from just before the status
// patch to the moment the benchmark's watch delivers the FluxConfig.
func measureLatency(ctx context.Context, s *session, f *fleet, flips int) (latencies []time.Duration, misses []string, err error) {
	pairs := (flips + 1) / 2
	for j := range pairs {
		i := (j * f.n / pairs) % f.n
		msg := fmt.Sprintf("kustomize build failed: benchmark flip %d", j)
		steps := []struct {
			set   func(*kustomizev1.Kustomization)
			shown func(*v1alpha1.FluxConfigStatus) bool
		}{
			{func(ks *kustomizev1.Kustomization) { kustomizationFailed(ks, msg, metav1.Now()) },
				func(st *v1alpha1.FluxConfigStatus) bool {
					return st.ComplianceState == v1alpha1.ComplianceNonCompliant && strings.Contains(st.ErrorMessage, msg)
				}},
			{func(ks *kustomizev1.Kustomization) { kustomizationReady(ks, metav1.Now()) },
				func(st *v1alpha1.FluxConfigStatus) bool { return st.ComplianceState == v1alpha1.ComplianceCompliant }},
		}
		for _, step := range steps {
			if len(latencies) == flips {
				break
			}
			d, miss, err := flip(ctx, s, f, i, step.set, step.shown)
			if err != nil {
				return nil, nil, err
			}
			latencies = append(latencies, d)
			if miss != "" {
				misses = append(misses, miss)
			}
			if len(misses) > maxMisses {
				return nil, nil, fmt.Errorf("more than %d status flips not shown within %s: %s", maxMisses, flipTimeout, strings.Join(misses, "; "))
			}
		}
	}
	return latencies, misses, nil
}

// flip sets a Kustomization's status and waits until its FluxConfig's
// status shows it; a miss is described instead.
func flip(ctx context.Context, s *session, f *fleet, i int, set func(*kustomizev1.Kustomization), shown func(*v1alpha1.FluxConfigStatus) bool) (time.Duration, string, error) {
	ks := &kustomizev1.Kustomization{}
	target := f.flipTarget(i)
	if err := s.admin.Get(ctx, target, ks); err != nil {
		return 0, "", fmt.Errorf("reading %s to flip it: %w", target, err)
	}
	base := ks.DeepCopy()
	set(ks)
	key := f.key(i)
	seen := s.flux.watcher.await(key, shown)
	start := time.Now()
	if err := s.admin.Status().Patch(ctx, ks, client.MergeFrom(base)); err != nil {
		s.flux.watcher.cancel(key)
		return 0, "", fmt.Errorf("flipping %s: %w", target, err)
	}
	select {
	case at := <-seen:
		return at.Sub(start), "", nil
	case <-time.After(flipTimeout):
		s.flux.watcher.cancel(key)
		return missed, describeMiss(ctx, s, key, target), nil
	case <-ctx.Done():
		s.flux.watcher.cancel(key)
		return 0, "", ctx.Err()
	}
}

// describeMiss says what the API server holds for a FluxConfig whose status
// did not show a flip.
func describeMiss(ctx context.Context, s *session, key, target types.NamespacedName) string {
	fc := &v1alpha1.FluxConfig{}
	if err := s.admin.Get(ctx, key, fc); err != nil {
		return fmt.Sprintf("%s: not shown within %s (reading it: %v)", key, flipTimeout, err)
	}
	ks := &kustomizev1.Kustomization{}
	ready := "unknown"
	if err := s.admin.Get(ctx, target, ks); err == nil {
		if c := apimeta.FindStatusCondition(ks.Status.Conditions, "Ready"); c != nil {
			ready = string(c.Status)
		}
	}
	return fmt.Sprintf("%s: the flip of %s (now Ready=%s) not shown within %s; the API server holds complianceState %q, errorMessage %q, statusUpdatedAt %v",
		key, target.Name, ready, flipTimeout, fc.Status.ComplianceState, fc.Status.ErrorMessage, fc.Status.StatusUpdatedAt)
}

// percentile is the nearest-rank percentile p of ds; 0 when empty.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

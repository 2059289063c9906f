package status

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// BenchmarkCompute measures the status of a FluxConfig whose Kustomizations
// applied 150 Flux objects (more than the 100 statuses kept), computed
// against the status it computed before: the steady-state path.
func BenchmarkCompute(b *testing.B) {
	now := metav1.NewTime(time.Unix(1_700_000_000, 0))
	var objs []Object
	for i := range 150 {
		objs = append(objs, Object{
			Kind: "HelmRelease", Name: fmt.Sprintf("release-%d", i), Namespace: "apps", Found: true,
			Generation: 1, ObservedGeneration: 1,
			Conditions: []metav1.Condition{{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: "UpgradeSucceeded",
				Message: "Helm upgrade succeeded", LastTransitionTime: now}},
			HelmRelease: &v1alpha1.HelmReleasePropertiesDefinition{LastRevisionApplied: 3},
		})
	}
	r := Report{Generation: 1, Objects: objs}
	prev := Compute(v1alpha1.FluxConfigStatus{}, r, now)
	b.ReportAllocs()
	for b.Loop() {
		next := Compute(prev, r, now)
		if !sameStatus(prev, next) {
			b.Fatal("a steady state must compute the same status")
		}
	}
}

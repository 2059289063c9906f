package status

import (
	"testing"

	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// TestKstatus reads the FluxConfig that Compute describes with the kstatus
// library, as a parent Flux Kustomization with wait: true (or `flux`'s and
// kubectl's waiters) does, at every phase of its life.
func TestKstatus(t *testing.T) {
	pending := compliantReport()
	pending.Objects[1].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionUnknown, meta.ProgressingReason, "Reconciliation in progress")}
	failing := compliantReport()
	failing.Objects[1].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "kustomize build failed")}
	stalled := compliantReport()
	stalled.Failure = &Failure{Reason: InvalidConfigReason, Message: "spec.kustomizations: dependsOn forms a cycle", Stalled: true}
	retried := compliantReport()
	retried.Failure = &Failure{Reason: ReconciliationFailedReason, Message: "connection refused"}
	suspended := compliantReport()
	suspended.Suspended = true

	tests := []struct {
		name   string
		status *v1alpha1.FluxConfigStatus // nil: as the API server stores a new object
		want   kstatus.Status
	}{
		{"new: the CRD's default status", &v1alpha1.FluxConfigStatus{ObservedGeneration: -1}, kstatus.InProgressStatus},
		{"in progress: Pending", computed(pending), kstatus.InProgressStatus},
		{"failed: Flux retries a failure", computed(failing), kstatus.InProgressStatus},
		{"failed: the pass failed and is retried", computed(retried), kstatus.InProgressStatus},
		{"stalled", computed(stalled), kstatus.FailedStatus},
		{"ready: Compliant", computed(compliantReport()), kstatus.CurrentStatus},
		{"suspended: not Ready, so a parent waits", computed(suspended), kstatus.InProgressStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fc := &v1alpha1.FluxConfig{
				TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FluxConfig"},
				ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "team-a", Generation: 5},
				Status:     *tc.status,
			}
			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(fc)
			if err != nil {
				t.Fatal(err)
			}
			res, err := kstatus.Compute(&unstructured.Unstructured{Object: m})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want {
				t.Errorf("kstatus = %s (%s), want %s", res.Status, res.Message, tc.want)
			}
		})
	}
}

func computed(r Report) *v1alpha1.FluxConfigStatus {
	st := Compute(v1alpha1.FluxConfigStatus{ObservedGeneration: -1}, r, t1)
	return &st
}

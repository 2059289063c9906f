package status

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

func TestJudge(t *testing.T) {
	failing := kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "kustomize build failed"))
	stalledObj := kustomization("cfg-apps",
		cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "kustomize build failed"),
		cond(meta.StalledCondition, metav1.ConditionTrue, "BuildFailed", "kustomize build failed"))
	waiting := kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionUnknown, meta.ProgressingReason, "Reconciliation in progress"))
	noReason := kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionFalse, "", "broken"))
	stalledFailure := &Failure{Reason: InvalidConfigReason, Message: "spec.scope: not allowed", Stalled: true}
	retried := &Failure{Reason: ConflictReason, Message: "Secret team-a/cfg-auth already exists"}

	tests := []struct {
		name       string
		compliance string
		report     Report
		blame      *Object
		want       verdict
	}{
		{"compliant, with the revision", v1alpha1.ComplianceCompliant, compliantReport(), nil,
			verdict{phaseCompliant, meta.SucceededReason, "all 2 Flux objects are compliant at revision " + revision}},
		{"a stalled failure wins over everything, deletion included", v1alpha1.ComplianceCompliant,
			Report{Failure: stalledFailure, Deleting: true}, nil, verdict{phaseStalled, InvalidConfigReason, "spec.scope: not allowed"}},
		{"a retried failure, also while deleting", v1alpha1.ComplianceCompliant,
			Report{Failure: retried, Deleting: true}, nil, verdict{phaseFailed, ConflictReason, "Secret team-a/cfg-auth already exists"}},
		{"deleting", v1alpha1.ComplianceCompliant, Report{Deleting: true, DeletingMessage: "waiting"}, nil,
			verdict{phaseDeleting, DeletingReason, "waiting"}},
		{"suspended", v1alpha1.ComplianceSuspended, Report{Suspended: true}, nil,
			verdict{phaseSuspended, meta.SuspendedReason, "reconciliation is suspended (spec.suspend: true)"}},
		{"non-compliant takes the failing object's reason", v1alpha1.ComplianceNonCompliant, Report{}, &failing,
			verdict{phaseNonCompliant, "BuildFailed", "Kustomization team-a/cfg-apps: kustomize build failed"}},
		{"non-compliant without a reason", v1alpha1.ComplianceNonCompliant, Report{}, &noReason,
			verdict{phaseNonCompliant, NonCompliantReason, "Kustomization team-a/cfg-apps: broken"}},
		{"a stalled Flux object", v1alpha1.ComplianceNonCompliant, Report{}, &stalledObj,
			verdict{phaseNonCompliantStalled, "BuildFailed", "Kustomization team-a/cfg-apps: kustomize build failed"}},
		{"pending names what it waits for", v1alpha1.CompliancePending, Report{}, &waiting,
			verdict{phaseProgressing, meta.ProgressingReason, "waiting for Kustomization team-a/cfg-apps: Reconciliation in progress"}},
		{"nothing observed yet", v1alpha1.ComplianceUnknown, Report{}, nil,
			verdict{phaseProgressing, meta.ProgressingReason, "waiting for the Flux objects to be created"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rev := ""
			if tc.compliance == v1alpha1.ComplianceCompliant {
				rev = revision
			}
			if got := judge(tc.compliance, rev, tc.report, tc.blame); got != tc.want {
				t.Errorf("judge = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// setterCase is one row of the setter tables: a phase, and the condition
// the setter must leave (nil: absent).
type setterCase struct {
	phase phase
	want  *condWant
}

func runSetter(t *testing.T, typ string, set func(*[]metav1.Condition, verdict, int64, metav1.Time), cases []setterCase) {
	t.Helper()
	for _, tc := range cases {
		v := verdict{tc.phase, "SomeReason", "some message"}
		// Start from a stale condition of every type, so a setter that
		// should remove its condition is seen doing it.
		conds := staleConditions()
		stale := *apimeta.FindStatusCondition(conds, typ)
		set(&conds, v, 7, t1)
		checkCondition(t, conds, typ, tc.want, 7)
		// The transition time moves only when the status does.
		wantTime := t0
		if tc.want != nil && tc.want.status != stale.Status {
			wantTime = t1
		}
		if c := apimeta.FindStatusCondition(conds, typ); c != nil && !c.LastTransitionTime.Equal(&wantTime) {
			t.Errorf("phase %d: %s transition time %v, want %v", tc.phase, typ, c.LastTransitionTime, wantTime)
		}
	}
}

func TestSetReady(t *testing.T) {
	runSetter(t, meta.ReadyCondition, setReady, []setterCase{
		{phaseCompliant, &condWant{metav1.ConditionTrue, "SomeReason", "some message"}},
		{phaseProgressing, &condWant{metav1.ConditionUnknown, "SomeReason", "some message"}},
		{phaseDeleting, &condWant{metav1.ConditionUnknown, "SomeReason", "some message"}},
		{phaseStalled, &condWant{metav1.ConditionFalse, "SomeReason", "some message"}},
		{phaseFailed, &condWant{metav1.ConditionFalse, "SomeReason", "some message"}},
		{phaseSuspended, &condWant{metav1.ConditionFalse, "SomeReason", "some message"}},
		{phaseNonCompliant, &condWant{metav1.ConditionFalse, "SomeReason", "some message"}},
		{phaseNonCompliantStalled, &condWant{metav1.ConditionFalse, "SomeReason", "some message"}},
	})
}

func TestSetReconciling(t *testing.T) {
	runSetter(t, meta.ReconcilingCondition, setReconciling, []setterCase{
		{phaseProgressing, &condWant{metav1.ConditionTrue, "SomeReason", "some message"}},
		{phaseDeleting, &condWant{metav1.ConditionTrue, "SomeReason", "some message"}},
		{phaseFailed, &condWant{metav1.ConditionTrue, meta.ProgressingWithRetryReason, "some message"}},
		{phaseNonCompliant, &condWant{metav1.ConditionTrue, meta.ProgressingWithRetryReason, "some message"}},
		{phaseCompliant, nil},
		{phaseStalled, nil},
		{phaseSuspended, nil},
		{phaseNonCompliantStalled, nil},
	})
}

func TestSetStalled(t *testing.T) {
	runSetter(t, meta.StalledCondition, setStalled, []setterCase{
		{phaseStalled, &condWant{metav1.ConditionTrue, "SomeReason", "some message"}},
		{phaseNonCompliantStalled, &condWant{metav1.ConditionTrue, "SomeReason", "some message"}},
		{phaseCompliant, nil},
		{phaseProgressing, nil},
		{phaseDeleting, nil},
		{phaseFailed, nil},
		{phaseSuspended, nil},
		{phaseNonCompliant, nil},
	})
}

// TestErrorMessageNamesTheRootCause: when a Kustomization waits on one that
// failed, errorMessage spells out the chain, root cause last, so `kubectl
// get fc -o wide` and the Azure agent show the cause and not the symptom.
func TestErrorMessageNamesTheRootCause(t *testing.T) {
	r := compliantReport()
	r.Objects[1] = kustomization("cfg-infra", cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "kustomize build failed: accumulating resources"))
	apps := kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionFalse, meta.DependencyNotReadyReason, "dependency 'team-a/cfg-infra' is not ready"))
	r.Objects = append(r.Objects, apps)
	st := Compute(v1alpha1.FluxConfigStatus{}, r, t1)
	if want := "apps waits for infra; infra failed: kustomize build failed: accumulating resources"; st.ErrorMessage != want {
		t.Errorf("errorMessage = %q, want %q", st.ErrorMessage, want)
	}

	alone := compliantReport()
	alone.Objects[1] = kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "kustomize build failed"))
	if got, want := Compute(v1alpha1.FluxConfigStatus{}, alone, t1).ErrorMessage, "Kustomization team-a/cfg-apps: kustomize build failed"; got != want {
		t.Errorf("a failure nothing waits on: errorMessage = %q, want %q", got, want)
	}
}

// TestCompliantOnlyAtTheSourceRevision: after a push, the source has the new
// revision while a Kustomization is still Ready for the old one (Flux has
// not applied it yet, its generation did not move). The FluxConfig is not
// Compliant at the new revision until every Kustomization applied it.
func TestCompliantOnlyAtTheSourceRevision(t *testing.T) {
	const newRevision = "main@sha1:fedcba9876543210fedcba9876543210fedcba98"
	r := compliantReport()
	r.Objects[0].Revision = newRevision
	st := Compute(v1alpha1.FluxConfigStatus{}, r, t1)
	if st.ComplianceState != v1alpha1.CompliancePending {
		t.Fatalf("complianceState %s with the Kustomization at %s and the source at %s, want Pending", st.ComplianceState, revision, newRevision)
	}
	ready := apimeta.FindStatusCondition(st.Conditions, meta.ReadyCondition)
	if want := "Kustomization team-a/cfg-apps has not applied revision " + newRevision + " yet"; ready == nil || !strings.Contains(ready.Message, want) {
		t.Errorf("Ready message %v, want it to contain %q", ready, want)
	}
	if e := st.Statuses[1]; e.ComplianceState != v1alpha1.CompliancePending {
		t.Errorf("statuses[] entry of the Kustomization: %s, want Pending", e.ComplianceState)
	}

	r.Objects[1].Revision = newRevision
	if st := Compute(v1alpha1.FluxConfigStatus{}, r, t1); st.ComplianceState != v1alpha1.ComplianceCompliant {
		t.Errorf("once applied: %s, want Compliant", st.ComplianceState)
	}
	applied := compliantReport()
	applied.Objects = append(applied.Objects, Object{Kind: "HelmRelease", Namespace: "apps", Name: "web", Found: true,
		Generation: 1, ObservedGeneration: 1, Conditions: []metav1.Condition{readyTrue()},
		AppliedBy: &v1alpha1.ObjectReferenceDefinition{Name: "cfg-apps", Namespace: "team-a"}, Revision: "6.5.0"})
	if st := Compute(v1alpha1.FluxConfigStatus{}, applied, t1); st.ComplianceState != v1alpha1.ComplianceCompliant {
		t.Errorf("an applied object's own revision is not the source's: %s, want Compliant", st.ComplianceState)
	}
}

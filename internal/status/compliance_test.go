package status

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

func cond(t string, s metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: t, Status: s, Reason: reason, Message: msg, LastTransitionTime: t0}
}

func readyTrue() metav1.Condition {
	return cond(meta.ReadyCondition, metav1.ConditionTrue, "ReconciliationSucceeded", "Applied revision: main@sha1:0123")
}

// found is an existing object at generation 2 that its controller has seen.
func found(conds ...metav1.Condition) Object {
	return Object{Kind: "Kustomization", Namespace: "team-a", Name: "cfg-apps", Found: true,
		Generation: 2, ObservedGeneration: 2, Conditions: conds}
}

func TestCompliance(t *testing.T) {
	tests := []struct {
		name string
		obj  Object
		want string
	}{
		{name: "not found", obj: Missing("Kustomization", "team-a", "cfg-apps"), want: v1alpha1.CompliancePending},
		{name: "suspended", obj: func() Object { o := found(readyTrue()); o.Suspended = true; return o }(),
			want: v1alpha1.ComplianceSuspended},
		{name: "suspended wins over Stalled", obj: func() Object {
			o := found(cond(meta.StalledCondition, metav1.ConditionTrue, "BuildFailed", ""))
			o.Suspended = true
			return o
		}(), want: v1alpha1.ComplianceSuspended},
		{name: "Stalled=True", obj: found(cond(meta.StalledCondition, metav1.ConditionTrue, "InvalidPath", "path not found"),
			cond(meta.ReadyCondition, metav1.ConditionFalse, "InvalidPath", "path not found")), want: v1alpha1.ComplianceNonCompliant},
		{name: "Stalled=True even at an old generation", obj: func() Object {
			o := found(cond(meta.StalledCondition, metav1.ConditionTrue, "InvalidPath", ""))
			o.Generation = 3
			return o
		}(), want: v1alpha1.ComplianceNonCompliant},
		{name: "Stalled=False does not count", obj: found(cond(meta.StalledCondition, metav1.ConditionFalse, "", ""), readyTrue()),
			want: v1alpha1.ComplianceCompliant},
		{name: "observedGeneration behind generation", obj: func() Object {
			o := found(readyTrue())
			o.Generation = 3
			return o
		}(), want: v1alpha1.CompliancePending},
		{name: "a failure of the current generation before observedGeneration catches up (Flux retrying)", obj: func() Object {
			ready := cond(meta.ReadyCondition, metav1.ConditionFalse, "GitOperationFailed", "authentication required")
			ready.ObservedGeneration = 1
			o := found(ready, cond(meta.ReconcilingCondition, metav1.ConditionTrue, "ProgressingWithRetry", "building artifact"))
			o.Generation, o.ObservedGeneration = 1, 0
			return o
		}(), want: v1alpha1.ComplianceNonCompliant},
		{name: "a failure of an older generation while the new one is not seen yet", obj: func() Object {
			ready := cond(meta.ReadyCondition, metav1.ConditionFalse, "GitOperationFailed", "authentication required")
			ready.ObservedGeneration = 1
			o := found(ready)
			o.Generation, o.ObservedGeneration = 2, 1
			return o
		}(), want: v1alpha1.CompliancePending},
		{name: "waiting on a dependency at the current generation stays Pending", obj: func() Object {
			ready := cond(meta.ReadyCondition, metav1.ConditionFalse, "DependencyNotReady", "dependency 'team-a/cfg-infra' is not ready")
			ready.ObservedGeneration = 1
			o := found(ready)
			o.Generation, o.ObservedGeneration = 1, 0
			return o
		}(), want: v1alpha1.CompliancePending},
		{name: "Ready=True at the current generation", obj: found(readyTrue()), want: v1alpha1.ComplianceCompliant},
		{name: "Ready=True with Reconciling=True", obj: found(readyTrue(),
			cond(meta.ReconcilingCondition, metav1.ConditionTrue, "Progressing", "reconciling")), want: v1alpha1.CompliancePending},
		{name: "Ready=True with Reconciling=False", obj: found(readyTrue(),
			cond(meta.ReconcilingCondition, metav1.ConditionFalse, "", "")), want: v1alpha1.ComplianceCompliant},
		{name: "Ready=False DependencyNotReady", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "DependencyNotReady",
			"dependency 'team-a/cfg-infra' is not ready")), want: v1alpha1.CompliancePending},
		{name: "Ready=False ArtifactFailed", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "ArtifactFailed",
			"Source artifact not found")), want: v1alpha1.CompliancePending},
		{name: "Ready=False ArtifactFailed, the path is not in the artifact", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "ArtifactFailed",
			"kustomization path not found: stat /tmp/kustomization-1/does-not-exist: no such file or directory")), want: v1alpha1.ComplianceNonCompliant},
		{name: "Ready=False ArtifactFailed, a HelmRelease's chart does not load", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "ArtifactFailed",
			"Could not load chart: no Chart.yaml")), want: v1alpha1.ComplianceNonCompliant},
		{name: "Ready=False ArtifactFailed, the source's artifact is not there yet", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "ArtifactFailed",
			"Source is not ready, artifact not found, retrying in 30s")), want: v1alpha1.CompliancePending},
		{name: "Ready=False SourceNotReady: a HelmRelease waits for its HelmChart", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "SourceNotReady",
			"HelmChart 'team-a/team-a-podinfo' is not ready")), want: v1alpha1.CompliancePending},
		{name: "Ready=False for another reason", obj: found(cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed",
			"kustomize build failed")), want: v1alpha1.ComplianceNonCompliant},
		{name: "Ready=Unknown", obj: found(cond(meta.ReadyCondition, metav1.ConditionUnknown, "Progressing", "reconciliation in progress")),
			want: v1alpha1.CompliancePending},
		{name: "only Reconciling=True", obj: found(cond(meta.ReconcilingCondition, metav1.ConditionTrue, "Progressing", "")),
			want: v1alpha1.CompliancePending},
		{name: "no conditions at the current generation", obj: found(), want: v1alpha1.ComplianceUnknown},
		{name: "no generation (kinds without one) and Ready=True", obj: Object{Kind: "X", Found: true,
			Conditions: []metav1.Condition{readyTrue()}}, want: v1alpha1.ComplianceCompliant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Compliance(tc.obj); got != tc.want {
				t.Errorf("Compliance = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAggregate(t *testing.T) {
	const (
		c  = v1alpha1.ComplianceCompliant
		nc = v1alpha1.ComplianceNonCompliant
		p  = v1alpha1.CompliancePending
		s  = v1alpha1.ComplianceSuspended
		u  = v1alpha1.ComplianceUnknown
	)
	tests := []struct {
		name      string
		suspended bool
		states    []string
		want      string
	}{
		{name: "suspended FluxConfig wins over Non-Compliant", suspended: true, states: []string{nc, p, c}, want: s},
		{name: "suspended with no objects", suspended: true, states: nil, want: s},
		{name: "any Non-Compliant", states: []string{c, p, nc, u}, want: nc},
		{name: "else any Pending", states: []string{c, p, u}, want: p},
		{name: "all Compliant", states: []string{c, c, c}, want: c},
		{name: "one Compliant", states: []string{c}, want: c},
		{name: "empty", states: nil, want: u},
		{name: "Compliant and Unknown", states: []string{c, u}, want: u},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Aggregate(tc.suspended, tc.states); got != tc.want {
				t.Errorf("Aggregate(%v, %q) = %q, want %q", tc.suspended, tc.states, got, tc.want)
			}
		})
	}
}

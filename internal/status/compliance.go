package status

import (
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// SourceNotReadyReason is the reason of a HelmRelease waiting for its HelmChart. The
// helm-controller API module does not export it.
const SourceNotReadyReason = "SourceNotReady"

// waiting: Ready=False only because the object waits on something else
// that reports its own state.
func waiting(c *metav1.Condition) bool {
	switch c.Reason {
	case meta.DependencyNotReadyReason, SourceNotReadyReason:
		return true
	case helmv2.ArtifactFailedReason:
		// kustomize-controller uses the same reason both while the source
		// has no artifact yet ("Source artifact not found", the source
		// reports its own failure) and when the path is not in the artifact
		// (a failure of its own).
		return strings.HasPrefix(c.Message, "Source ")
	}
	return false
}

// Compliance judges one object, following kstatus and Flux's conditions:
//   - Pending: not found, its controller has not seen the current generation,
//     Reconciling, or Ready=False only because it waits on a dependency;
//   - Suspended: spec.suspend is true;
//   - Non-Compliant: Stalled, or Ready=False for any other reason (also
//     before status.observedGeneration catches up, when the Ready
//     condition is about the current generation: Flux retrying a failure);
//   - Compliant: Ready=True at the current generation, and for a generated
//     Kustomization, the source's revision applied (AwaitedRevision empty);
//   - Unknown: no Ready condition to judge by.
func Compliance(o Object) string {
	if !o.Found {
		return v1alpha1.CompliancePending
	}
	if o.Suspended {
		return v1alpha1.ComplianceSuspended
	}
	if isTrue(o.Conditions, meta.StalledCondition) {
		return v1alpha1.ComplianceNonCompliant
	}
	if failingNow(o) {
		return v1alpha1.ComplianceNonCompliant
	}
	if o.Generation > 0 && o.ObservedGeneration < o.Generation {
		return v1alpha1.CompliancePending
	}
	ready := apimeta.FindStatusCondition(o.Conditions, meta.ReadyCondition)
	switch {
	case ready == nil:
		if isTrue(o.Conditions, meta.ReconcilingCondition) {
			return v1alpha1.CompliancePending
		}
		return v1alpha1.ComplianceUnknown
	case ready.Status == metav1.ConditionFalse:
		if waiting(ready) {
			return v1alpha1.CompliancePending
		}
		return v1alpha1.ComplianceNonCompliant
	case ready.Status == metav1.ConditionTrue && !isTrue(o.Conditions, meta.ReconcilingCondition) && o.AwaitedRevision == "":
		return v1alpha1.ComplianceCompliant
	}
	return v1alpha1.CompliancePending
}

// Aggregate sums up the objects: Suspended when the FluxConfig is suspended;
// else Non-Compliant if any object is; else Pending if any is; else Compliant
// when every object is; else Unknown.
func Aggregate(suspended bool, states []string) string {
	if suspended {
		return v1alpha1.ComplianceSuspended
	}
	count := map[string]int{}
	for _, s := range states {
		count[s]++
	}
	switch {
	case count[v1alpha1.ComplianceNonCompliant] > 0:
		return v1alpha1.ComplianceNonCompliant
	case count[v1alpha1.CompliancePending] > 0:
		return v1alpha1.CompliancePending
	case len(states) > 0 && count[v1alpha1.ComplianceCompliant] == len(states):
		return v1alpha1.ComplianceCompliant
	}
	return v1alpha1.ComplianceUnknown
}

// failingNow: Ready=False, not because it waits on something else, for the
// current generation. Flux moves status.observedGeneration only once a
// reconcile ends without a retry, so a source that keeps failing (a wrong
// password) never gets there; its Ready condition carries the generation.
func failingNow(o Object) bool {
	ready := apimeta.FindStatusCondition(o.Conditions, meta.ReadyCondition)
	return ready != nil && ready.Status == metav1.ConditionFalse && !waiting(ready) &&
		o.Generation > 0 && ready.ObservedGeneration == o.Generation
}

func isTrue(conds []metav1.Condition, t string) bool {
	return apimeta.IsStatusConditionTrue(conds, t)
}

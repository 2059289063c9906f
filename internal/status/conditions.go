package status

import (
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Reasons of the FluxConfig's own conditions that Flux's meta package does
// not define. Failure reasons are also event reasons and the errors metric's
// label.
const (
	// InvalidConfigReason: the spec or its protected parameters are wrong;
	// the FluxConfig is Stalled until they change.
	InvalidConfigReason = "InvalidConfiguration"
	// RejectedReason: the API server refused a generated object (a Flux CRD's
	// schema, an admission policy); Stalled until the spec or the policy
	// changes.
	RejectedReason = "Rejected"
	// ConflictReason: an object the controller did not create has a child's
	// name.
	ConflictReason = "Conflict"
	// FluxAPIMissingReason: a Flux CRD the FluxConfig needs is not installed.
	FluxAPIMissingReason = "FluxAPIMissing"
	// ForbiddenReason: the API server denied one of the controller's
	// requests (RBAC or an admission policy); retried with backoff.
	ForbiddenReason = "Forbidden"
	// ReconciliationFailedReason: any other error (API server, network);
	// retried with backoff.
	ReconciliationFailedReason = "ReconciliationFailed"
	// NonCompliantReason: a Flux object failed without a reason of its own.
	NonCompliantReason = "NonCompliant"
	// DeletingReason: the FluxConfig is being deleted.
	DeletingReason = "Deleting"
)

// phase is the pure classification of a pass, from which every condition
// follows.
type phase int

const (
	phaseProgressing phase = iota // Pending or Unknown: converging
	phaseDeleting
	phaseStalled             // a failure of the pass that no retry helps
	phaseFailed              // a failure of the pass, retried
	phaseSuspended           // spec.suspend
	phaseCompliant           // every Flux object is Ready
	phaseNonCompliant        // Flux reports a failure and retries it
	phaseNonCompliantStalled // a Flux object is stalled
)

// verdict is a phase with the reason and message its conditions carry.
type verdict struct {
	phase   phase
	reason  string
	message string
}

// judge classifies a pass. compliance is the aggregate already computed;
// blame is the object to name when not everything is compliant. A failure
// of the pass comes first, also while deleting: the status shows what went
// wrong, not what was hoped for.
func judge(compliance, revision string, r Report, blame *Object) verdict {
	switch {
	case r.Failure != nil && r.Failure.Stalled:
		return verdict{phaseStalled, r.Failure.Reason, r.Failure.Message}
	case r.Failure != nil:
		return verdict{phaseFailed, r.Failure.Reason, r.Failure.Message}
	case r.Deleting:
		return verdict{phaseDeleting, DeletingReason, r.DeletingMessage}
	case compliance == v1alpha1.ComplianceSuspended:
		return verdict{phaseSuspended, meta.SuspendedReason, "reconciliation is suspended (spec.suspend: true)"}
	case compliance == v1alpha1.ComplianceCompliant:
		msg := fmt.Sprintf("all %d Flux objects are compliant", len(r.Objects))
		if revision != "" {
			msg += " at revision " + revision
		}
		return verdict{phaseCompliant, meta.SucceededReason, msg}
	case compliance == v1alpha1.ComplianceNonCompliant && blame != nil:
		reason := NonCompliantReason
		if c := apimeta.FindStatusCondition(blame.Conditions, meta.ReadyCondition); c != nil && c.Reason != "" {
			reason = c.Reason
		}
		p := phaseNonCompliant
		if apimeta.IsStatusConditionTrue(blame.Conditions, meta.StalledCondition) {
			p = phaseNonCompliantStalled
		}
		return verdict{p, reason, describe(blame)}
	}
	msg := "waiting for the Flux objects to be created"
	if blame != nil {
		msg = "waiting for " + describe(blame)
	}
	return verdict{phaseProgressing, meta.ProgressingReason, msg}
}

// setReady: True only when compliant; Unknown while converging or
// deleting; False otherwise.
func setReady(conds *[]metav1.Condition, v verdict, generation int64, now metav1.Time) {
	switch v.phase {
	case phaseCompliant:
		set(conds, meta.ReadyCondition, metav1.ConditionTrue, v, generation, now)
	case phaseProgressing, phaseDeleting:
		set(conds, meta.ReadyCondition, metav1.ConditionUnknown, v, generation, now)
	default:
		set(conds, meta.ReadyCondition, metav1.ConditionFalse, v, generation, now)
	}
}

// setReconciling: True while something is still moving, retries included.
// kstatus (a parent Kustomization's health check) reads Reconciling=True as
// InProgress, where a bare Ready=False would count as Current.
func setReconciling(conds *[]metav1.Condition, v verdict, generation int64, now metav1.Time) {
	switch v.phase {
	case phaseProgressing, phaseDeleting:
		set(conds, meta.ReconcilingCondition, metav1.ConditionTrue, v, generation, now)
	case phaseFailed, phaseNonCompliant:
		retry := verdict{v.phase, meta.ProgressingWithRetryReason, v.message}
		set(conds, meta.ReconcilingCondition, metav1.ConditionTrue, retry, generation, now)
	default:
		apimeta.RemoveStatusCondition(conds, meta.ReconcilingCondition)
	}
}

// setStalled: True when nothing moves until the spec changes, the
// FluxConfig's own failure or a stalled Flux object.
func setStalled(conds *[]metav1.Condition, v verdict, generation int64, now metav1.Time) {
	switch v.phase {
	case phaseStalled, phaseNonCompliantStalled:
		set(conds, meta.StalledCondition, metav1.ConditionTrue, v, generation, now)
	default:
		apimeta.RemoveStatusCondition(conds, meta.StalledCondition)
	}
}

// set sets one condition. apimachinery's SetStatusCondition keeps the
// transition time when the status does not change; now comes from the
// caller, so Compute stays pure (Flux's conditions.Set reads the clock).
func set(conds *[]metav1.Condition, t string, s metav1.ConditionStatus, v verdict, generation int64, now metav1.Time) {
	apimeta.SetStatusCondition(conds, metav1.Condition{
		Type: t, Status: s, Reason: v.reason, Message: truncate(v.message),
		ObservedGeneration: generation, LastTransitionTime: now,
	})
}

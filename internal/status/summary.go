package status

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Limits that keep the status small whatever the repository holds.
const (
	MaxStatuses      = 100
	MaxMessageLength = 1024
)

// Reasons the FluxConfig's own conditions use.
const (
	SucceededReason            = "Succeeded"
	ProgressingReason          = "Progressing"
	ProgressingWithRetryReason = "ProgressingWithRetry"
	InvalidConfigReason        = "InvalidConfiguration"
	ReconciliationFailedReason = "ReconciliationFailed"
	NonCompliantReason         = "NonCompliant"
	SuspendedReason            = "Suspended"
	DeletingReason             = "Deleting"
)

// StalledError marks an error no retry can fix until the spec (or a Secret
// it names) changes: the FluxConfig goes Stalled.
type StalledError struct{ Err error }

func (e *StalledError) Error() string { return e.Err.Error() }
func (e *StalledError) Unwrap() error { return e.Err }

// Report is what one reconcile pass observed and did.
type Report struct {
	Generation int64
	Suspended  bool
	SourceURL  string
	// Objects: the source first, then the generated Kustomizations, then
	// the Flux objects in their inventories.
	Objects []Object
	// Err is the error of the pass, if any; a *StalledError stalls.
	Err error
	// Deleting is set while the FluxConfig is being deleted, with what the
	// deletion waits on.
	Deleting        bool
	DeletingMessage string
	// PublicKey is the generated SSH public key, if any.
	PublicKey string
}

// Compute returns the FluxConfig status for a pass. prev is the stored
// status: its condition transition times and statusUpdatedAt are kept when
// nothing changed, so an unchanged world computes an identical status.
func Compute(prev v1alpha1.FluxConfigStatus, r Report, now metav1.Time) v1alpha1.FluxConfigStatus {
	next := v1alpha1.FluxConfigStatus{
		ObservedGeneration:  prev.ObservedGeneration,
		Conditions:          append([]metav1.Condition(nil), prev.Conditions...),
		SourceURL:           r.SourceURL,
		RepositoryPublicKey: r.PublicKey,
		StatusUpdatedAt:     prev.StatusUpdatedAt,
	}
	states := make([]string, 0, len(r.Objects))
	for i, o := range r.Objects {
		c := Compliance(o)
		states = append(states, c)
		if i < MaxStatuses {
			next.Statuses = append(next.Statuses, entry(o, c))
		}
	}
	if len(r.Objects) > 0 && r.Objects[0].Revision != "" {
		next.SourceSyncedCommitID = r.Objects[0].Revision
		next.SourceUpdatedAt = r.Objects[0].RevisionTime
	}
	next.ComplianceState = Aggregate(r.Suspended, states)

	var stalled *StalledError
	isStalled := errors.As(r.Err, &stalled)
	switch {
	case r.Deleting:
		next.ProvisioningState = v1alpha1.ProvisioningDeleting
	case r.Err != nil:
		next.ProvisioningState = v1alpha1.ProvisioningFailed
	default:
		next.ProvisioningState = v1alpha1.ProvisioningSucceeded
	}
	if r.Err == nil || isStalled {
		next.ObservedGeneration = r.Generation
	}
	if isStalled && !r.Suspended {
		next.ComplianceState = v1alpha1.ComplianceNonCompliant
	}
	next.ErrorMessage = errorMessage(r, r.Objects, states)
	setConditions(&next, r, isStalled, firstNotCompliant(r.Objects, states), now)

	if next.StatusUpdatedAt == nil || !sameStatus(prev, next) {
		next.StatusUpdatedAt = &now
	}
	return next
}

// sameStatus compares two statuses, ignoring statusUpdatedAt.
func sameStatus(a, b v1alpha1.FluxConfigStatus) bool {
	a.StatusUpdatedAt, b.StatusUpdatedAt = nil, nil
	return equality.Semantic.DeepEqual(a, b)
}

func entry(o Object, compliance string) v1alpha1.ObjectStatusDefinition {
	e := v1alpha1.ObjectStatusDefinition{
		Name:                  o.Name,
		Namespace:             o.Namespace,
		Kind:                  o.Kind,
		ComplianceState:       compliance,
		AppliedBy:             o.AppliedBy,
		HelmReleaseProperties: o.HelmRelease,
	}
	for _, t := range []string{ReadyCondition, ReconcilingCondition, StalledCondition} {
		if c := meta.FindStatusCondition(o.Conditions, t); c != nil {
			ltt := c.LastTransitionTime
			e.StatusConditions = append(e.StatusConditions, v1alpha1.ObjectStatusConditionDefinition{
				Type: c.Type, Status: string(c.Status), Reason: c.Reason,
				Message: truncate(c.Message), LastTransitionTime: &ltt,
			})
		}
	}
	return e
}

// firstNotCompliant returns the object to blame: the first Non-Compliant,
// else the first Pending or Unknown one, else nil.
func firstNotCompliant(objs []Object, states []string) *Object {
	for _, want := range []string{v1alpha1.ComplianceNonCompliant, v1alpha1.CompliancePending, v1alpha1.ComplianceUnknown} {
		for i, s := range states {
			if s == want {
				return &objs[i]
			}
		}
	}
	return nil
}

// describe says in words where an object stands, with Flux's own message.
func describe(o *Object) string {
	if !o.Found {
		return fmt.Sprintf("%s does not exist yet", o.Ref())
	}
	if o.ObservedGeneration == 0 && len(o.Conditions) == 0 {
		return fmt.Sprintf("%s has not been reconciled yet: is its Flux controller running?", o.Ref())
	}
	if o.Generation > 0 && o.ObservedGeneration < o.Generation && !failingNow(*o) {
		return fmt.Sprintf("%s: waiting for its controller to reconcile generation %d", o.Ref(), o.Generation)
	}
	for _, t := range []string{StalledCondition, ReadyCondition, ReconcilingCondition} {
		if c := meta.FindStatusCondition(o.Conditions, t); c != nil && c.Message != "" {
			return fmt.Sprintf("%s: %s", o.Ref(), c.Message)
		}
	}
	return fmt.Sprintf("%s has no status yet: is its Flux controller running?", o.Ref())
}

func errorMessage(r Report, objs []Object, states []string) string {
	if r.Err != nil {
		return truncate(r.Err.Error())
	}
	for i, s := range states {
		if s == v1alpha1.ComplianceNonCompliant {
			return truncate(describe(&objs[i]))
		}
	}
	return ""
}

func setConditions(st *v1alpha1.FluxConfigStatus, r Report, stalled bool, blame *Object, now metav1.Time) {
	set := func(t string, s metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{
			Type: t, Status: s, Reason: reason, Message: truncate(msg),
			ObservedGeneration: r.Generation, LastTransitionTime: now,
		})
	}
	drop := func(types ...string) {
		for _, t := range types {
			meta.RemoveStatusCondition(&st.Conditions, t)
		}
	}
	switch {
	case r.Deleting:
		set(ReadyCondition, metav1.ConditionUnknown, DeletingReason, r.DeletingMessage)
		set(ReconcilingCondition, metav1.ConditionTrue, DeletingReason, r.DeletingMessage)
		drop(StalledCondition)
	case stalled:
		set(ReadyCondition, metav1.ConditionFalse, InvalidConfigReason, r.Err.Error())
		set(StalledCondition, metav1.ConditionTrue, InvalidConfigReason, r.Err.Error())
		drop(ReconcilingCondition)
	case r.Err != nil:
		set(ReadyCondition, metav1.ConditionFalse, ReconciliationFailedReason, r.Err.Error())
		set(ReconcilingCondition, metav1.ConditionTrue, ProgressingWithRetryReason, r.Err.Error())
		drop(StalledCondition)
	case st.ComplianceState == v1alpha1.ComplianceSuspended:
		set(ReadyCondition, metav1.ConditionFalse, SuspendedReason, "reconciliation is suspended (spec.suspend: true)")
		drop(ReconcilingCondition, StalledCondition)
	case st.ComplianceState == v1alpha1.ComplianceCompliant:
		msg := fmt.Sprintf("all %d Flux objects are compliant", len(r.Objects))
		if st.SourceSyncedCommitID != "" {
			msg += " at revision " + st.SourceSyncedCommitID
		}
		set(ReadyCondition, metav1.ConditionTrue, SucceededReason, msg)
		drop(ReconcilingCondition, StalledCondition)
	case st.ComplianceState == v1alpha1.ComplianceNonCompliant:
		reason := NonCompliantReason
		if c := meta.FindStatusCondition(blame.Conditions, ReadyCondition); c != nil && c.Reason != "" {
			reason = c.Reason
		}
		set(ReadyCondition, metav1.ConditionFalse, reason, describe(blame))
		// Flux retries a failing object, so this is progress with retries,
		// not an end state: kstatus (a parent Kustomization's health check)
		// reads Reconciling=True as InProgress, where a bare Ready=False
		// would count as Current.
		// A stalled object is not retried until its spec changes: the
		// FluxConfig is stalled as well.
		if blame != nil && meta.IsStatusConditionTrue(blame.Conditions, StalledCondition) {
			set(StalledCondition, metav1.ConditionTrue, reason, describe(blame))
			drop(ReconcilingCondition)
		} else {
			set(ReconcilingCondition, metav1.ConditionTrue, ProgressingWithRetryReason, describe(blame))
			drop(StalledCondition)
		}
	default: // Pending or Unknown: still converging.
		msg := "waiting for the Flux objects to be created"
		if blame != nil {
			msg = "waiting for " + describe(blame)
		}
		set(ReadyCondition, metav1.ConditionUnknown, ProgressingReason, msg)
		set(ReconcilingCondition, metav1.ConditionTrue, ProgressingReason, msg)
		drop(StalledCondition)
	}
}

// truncate shortens s to at most MaxMessageLength bytes, ending in "...",
// without cutting a UTF-8 character in half.
func truncate(s string) string {
	if len(s) <= MaxMessageLength {
		return s
	}
	cut := MaxMessageLength - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

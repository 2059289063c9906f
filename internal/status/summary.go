package status

import (
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Limits that keep the status small whatever the repository holds.
const (
	MaxStatuses      = 100
	MaxMessageLength = 1024
)

// Failure is how a pass failed, as the controller classified its error: the
// one classification that the conditions, the events, the metrics and the
// pass's result share.
type Failure struct {
	// Reason is the reason of the Ready condition (and of Stalled), the
	// event reason and the errors metric's label.
	Reason string
	// Message says what failed and how to fix it. It never holds a secret.
	Message string
	// Stalled: no retry can help until the spec, or something it names,
	// changes.
	Stalled bool
}

// Report is what one reconcile pass observed and did.
type Report struct {
	Generation int64
	Suspended  bool
	SourceURL  string
	// Objects: the source first, then the generated Kustomizations, then
	// the Flux objects in their inventories.
	Objects []Object
	// Failure is how the pass failed; nil when it did not.
	Failure *Failure
	// Deleting is set while the FluxConfig is being deleted, with what the
	// deletion waits on.
	Deleting        bool
	DeletingMessage string
	// PublicKey is the generated SSH public key to publish, if any.
	PublicKey string
	// ReconcileRequest is the value of the FluxConfig's
	// reconcile.fluxcd.io/requestedAt annotation this pass handled.
	ReconcileRequest string
}

// Compute returns the FluxConfig status for a pass. prev is the stored
// status: its condition transition times and statusUpdatedAt are kept when
// nothing changed, so an unchanged world computes an identical status.
func Compute(prev v1alpha1.FluxConfigStatus, r Report, now metav1.Time) v1alpha1.FluxConfigStatus {
	next := v1alpha1.FluxConfigStatus{
		ObservedGeneration:     prev.ObservedGeneration,
		Conditions:             append([]metav1.Condition(nil), prev.Conditions...),
		SourceURL:              r.SourceURL,
		RepositoryPublicKey:    r.PublicKey,
		StatusUpdatedAt:        prev.StatusUpdatedAt,
		ReconcileRequestStatus: prev.ReconcileRequestStatus,
	}
	if r.ReconcileRequest != "" {
		next.LastHandledReconcileAt = r.ReconcileRequest
	}
	r.Objects = awaitSourceRevision(r.Objects)
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
	next.ProvisioningState = provisioning(r)
	if r.Failure == nil || r.Failure.Stalled {
		next.ObservedGeneration = r.Generation
	}
	if r.Failure != nil && r.Failure.Stalled && !r.Suspended {
		next.ComplianceState = v1alpha1.ComplianceNonCompliant
	}
	next.ErrorMessage = errorMessage(r, states)

	v := judge(next.ComplianceState, next.SourceSyncedCommitID, r, firstNotCompliant(r.Objects, states))
	setReady(&next.Conditions, v, r.Generation, now)
	setReconciling(&next.Conditions, v, r.Generation, now)
	setStalled(&next.Conditions, v, r.Generation, now)

	if next.StatusUpdatedAt == nil || !sameStatus(prev, next) {
		next.StatusUpdatedAt = &now
	}
	return next
}

// awaitSourceRevision marks the generated Kustomizations (those after the
// source that no Kustomization applied) that have not applied the source's
// revision yet: after a push the source is Ready at the new revision while
// a Kustomization is still Ready for the one before, its generation
// unchanged. Objects is copied, not changed.
func awaitSourceRevision(objs []Object) []Object {
	if len(objs) == 0 || objs[0].Revision == "" {
		return objs
	}
	out := append([]Object(nil), objs...)
	for i := 1; i < len(out) && out[i].AppliedBy == nil; i++ {
		if out[i].Kind == "Kustomization" && out[i].Found && out[i].Revision != out[0].Revision {
			out[i].AwaitedRevision = out[0].Revision
		}
	}
	return out
}

// provisioning says whether the generated objects were applied.
func provisioning(r Report) string {
	switch {
	case r.Failure != nil:
		return v1alpha1.ProvisioningFailed
	case r.Deleting:
		return v1alpha1.ProvisioningDeleting
	}
	return v1alpha1.ProvisioningSucceeded
}

// sameStatus compares two statuses, ignoring statusUpdatedAt.
func sameStatus(a, b v1alpha1.FluxConfigStatus) bool {
	a.StatusUpdatedAt, b.StatusUpdatedAt = nil, nil
	return equality.Semantic.DeepEqual(a, b)
}

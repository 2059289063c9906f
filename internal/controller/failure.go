package controller

import (
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// retry says when a failed pass runs again.
type retry int

const (
	// retryBackoff returns the error: controller-runtime retries with
	// exponential backoff.
	retryBackoff retry = iota
	// retrySoon looks again after --requeue-dependency: something outside
	// the controller's watches may change (a foreign object, a CRD).
	retrySoon
	// retryResync looks again after --resync-interval: stalled, but what
	// could fix it (an admission policy) is not watched.
	retryResync
	// retryNever waits for a change of the FluxConfig or of what it names.
	retryNever
)

// classification is how the controller treats the error of a pass. It is
// made once, by classify, and the status, the pass's result, the event and
// the errors metric all read it.
type classification struct {
	failure status.Failure
	retry   retry
}

// classify sorts an error into the failure the status shows and how the
// pass is retried. A configuration error waits for a change: of the
// FluxConfig, or of the protected parameters Secret it names (watched too,
// see secretWatch), also when that Secret is created.
func classify(err error) classification {
	var (
		cfg      *builder.ConfigError
		conflict *apply.ConflictError
		rejected *apply.RejectedError
		missing  *MissingAPIError
	)
	msg := err.Error()
	switch {
	case errors.As(err, &cfg):
		return classification{status.Failure{Reason: status.InvalidConfigReason, Message: cfg.Error(), Stalled: true}, retryNever}
	case errors.As(err, &rejected):
		return classification{status.Failure{Reason: status.RejectedReason, Message: rejected.Error(), Stalled: true}, retryResync}
	case errors.As(err, &conflict):
		return classification{status.Failure{Reason: status.ConflictReason, Message: conflict.Error()}, retrySoon}
	case errors.As(err, &missing):
		return classification{status.Failure{Reason: status.FluxAPIMissingReason, Message: missing.Error()}, retrySoon}
	case apierrors.IsForbidden(err), apierrors.IsInvalid(err):
		// RBAC, or an admission policy or webhook denying a write: what
		// would fix it is not watched, so look again regularly.
		return classification{status.Failure{Reason: status.ForbiddenReason, Message: msg}, retrySoon}
	}
	return classification{status.Failure{Reason: status.ReconciliationFailedReason, Message: msg}, retryBackoff}
}

// result turns the classification into what Reconcile returns.
func (c classification) result(err error, soon, resync time.Duration) (ctrl.Result, error) {
	switch c.retry {
	case retrySoon:
		return ctrl.Result{RequeueAfter: soon}, nil
	case retryResync:
		return ctrl.Result{RequeueAfter: resync}, nil
	case retryNever:
		return ctrl.Result{}, reconcile.TerminalError(err)
	}
	return ctrl.Result{}, err
}

// Package controller reconciles FluxConfigs into Flux objects and their
// aggregated status.
package controller

import (
	"context"
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// FieldManager is the one server-side apply field manager of the controller.
const FieldManager = "fluxconfig-controller"

// FluxConfigReconciler reconciles a FluxConfig.
type FluxConfigReconciler struct {
	client.Client
	// APIReader reads what the cache does not hold: the protected
	// parameters Secret, and absent objects before they are created.
	APIReader client.Reader
	Recorder  events.EventRecorder
	Builder   builder.Options
	// ResyncInterval re-reads everything periodically, so a rotated
	// protected parameters Secret is picked up.
	ResyncInterval time.Duration
	// RetryInterval is how soon a missing CRD, a name conflict or a
	// pending deletion is looked at again.
	RetryInterval time.Duration
	// Name of the controller in logs and metrics; "fluxconfig" when empty.
	Name string
	// Metrics records the FluxConfig metrics once per pass; nil records
	// nothing.
	Metrics *metrics.Recorder

	applier *apply.Applier
	watches *lazyWatches
}

// reconcileScope is what the steps of one pass share.
type reconcileScope struct {
	fc     *v1alpha1.FluxConfig
	prev   v1alpha1.FluxConfigStatus
	report status.Report
	built  *builder.Objects
	// created lists the children this pass created, for one event.
	created []string
	// start is when the pass began, for the duration metric.
	start time.Time
}

// +kubebuilder:rbac:groups=clusterconfig.azure.com,resources=fluxconfigs,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=clusterconfig.azure.com,resources=fluxconfigs/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=clusterconfig.azure.com,resources=fluxconfigs/finalizers,verbs=update
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories;buckets;ocirepositories,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmrepositories;helmcharts,verbs=get;list;watch
// +kubebuilder:rbac:groups=kustomize.toolkit.fluxcd.io,resources=kustomizations,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=helm.toolkit.fluxcd.io,resources=helmreleases,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets;serviceaccounts,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings;clusterrolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind,resourceNames=admin;cluster-admin
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile moves one FluxConfig towards its spec and writes what it saw.
func (r *FluxConfigReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	fc := &v1alpha1.FluxConfig{}
	if err := r.Get(ctx, req.NamespacedName, fc); err != nil {
		if apierrors.IsNotFound(err) {
			r.Metrics.Forget(req.NamespacedName) // deleted, or no longer in this shard
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &reconcileScope{fc: fc, prev: *fc.Status.DeepCopy(), start: time.Now(), report: status.Report{
		Generation: fc.Generation,
		Suspended:  fc.Spec.Suspend,
		SourceURL:  builder.SourceURL(fc),
	}}
	defer func() {
		if err := r.finish(ctx, s); err != nil {
			retErr = kerrors.NewAggregate([]error{retErr, err})
		}
	}()

	if !fc.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	if !controllerutil.ContainsFinalizer(fc, v1alpha1.FluxConfigFinalizer) {
		base := fc.DeepCopy()
		controllerutil.AddFinalizer(fc, v1alpha1.FluxConfigFinalizer)
		if err := r.Patch(ctx, fc, client.MergeFrom(base)); err != nil {
			return ctrl.Result{}, err
		}
	}
	if missing := r.watches.ensure(ctx, fc); missing != nil {
		s.report.Err = missing
		return ctrl.Result{RequeueAfter: r.RetryInterval}, nil
	}
	if err := r.build(ctx, s); err != nil {
		return r.fail(s, err)
	}
	if err := r.applyAll(ctx, s); err != nil {
		return r.fail(s, err)
	}
	if err := r.pruneStale(ctx, s.fc, s.built); err != nil {
		return r.fail(s, err)
	}
	if err := r.observe(ctx, s); err != nil {
		return r.fail(s, err)
	}
	return ctrl.Result{RequeueAfter: r.ResyncInterval}, nil
}

// fail records err in the status and chooses how to retry: a configuration
// error stalls (only a spec change wakes it, or a retry when the protected
// parameters Secret may be the thing to fix), a name conflict is looked at
// again later, anything else is retried with backoff.
func (r *FluxConfigReconciler) fail(s *reconcileScope, err error) (ctrl.Result, error) {
	var cfg *builder.ConfigError
	var conflict *apply.ConflictError
	switch {
	case errors.As(err, &cfg):
		s.report.Err = &status.StalledError{Err: err}
		if s.fc.Spec.ProtectedParametersSecretRef != nil {
			return ctrl.Result{RequeueAfter: r.RetryInterval}, nil
		}
		return ctrl.Result{}, reconcile.TerminalError(err)
	case errors.As(err, &conflict):
		s.report.Err = err
		return ctrl.Result{RequeueAfter: r.RetryInterval}, nil
	}
	s.report.Err = err
	return ctrl.Result{}, err
}

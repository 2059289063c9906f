// Package controller reconciles FluxConfigs into Flux objects and their
// aggregated status.
package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/jitter"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

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
	written *written
}

// forget drops what the controller holds about a FluxConfig that was
// deleted or left this shard.
func (r *FluxConfigReconciler) forget(key client.ObjectKey) {
	r.Metrics.Forget(key)
	r.written.forget(key)
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

func newScope(fc *v1alpha1.FluxConfig) *reconcileScope {
	requested, _ := meta.ReconcileAnnotationValue(fc.GetAnnotations())
	return &reconcileScope{fc: fc, prev: *fc.Status.DeepCopy(), start: time.Now(), report: status.Report{
		Generation:       fc.Generation,
		Suspended:        fc.Spec.Suspend,
		SourceURL:        builder.SourceURL(fc),
		ReconcileRequest: requested,
		// The published key stays until a pass knows better: it is still
		// the key in the auth Secret.
		PublicKey: fc.Status.RepositoryPublicKey,
	}}
}

// +kubebuilder:rbac:groups=clusterconfig.azure.com,resources=fluxconfigs,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=clusterconfig.azure.com,resources=fluxconfigs/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=clusterconfig.azure.com,resources=fluxconfigs/finalizers,verbs=update
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories;buckets;ocirepositories,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmrepositories;helmcharts,verbs=get;list;watch
// +kubebuilder:rbac:groups=kustomize.toolkit.fluxcd.io,resources=kustomizations,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=helm.toolkit.fluxcd.io,resources=helmreleases,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets;serviceaccounts;configmaps,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings;clusterrolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind,resourceNames=admin;cluster-admin
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile moves one FluxConfig towards its spec and writes what it saw.
// Every error of the pass reaches the status through finish.
func (r *FluxConfigReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	fc := &v1alpha1.FluxConfig{}
	if err := r.Get(ctx, req.NamespacedName, fc); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName) // deleted, or no longer in this shard
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if r.written.cacheBehind(fc, time.Now()) {
		// Judged from this copy, the pass would not see its own last
		// status write; the cache shows it in a moment.
		return ctrl.Result{RequeueAfter: cacheLagRetry}, nil
	}
	s := newScope(fc)
	defer func() {
		result, retErr = r.finish(ctx, s, result, retErr)
	}()
	if !fc.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}
	return r.reconcileNormal(ctx, s)
}

// reconcileNormal makes sure of the finalizer and the watches, then builds,
// applies, prunes and observes the children.
func (r *FluxConfigReconciler) reconcileNormal(ctx context.Context, s *reconcileScope) (ctrl.Result, error) {
	if err := r.ensureFinalizer(ctx, s.fc); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.watches.ensure(ctx, s.fc); err != nil {
		return ctrl.Result{}, err
	}
	for _, step := range []func(context.Context, *reconcileScope) error{r.build, r.applyAll, r.pruneStale, r.observe} {
		if err := step(ctx, s); err != nil {
			return ctrl.Result{}, err
		}
	}
	return jitter.JitteredRequeueInterval(ctrl.Result{RequeueAfter: r.ResyncInterval}), nil
}

// ensureFinalizer adds the finalizer before anything is created, with a
// metadata-only patch (a full update round trip bumped the generation).
func (r *FluxConfigReconciler) ensureFinalizer(ctx context.Context, fc *v1alpha1.FluxConfig) error {
	if controllerutil.ContainsFinalizer(fc, v1alpha1.FluxConfigFinalizer) {
		return nil
	}
	base := fc.DeepCopy()
	controllerutil.AddFinalizer(fc, v1alpha1.FluxConfigFinalizer)
	if err := r.Patch(ctx, fc, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("adding the finalizer %s: %w", v1alpha1.FluxConfigFinalizer, err)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("added the finalizer", "finalizer", v1alpha1.FluxConfigFinalizer)
	return nil
}

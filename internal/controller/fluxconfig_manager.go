package controller

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/runtime/predicates"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlbuilder "sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// Labels kustomize-controller puts on every object it applies.
const (
	kustomizeNameLabel      = "kustomize.toolkit.fluxcd.io/name"
	kustomizeNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace"
)

// CacheOptions keeps the cache small: Secrets, ServiceAccounts and bindings
// only when the controller made them, and FluxConfigs matching the watch
// label selector (for sharding across replicas).
func CacheOptions(watchSelector labels.Selector) cache.Options {
	managed := labels.SelectorFromSet(labels.Set{v1alpha1.ManagedLabel: "true"})
	opts := cache.Options{ByObject: map[client.Object]cache.ByObject{
		&corev1.Secret{}:             {Label: managed},
		&corev1.ServiceAccount{}:     {Label: managed},
		&rbacv1.RoleBinding{}:        {Label: managed},
		&rbacv1.ClusterRoleBinding{}: {Label: managed},
	}}
	if watchSelector != nil && !watchSelector.Empty() {
		opts.ByObject[&v1alpha1.FluxConfig{}] = cache.ByObject{Label: watchSelector}
	}
	return opts
}

// SetupWithManager registers the controller. Watches on Flux kinds start as
// soon as their CRDs exist, so a cluster without Flux gets a clear status
// instead of a controller that cannot start.
func (r *FluxConfigReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	r.applier = &apply.Applier{Client: r.Client, APIReader: r.APIReader, FieldOwner: FieldManager}
	toOwner := handler.EnqueueRequestsFromMapFunc(r.mapToFluxConfig)
	changed := ctrlbuilder.WithPredicates(childChanged())
	name := r.Name
	if name == "" {
		name = "fluxconfig"
	}
	c, err := ctrl.NewControllerManagedBy(mgr).
		Named(name).
		For(&v1alpha1.FluxConfig{}, ctrlbuilder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		Watches(&corev1.Secret{}, toOwner, changed).
		Watches(&corev1.ServiceAccount{}, toOwner, changed).
		Watches(&rbacv1.RoleBinding{}, toOwner, changed).
		Watches(&rbacv1.ClusterRoleBinding{}, toOwner, changed).
		WithOptions(opts).
		Build(r)
	if err != nil {
		return err
	}
	r.watches = &lazyWatches{
		ctrl: c, cache: mgr.GetCache(), mapper: mgr.GetRESTMapper(), scheme: mgr.GetScheme(),
		handler: toOwner, started: map[schema.GroupKind]bool{}, probed: map[schema.GroupKind]time.Time{},
	}
	return nil
}

// fluxWatchKinds are the Flux kinds the controller watches: its own
// children, and what their Kustomizations apply.
func fluxWatchKinds() []client.Object {
	return []client.Object{
		&sourcev1.GitRepository{}, &sourcev1.Bucket{}, &sourcev1.OCIRepository{},
		&kustomizev1.Kustomization{},
		&helmv2.HelmRelease{}, &sourcev1.HelmChart{}, &sourcev1.HelmRepository{},
	}
}

// lazyWatches starts a watch per Flux kind once its CRD is installed.
type lazyWatches struct {
	mu      sync.Mutex
	ctrl    controller.Controller
	cache   cache.Cache
	mapper  meta.RESTMapper
	scheme  *runtime.Scheme
	handler handler.EventHandler
	started map[schema.GroupKind]bool
	// probed is when a missing kind was last looked up: each miss costs
	// discovery requests, so kinds a FluxConfig does not need (HelmRelease
	// in a cluster without helm-controller) are looked up once a minute.
	probed map[schema.GroupKind]time.Time
}

const optionalProbeInterval = time.Minute

// ensure starts the watches whose CRDs now exist, and returns an error that
// names the CRDs fc needs but the cluster lacks.
func (w *lazyWatches) ensure(ctx context.Context, fc *v1alpha1.FluxConfig) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	needed := map[string]bool{builder.FluxSourceKind(fc): true, kustomizev1.KustomizationKind: true}
	var missing []string
	for _, obj := range fluxWatchKinds() {
		gvk, err := apiutil.GVKForObject(obj, w.scheme)
		if err != nil {
			return err
		}
		gk := gvk.GroupKind()
		if w.started[gk] || (!needed[gvk.Kind] && time.Since(w.probed[gk]) < optionalProbeInterval) {
			continue
		}
		mapping, err := w.mapper.RESTMapping(gk, gvk.Version)
		if meta.IsNoMatchError(err) {
			w.probed[gk] = time.Now()
			if needed[gvk.Kind] {
				missing = append(missing, fmt.Sprintf("%s (%s)", gvk.Kind, gvk.GroupVersion()))
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("looking up the %s API: %w", gvk.Kind, err)
		}
		if err := w.ctrl.Watch(source.Kind(w.cache, obj, w.handler, childChanged())); err != nil {
			return fmt.Errorf("watching %s: %w", mapping.Resource.Resource, err)
		}
		w.started[gk] = true
	}
	if len(missing) > 0 {
		return &MissingAPIError{APIs: missing}
	}
	return nil
}

// MissingAPIError names the Flux APIs a FluxConfig needs that the cluster
// does not serve.
type MissingAPIError struct {
	// APIs are "Kind (group/version)".
	APIs []string
}

func (e *MissingAPIError) Error() string {
	return fmt.Sprintf("the Flux API %s is not installed in this cluster: install Flux (for example `flux install`) and this FluxConfig continues on its own", strings.Join(e.APIs, ", "))
}

// mapToFluxConfig finds the FluxConfig an event concerns: the owner named
// by a child's labels, every FluxConfig of the namespace for the shared
// ServiceAccount, or, for an object a Kustomization applied, the FluxConfig
// that generated that Kustomization.
func (r *FluxConfigReconciler) mapToFluxConfig(ctx context.Context, obj client.Object) []reconcile.Request {
	l := obj.GetLabels()
	if l[v1alpha1.ManagedLabel] == "true" && l[v1alpha1.NameLabel] != "" {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: l[v1alpha1.NamespaceLabel], Name: l[v1alpha1.NameLabel]}}}
	}
	if _, ok := obj.(*corev1.ServiceAccount); ok && l[v1alpha1.ManagedLabel] == "true" {
		var all v1alpha1.FluxConfigList
		if err := r.List(ctx, &all, client.InNamespace(obj.GetNamespace())); err != nil {
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(all.Items))
		for _, fc := range all.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&fc)})
		}
		return reqs
	}
	ksName, ksNamespace := l[kustomizeNameLabel], l[kustomizeNamespaceLabel]
	if ksName == "" {
		return nil
	}
	ks := &kustomizev1.Kustomization{}
	if err := r.Get(ctx, client.ObjectKey{Namespace: ksNamespace, Name: ksName}, ks); err != nil {
		return nil
	}
	kl := ks.GetLabels()
	if kl[v1alpha1.ManagedLabel] != "true" || kl[v1alpha1.NameLabel] == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: kl[v1alpha1.NamespaceLabel], Name: kl[v1alpha1.NameLabel]}}}
}

// childChanged lets an update through only when something the controller
// acts on changed: the spec (generation), labels, owners, and for Flux
// objects their readiness, revision and inventory; for other kinds their
// content. Flux's frequent status bookkeeping does not wake anyone.
func childChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return digest(e.ObjectOld) != digest(e.ObjectNew)
	}}
}

func digest(obj client.Object) [32]byte {
	var parts []any
	switch t := obj.(type) {
	case *sourcev1.GitRepository, *sourcev1.Bucket, *sourcev1.OCIRepository, *sourcev1.HelmChart,
		*sourcev1.HelmRepository, *helmv2.HelmRelease:
		parts = []any{status.FromFlux(obj)}
	case *kustomizev1.Kustomization:
		parts = []any{status.FromFlux(obj), t.Status.Inventory}
	default:
		c := obj.DeepCopyObject().(client.Object)
		c.SetResourceVersion("")
		c.SetManagedFields(nil)
		parts = []any{c}
	}
	parts = append(parts, obj.GetGeneration(), obj.GetLabels(), obj.GetOwnerReferences(), obj.GetDeletionTimestamp())
	b, _ := json.Marshal(parts) // API objects always marshal
	return sha256.Sum256(b)
}

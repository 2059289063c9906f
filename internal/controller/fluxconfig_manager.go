package controller

import (
	"context"
	"fmt"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/runtime/predicates"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlbuilder "sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// Labels kustomize-controller puts on every object it applies.
const (
	kustomizeNameLabel      = "kustomize.toolkit.fluxcd.io/name"
	kustomizeNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace"
)

// CacheOptions keeps the cache small: of the child kinds that are not Flux
// kinds (Secrets, ServiceAccounts, bindings), only the objects the
// controller made; and only the FluxConfigs matching the watch label
// selector (for sharding across replicas).
func CacheOptions(watchSelector labels.Selector) cache.Options {
	managed := labels.SelectorFromSet(labels.Set{v1alpha1.ManagedLabel: "true"})
	opts := cache.Options{
		ByObject: map[client.Object]cache.ByObject{},
		// Nothing reads managedFields from the cache (the applier compares
		// the fields it wants), and they are a third of a cached object.
		DefaultTransform: cache.TransformStripManagedFields(),
	}
	for _, k := range kinds.CachedByLabel() {
		opts.ByObject[k.New()] = cache.ByObject{Label: managed}
	}
	if watchSelector != nil && !watchSelector.Empty() {
		opts.ByObject[&v1alpha1.FluxConfig{}] = cache.ByObject{Label: watchSelector}
	}
	return opts
}

// SetupWithManager registers the controller: FluxConfigs, the child kinds
// that are not Flux kinds, and (lazily, see lazyWatches) the Flux kinds.
func (r *FluxConfigReconciler) SetupWithManager(mgr ctrl.Manager, opts controller.Options) error {
	r.written = newWritten()
	r.applier = &apply.Applier{Client: r.Client, APIReader: r.APIReader, FieldOwner: FieldManager, OnMiss: kinds.OnMissOf}
	toOwner := handler.EnqueueRequestsFromMapFunc(r.mapToFluxConfig)
	name := r.Name
	if name == "" {
		name = "fluxconfig"
	}
	b := ctrl.NewControllerManagedBy(mgr).
		Named(name).
		For(&v1alpha1.FluxConfig{}, ctrlbuilder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		WithOptions(opts)
	for _, k := range kinds.CachedByLabel() {
		if err := mgr.GetFieldIndexer().IndexField(context.Background(), k.New(), kinds.OwnerIndex, kinds.OwnerKeys); err != nil {
			return fmt.Errorf("indexing %s by owner: %w", k.GVK.Kind, err)
		}
		b = b.Watches(k.New(), toOwner, ctrlbuilder.WithPredicates(childChanged()))
	}
	c, err := b.Build(r)
	if err != nil {
		return err
	}
	r.watches = &lazyWatches{
		ctrl: c, cache: mgr.GetCache(), indexer: mgr.GetFieldIndexer(), mapper: mgr.GetRESTMapper(), handler: toOwner,
		started: map[schema.GroupKind]bool{}, probed: map[schema.GroupKind]time.Time{},
	}
	return nil
}

// mapToFluxConfig finds the FluxConfig an event concerns: the owner named
// by a child's labels, every FluxConfig of the namespace for the shared
// ServiceAccount, or, for an object a Kustomization applied, the FluxConfig
// that generated that Kustomization. FluxConfigs of another shard (not in
// this controller's cache) are left to their own controller.
func (r *FluxConfigReconciler) mapToFluxConfig(ctx context.Context, obj client.Object) []reconcile.Request {
	l := obj.GetLabels()
	if _, ok := obj.(*corev1.ServiceAccount); ok && l[v1alpha1.ManagedLabel] == "true" && l[v1alpha1.NameLabel] == "" {
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
	if l[v1alpha1.ManagedLabel] != "true" || l[v1alpha1.NameLabel] == "" {
		ks := &kustomizev1.Kustomization{}
		if l[kustomizeNameLabel] == "" || r.Get(ctx, client.ObjectKey{Namespace: l[kustomizeNamespaceLabel], Name: l[kustomizeNameLabel]}, ks) != nil {
			return nil
		}
		l = ks.GetLabels()
		if l[v1alpha1.ManagedLabel] != "true" || l[v1alpha1.NameLabel] == "" {
			return nil
		}
	}
	key := client.ObjectKey{Namespace: l[v1alpha1.NamespaceLabel], Name: l[v1alpha1.NameLabel]}
	if r.Get(ctx, key, &v1alpha1.FluxConfig{}) != nil {
		return nil // gone, or in another shard
	}
	return []reconcile.Request{{NamespacedName: key}}
}

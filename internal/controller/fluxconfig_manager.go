package controller

import (
	"context"
	"fmt"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/runtime/predicates"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlbuilder "sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// Labels kustomize-controller puts on every object it applies.
const (
	kustomizeNameLabel      = "kustomize.toolkit.fluxcd.io/name"
	kustomizeNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace"
)

// SetupWithManager registers the controller: FluxConfigs, the child kinds
// that are not Flux kinds, and the Flux kinds: those installed now at once,
// the others once their CRDs appear (see lazyWatches).
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
		// cacheCaughtUp first: Or stops at the first yes, and every update
		// must clear a waiting pass's mark, not only the ones the others let by.
		For(&v1alpha1.FluxConfig{}, ctrlbuilder.WithPredicates(predicate.Or(
			r.cacheCaughtUp(), predicate.GenerationChangedPredicate{}, predicates.ReconcileRequestedPredicate{}))).
		WithOptions(opts)
	for _, k := range kinds.CachedByLabel() {
		if err := mgr.GetFieldIndexer().IndexField(context.Background(), k.New(), kinds.OwnerIndex, kinds.OwnerKeys); err != nil {
			return fmt.Errorf("indexing %s by owner: %w", k.GVK.Kind, err)
		}
		b = b.Watches(k.New(), toOwner, ctrlbuilder.WithPredicates(childChanged()))
	}
	secrets, err := r.protectedSecretsSource(mgr)
	if err != nil {
		return err
	}
	c, err := b.WatchesRawSource(secrets).Build(r)
	if err != nil {
		return err
	}
	r.watches = &lazyWatches{
		ctrl: c, cache: mgr.GetCache(), indexer: mgr.GetFieldIndexer(), mapper: mgr.GetRESTMapper(), handler: toOwner,
		started: map[schema.GroupKind]bool{}, probed: map[schema.GroupKind]time.Time{},
	}
	return r.watches.startInstalled(context.Background())
}

// protectedSecretIndex indexes FluxConfigs by the name of the Secret their
// spec.protectedParametersSecretRef names.
const protectedSecretIndex = ".spec.protectedParametersSecretRef.name"

func indexProtectedSecret(obj client.Object) []string {
	if ref := obj.(*v1alpha1.FluxConfig).Spec.ProtectedParametersSecretRef; ref != nil {
		return []string{ref.Name}
	}
	return nil
}

// protectedSecretsSource watches the protected parameters Secrets, so a
// rotated credential reaches the auth Secret at once and a Secret created
// after its FluxConfig wakes it. The manager's cache holds only the
// controller's own Secrets; this watch has a cache of its own, of the
// metadata of Secrets (never their data), stripped to name, namespace, UID
// and resourceVersion: a few hundred bytes a Secret, no
// last-applied-configuration annotation that could hold the data.
func (r *FluxConfigReconciler) protectedSecretsSource(mgr ctrl.Manager) (source.Source, error) {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &v1alpha1.FluxConfig{}, protectedSecretIndex, indexProtectedSecret); err != nil {
		return nil, fmt.Errorf("indexing FluxConfigs by protected parameters Secret: %w", err)
	}
	c, err := cache.New(mgr.GetConfig(), cache.Options{
		Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(), HTTPClient: mgr.GetHTTPClient(),
		DefaultTransform: keepIdentity,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the cache of Secret metadata: %w", err)
	}
	if err := mgr.Add(secretMetadataCache{c}); err != nil {
		return nil, err
	}
	secret := &metav1.PartialObjectMetadata{}
	secret.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return source.Kind(c, secret, handler.TypedEnqueueRequestsFromMapFunc(r.mapSecretToFluxConfigs),
		predicate.TypedResourceVersionChangedPredicate[*metav1.PartialObjectMetadata]{}), nil
}

// secretMetadataCache runs with the manager's caches, before the
// controllers start.
type secretMetadataCache struct{ cache.Cache }

func (s secretMetadataCache) GetCache() cache.Cache { return s.Cache }

// keepIdentity strips what the Secret watch does not need before it is
// cached.
func keepIdentity(in any) (any, error) {
	if m, ok := in.(*metav1.PartialObjectMetadata); ok {
		m.ObjectMeta = metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion}
	}
	return in, nil
}

// mapSecretToFluxConfigs finds the FluxConfigs (of this shard) whose
// protected parameters are in the Secret.
func (r *FluxConfigReconciler) mapSecretToFluxConfigs(ctx context.Context, secret *metav1.PartialObjectMetadata) []reconcile.Request {
	var list v1alpha1.FluxConfigList
	if err := r.List(ctx, &list, client.InNamespace(secret.Namespace), client.MatchingFields{protectedSecretIndex: secret.Name}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing the FluxConfigs of a protected parameters Secret", "secret", klog.KObj(secret))
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, fc := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&fc)})
	}
	return reqs
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

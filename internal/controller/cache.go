package controller

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// CacheOptions keeps the cache small: only the FluxConfigs of this shard
// (--watch-label-selector); of the child kinds that are not Flux kinds
// (Secrets, bindings, ConfigMaps), only the objects the controller made for
// this shard; and of every object, nothing the controller never reads
// (trimCached). The Flux kinds are cached for every object, since the
// Kustomizations of a FluxConfig may apply any of them. The Flux kinds get
// no options of their own: their CRDs may be missing when the cache is
// made, and an option needs the kind's REST mapping.
func CacheOptions(watchSelector labels.Selector) cache.Options {
	sharded := watchSelector != nil && !watchSelector.Empty()
	var shard labels.Selector
	if sharded {
		shard = watchSelector
	}
	opts := cache.Options{
		ByObject:         map[client.Object]cache.ByObject{},
		DefaultTransform: trimCached(shard),
	}
	for _, k := range kinds.CachedByLabel() {
		sel := managedSelector(nil)
		if sharded && !isShared(k) {
			sel = managedSelector(watchSelector)
		}
		opts.ByObject[k.New()] = cache.ByObject{Label: sel}
	}
	if sharded {
		opts.ByObject[&v1alpha1.FluxConfig{}] = cache.ByObject{Label: watchSelector}
	}
	return opts
}

// ShardLabels are the label keys a --watch-label-selector reads. The
// builder copies them from each FluxConfig onto its children
// (builder.Options.ShardLabels), which CacheOptions relies on to cache this
// shard's children: give both the same selector.
func ShardLabels(watchSelector labels.Selector) []string {
	if watchSelector == nil {
		return nil
	}
	reqs, _ := watchSelector.Requirements()
	keys := make([]string, 0, len(reqs))
	for _, r := range reqs {
		keys = append(keys, r.Key())
	}
	return keys
}

// isShared: the namespace's flux-applier ServiceAccount serves the
// FluxConfigs of every shard, so ServiceAccounts are not cached by shard.
func isShared(k kinds.Kind) bool {
	return k.GVK.Kind == "ServiceAccount" && k.GVK.Group == corev1.GroupName
}

// managedSelector selects the objects the controller made, of the shard
// when one is given.
func managedSelector(shard labels.Selector) labels.Selector {
	managed, _ := labels.NewRequirement(v1alpha1.ManagedLabel, selection.Equals, []string{"true"}) // a constant, valid requirement
	sel := labels.NewSelector().Add(*managed)
	if shard != nil {
		reqs, _ := shard.Requirements()
		sel = sel.Add(reqs...)
	}
	return sel
}

// trimCached drops from an object entering the cache what the controller
// never reads. From every object its managedFields: the applier compares
// the fields it wants, and they are a third of a cached object. From a
// FluxConfig, the copy of its spec that a client-side `kubectl apply`
// keeps in an annotation: the controller writes a FluxConfig only with
// patches of the fields it changes (its finalizer, its status), never from
// a whole cached copy. From a Flux object, the status fields of its kind's
// TrimStatus, and its spec (but its suspend) when the controller does not
// apply it: every object of a Flux kind that is no child (a HelmRelease's
// values), and, with a shard selector, the children of another shard's
// FluxConfigs, which this controller never applies or compares and whose
// events map to no FluxConfig of its shard. Anything a Kustomization
// applied that is of a child kind keeps its spec. What is kept shares its
// repeated strings with the other cached objects (internShared).
func trimCached(shard labels.Selector) toolscache.TransformFunc {
	return func(in any) (any, error) {
		obj, ok := in.(client.Object)
		if !ok {
			return in, nil
		}
		obj.SetManagedFields(nil)
		if _, ok := obj.(*v1alpha1.FluxConfig); ok {
			if a := obj.GetAnnotations(); a[corev1.LastAppliedConfigAnnotation] != "" {
				delete(a, corev1.LastAppliedConfigAnnotation)
				obj.SetAnnotations(a)
			}
		}
		if k, ok := kinds.Of(obj); ok {
			if k.TrimStatus != nil {
				k.TrimStatus(obj)
			}
			if k.TrimSpec != nil && (!k.Child || otherShard(obj, shard)) {
				k.TrimSpec(obj)
			}
		}
		internShared(obj)
		return obj, nil
	}
}

// otherShard tells whether obj is a child the controller made for a
// FluxConfig outside shard (nil: no sharding).
func otherShard(obj client.Object, shard labels.Selector) bool {
	l := obj.GetLabels()
	return shard != nil && l[v1alpha1.ManagedLabel] == "true" && !shard.Matches(labels.Set(l))
}

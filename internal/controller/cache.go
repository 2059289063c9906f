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
// this shard; no managedFields anywhere. The Flux kinds are cached whole,
// since the Kustomizations of a FluxConfig may apply any of them, but the
// children of other shards only as what a watch needs (metadata and
// status, no spec).
func CacheOptions(watchSelector labels.Selector) cache.Options {
	sharded := watchSelector != nil && !watchSelector.Empty()
	opts := cache.Options{
		ByObject: map[client.Object]cache.ByObject{},
		// Nothing reads managedFields from the cache (the applier compares
		// the fields it wants), and they are a third of a cached object.
		DefaultTransform: cache.TransformStripManagedFields(),
	}
	for _, k := range kinds.CachedByLabel() {
		sel := managedSelector(nil)
		if sharded && !isShared(k) {
			sel = managedSelector(watchSelector)
		}
		opts.ByObject[k.New()] = cache.ByObject{Label: sel}
	}
	if !sharded {
		return opts
	}
	opts.ByObject[&v1alpha1.FluxConfig{}] = cache.ByObject{Label: watchSelector}
	for _, k := range kinds.Children() {
		if k.Flux() {
			opts.ByObject[k.New()] = cache.ByObject{Transform: trimOtherShards(watchSelector)}
		}
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

// trimOtherShards drops the spec of a child of another shard's FluxConfig:
// this controller never applies or compares it, and its events are not
// mapped to any FluxConfig of this shard. Other objects are kept whole.
func trimOtherShards(shard labels.Selector) toolscache.TransformFunc {
	strip := cache.TransformStripManagedFields()
	return func(in any) (any, error) {
		in, err := strip(in)
		if err != nil {
			return in, err
		}
		obj, ok := in.(client.Object)
		if !ok || obj.GetLabels()[v1alpha1.ManagedLabel] != "true" || shard.Matches(labels.Set(obj.GetLabels())) {
			return in, nil
		}
		k, ok := kinds.Of(obj)
		if !ok || k.TrimSpec == nil {
			return in, nil
		}
		k.TrimSpec(obj)
		return obj, nil
	}
}

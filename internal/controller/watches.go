package controller

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// lazyWatches starts a watch per Flux kind of the table once its CRD is
// installed, so a cluster without Flux gets a clear status instead of a
// controller that cannot start.
type lazyWatches struct {
	mu      sync.Mutex
	ctrl    controller.Controller
	cache   cache.Cache
	indexer client.FieldIndexer
	mapper  apimeta.RESTMapper
	handler handler.EventHandler
	started map[schema.GroupKind]bool
	// probed is when a missing kind was last looked up: each miss costs
	// discovery requests, so kinds a FluxConfig does not need (HelmRelease
	// in a cluster without helm-controller) are looked up once a minute.
	probed map[schema.GroupKind]time.Time
}

const optionalProbeInterval = time.Minute

// ensure starts the watches whose CRDs now exist, and returns a
// *MissingAPIError that names the CRDs fc needs but the cluster lacks.
func (w *lazyWatches) ensure(ctx context.Context, fc *v1alpha1.FluxConfig) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	needed := map[string]bool{builder.FluxSourceKind(fc): true, kustomizev1.KustomizationKind: true}
	var missing []string
	for _, k := range kinds.Watched() {
		gk := k.GVK.GroupKind()
		if w.started[gk] || (!needed[k.GVK.Kind] && time.Since(w.probed[gk]) < optionalProbeInterval) {
			continue
		}
		mapping, err := w.mapper.RESTMapping(gk, k.GVK.Version)
		if apimeta.IsNoMatchError(err) {
			w.probed[gk] = time.Now()
			if needed[k.GVK.Kind] {
				missing = append(missing, fmt.Sprintf("%s (%s)", k.GVK.Kind, k.GVK.GroupVersion()))
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("looking up the %s API: %w", k.GVK.Kind, err)
		}
		if err := w.start(ctx, k, mapping); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return &MissingAPIError{APIs: missing}
	}
	return nil
}

// startInstalled starts, before the controller does, the watches of the
// Flux kinds the cluster serves already: their caches then fill while the
// FluxConfigs are listed, instead of after the first reconcile asks for
// them (a restarted controller over thousands of FluxConfigs is idle
// sooner). A kind that is missing, or cannot be looked up now, is left to
// ensure.
func (w *lazyWatches) startInstalled(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range kinds.Watched() {
		mapping, err := w.mapper.RESTMapping(k.GVK.GroupKind(), k.GVK.Version)
		if err != nil {
			continue
		}
		if err := w.start(ctx, k, mapping); err != nil {
			return err
		}
	}
	return nil
}

// start indexes a child kind by owner and watches it; w.mu is held.
func (w *lazyWatches) start(ctx context.Context, k kinds.Kind, mapping *apimeta.RESTMapping) error {
	if k.Child {
		if err := w.indexer.IndexField(ctx, k.New(), kinds.OwnerIndex, kinds.OwnerKeys); err != nil {
			return fmt.Errorf("indexing %s by owner: %w", mapping.Resource.Resource, err)
		}
	}
	if err := w.ctrl.Watch(source.Kind(w.cache, k.New(), w.handler, childChanged())); err != nil {
		return fmt.Errorf("watching %s: %w", mapping.Resource.Resource, err)
	}
	w.started[k.GVK.GroupKind()] = true
	return nil
}

// children are the child kinds whose objects the controller can list: the
// kinds that are not Flux kinds, and the Flux kinds whose watch (and owner
// index) has started. A Flux kind without a watch has no children: its
// CRD was missing when the controller last looked, and a FluxConfig that
// needs it waits for it.
func (w *lazyWatches) children() []kinds.Kind {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []kinds.Kind
	for _, k := range kinds.Children() {
		if !k.Flux() || w.started[k.GVK.GroupKind()] {
			out = append(out, k)
		}
	}
	return out
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

// childChanged lets an update through only when something the controller
// acts on changed: the spec (generation), labels, owners, deletion, and for
// Flux objects what the status reads of them (readiness, revision,
// inventory); for other kinds their content. Flux's frequent status
// bookkeeping wakes nobody.
func childChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return digest(e.ObjectOld) != digest(e.ObjectNew)
	}}
}

// cacheCaughtUp lets through the update of a FluxConfig whose pass waits
// for the cache to show the controller's own last status write
// (written.caughtUp); the FluxConfig's other updates are its generation's
// and reconcile requests'.
func (r *FluxConfigReconciler) cacheCaughtUp() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return r.written.caughtUp(types.NamespacedName{Namespace: e.ObjectNew.GetNamespace(), Name: e.ObjectNew.GetName()})
		},
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

func digest(obj client.Object) [32]byte {
	var content any
	if k, ok := kinds.Of(obj); ok && k.Flux() {
		content = k.Project(obj)
	} else {
		c := obj.DeepCopyObject().(client.Object)
		c.SetResourceVersion("")
		c.SetManagedFields(nil)
		content = c
	}
	parts := []any{content, obj.GetGeneration(), obj.GetLabels(), obj.GetOwnerReferences(), obj.GetDeletionTimestamp()}
	b, _ := json.Marshal(parts) // API objects always marshal
	return sha256.Sum256(b)
}

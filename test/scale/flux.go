package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlbuilder "sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// fluxStandIn plays source- and kustomize-controller: when a GitRepository
// or Kustomization appears (or its generation moves), it writes the status
// they would write on success. It also watches FluxConfigs for the
// benchmark (configWatcher). It runs as its own user, not audited.
type fluxStandIn struct {
	client  client.Client
	watcher *configWatcher

	mu      sync.Mutex
	written map[types.NamespacedName]int // objects whose status was written, by namespace
}

// startFluxStandIn starts the stand-in's manager until ctx ends and waits
// for its caches.
func startFluxStandIn(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, workers int) (*fluxStandIn, error) {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return nil, err
	}
	s := &fluxStandIn{client: mgr.GetClient(), watcher: newConfigWatcher(), written: map[types.NamespacedName]int{}}
	opts := controller.Options{MaxConcurrentReconciles: workers}
	unseen := ctrlbuilder.WithPredicates(generationUnobserved())
	if err := ctrl.NewControllerManagedBy(mgr).Named("bench-source").For(&sourcev1.GitRepository{}, unseen).
		WithOptions(opts).Complete(reconcile.Func(s.reconcileSource)); err != nil {
		return nil, err
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("bench-kustomize").For(&kustomizev1.Kustomization{}, unseen).
		WithOptions(opts).Complete(reconcile.Func(s.reconcileKustomization)); err != nil {
		return nil, err
	}
	informer, err := mgr.GetCache().GetInformer(ctx, &v1alpha1.FluxConfig{})
	if err != nil {
		return nil, err
	}
	if _, err := informer.AddEventHandler(s.watcher.handler()); err != nil {
		return nil, err
	}
	go func() { _ = mgr.Start(ctx) }()
	syncCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		return nil, fmt.Errorf("the Flux stand-in's caches did not sync within a minute")
	}
	return s, nil
}

// generationUnobserved lets through objects whose status is not about
// their current generation, as Flux reacts to spec changes only.
func generationUnobserved() predicate.Predicate {
	unobserved := func(obj client.Object) bool {
		switch t := obj.(type) {
		case *sourcev1.GitRepository:
			return t.Status.ObservedGeneration != t.Generation
		case *kustomizev1.Kustomization:
			return t.Status.ObservedGeneration != t.Generation
		}
		return false
	}
	return predicate.Funcs{
		CreateFunc:  func(e event.CreateEvent) bool { return unobserved(e.Object) },
		UpdateFunc:  func(e event.UpdateEvent) bool { return unobserved(e.ObjectNew) },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

func (s *fluxStandIn) reconcileSource(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	repo := &sourcev1.GitRepository{}
	return s.writeStatus(ctx, req, repo, func() { sourceReady(repo, metav1.Now()) }, func() bool {
		return repo.Status.ObservedGeneration == repo.Generation
	})
}

func (s *fluxStandIn) reconcileKustomization(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ks := &kustomizev1.Kustomization{}
	return s.writeStatus(ctx, req, ks, func() { kustomizationReady(ks, metav1.Now()) }, func() bool {
		return ks.Status.ObservedGeneration == ks.Generation
	})
}

// writeStatus reads obj, and unless its status is current, sets it with set
// and patches the status subresource as a merge patch (as Flux's patch
// helper does).
func (s *fluxStandIn) writeStatus(ctx context.Context, req reconcile.Request, obj client.Object, set func(), current func() bool) (reconcile.Result, error) {
	if err := s.client.Get(ctx, req.NamespacedName, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if current() {
		return reconcile.Result{}, nil
	}
	base := obj.DeepCopyObject().(client.Object)
	set()
	if err := s.client.Status().Patch(ctx, obj, client.MergeFrom(base)); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	s.mu.Lock()
	s.written[types.NamespacedName{Namespace: req.Namespace, Name: fmt.Sprintf("%T/%s", obj, req.Name)}]++
	s.mu.Unlock()
	return reconcile.Result{}, nil
}

// statusWritten counts the objects of a run whose status the stand-in wrote.
func (s *fluxStandIn) statusWritten(f *fleet) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for key := range s.written {
		if f.owns(key.Namespace) {
			n++
		}
	}
	return n
}

// revision is the Git revision the stand-in reports for a source: stable
// per name, in Flux's <branch>@sha1:<hash> form.
func revision(name string) string {
	sum := sha1.Sum([]byte(name))
	return "main@sha1:" + hex.EncodeToString(sum[:])
}

// The status writers below are what source- and kustomize-controller write
// on success, reduced to what the FluxConfig controller reads. The
// bare-client baseline uses them too, to compute the status it writes.

func readyCondition(gen int64, status metav1.ConditionStatus, reason, msg string, now metav1.Time) []metav1.Condition {
	return []metav1.Condition{{Type: fluxmeta.ReadyCondition, Status: status, Reason: reason, Message: msg,
		ObservedGeneration: gen, LastTransitionTime: now}}
}

func sourceReady(repo *sourcev1.GitRepository, now metav1.Time) {
	rev := revision(repo.Namespace + "/" + repo.Name)
	repo.Status.ObservedGeneration = repo.Generation
	repo.Status.Conditions = readyCondition(repo.Generation, metav1.ConditionTrue, fluxmeta.SucceededReason,
		"stored artifact for revision '"+rev+"'", now)
	repo.Status.Artifact = &fluxmeta.Artifact{
		Path:     fmt.Sprintf("gitrepository/%s/%s/%s.tar.gz", repo.Namespace, repo.Name, rev[len(rev)-40:]),
		URL:      fmt.Sprintf("http://source-controller.flux-system.svc/gitrepository/%s/%s/latest.tar.gz", repo.Namespace, repo.Name),
		Revision: rev, Digest: "sha256:" + fmt.Sprintf("%064x", 0), LastUpdateTime: now,
	}
}

func kustomizationReady(ks *kustomizev1.Kustomization, now metav1.Time) {
	rev := revision(ks.Namespace + "/" + ks.Spec.SourceRef.Name)
	ks.Status.ObservedGeneration = ks.Generation
	ks.Status.Conditions = readyCondition(ks.Generation, metav1.ConditionTrue, fluxmeta.ReconciliationSucceededReason,
		"Applied revision: "+rev, now)
	ks.Status.LastAppliedRevision, ks.Status.LastAttemptedRevision = rev, rev
	ks.Status.Inventory = &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{}}
}

// kustomizationFailed is a Kustomization whose apply failed at its current
// generation (the latency flips).
func kustomizationFailed(ks *kustomizev1.Kustomization, msg string, now metav1.Time) {
	ks.Status.Conditions = readyCondition(ks.Generation, metav1.ConditionFalse, fluxmeta.ReconciliationFailedReason, msg, now)
}

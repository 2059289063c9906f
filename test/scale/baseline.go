package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	fcctrl "github.com/fluxconfig-controller/fluxconfig-controller/internal/controller"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// newObjects is the bare client's knowledge that every object it applies is
// new: its reads answer NotFound without a request, so internal/apply sends
// only the server-side apply, of exactly the object the controller sends.
type newObjects struct{ client.Client }

func (newObjects) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	return apierrors.NewNotFound(schema.GroupResource{}, key.Name)
}

// baselineResult is the bare client's run.
type baselineResult struct {
	elapsed  time.Duration
	otherCPU float64 // share of the CPU other processes took meanwhile
	requests []request
}

// runBaseline makes, with workers goroutines, the writes the controller
// makes for the fleet: the FluxConfig is created (by the benchmark's user,
// as in the controller's run), then as the bare client its finalizer patch,
// a server-side apply of every child the builder builds (the namespace's
// ServiceAccount once), and one status patch with the Compliant status the
// controller ends with. The Flux stand-in writes the children's status as
// in the controller's run. Done when every FluxConfig is Compliant and
// every child has its status.
// With -pprof, kube-apiserver's CPU is profiled meanwhile.
func runBaseline(ctx context.Context, s *session, f *fleet, opts options, timeout time.Duration) (*baselineResult, error) {
	c, err := s.client(baselineUser)
	if err != nil {
		return nil, err
	}
	applier := &apply.Applier{Client: newObjects{c}, APIReader: newObjects{c}, FieldOwner: fcctrl.FieldManager}
	if err := discover(c, f); err != nil {
		return nil, err
	}
	if err := f.createNamespaces(ctx, s.admin); err != nil {
		return nil, err
	}
	prof, err := profileBaseline(ctx, s, opts.pprof)
	if err != nil {
		return nil, err
	}
	cpuBefore, err := sampleCPU()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	err = forEach(ctx, f.n, opts.workers, func(ctx context.Context, i int) error {
		return baselineOne(ctx, s, c, applier, f, i)
	})
	if err == nil {
		err = waitConverged(ctx, s, f, timeout)
	}
	end := time.Now()
	if prof != nil {
		err = firstError(err, prof.stop())
	}
	if err != nil {
		return nil, fmt.Errorf("bare client: %w", err)
	}
	cpuAfter, err := sampleCPU()
	if err != nil {
		return nil, err
	}
	if err := settleAudit(ctx, s.audit); err != nil {
		return nil, err
	}
	return &baselineResult{elapsed: end.Sub(start), otherCPU: otherShare(cpuBefore, cpuAfter),
		requests: s.audit.Between(baselineUser, start, end)}, nil
}

// profileBaseline profiles kube-apiserver during the bare client, if asked.
func profileBaseline(ctx context.Context, s *session, enabled bool) (*profiler, error) {
	if !enabled {
		return nil, nil
	}
	api, err := apiserverTarget("apiserver-baseline-cpu", s.adminCfg)
	if err != nil {
		return nil, err
	}
	return startProfiling(ctx, filepath.Join(s.dir, "profiles"), api)
}

func baselineOne(ctx context.Context, s *session, c client.Client, applier *apply.Applier, f *fleet, i int) error {
	fc := f.config(i)
	s.flux.watcher.markCreated(f.key(i), time.Now())
	if err := s.admin.Create(ctx, fc); err != nil {
		return fmt.Errorf("creating FluxConfig %s: %w", f.key(i), err)
	}
	base := fc.DeepCopy()
	controllerutil.AddFinalizer(fc, v1alpha1.FluxConfigFinalizer)
	if err := c.Patch(ctx, fc, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("adding the finalizer: %w", err)
	}
	built, err := builder.Build(builder.Input{Config: fc}, controllerDefaults)
	if err != nil {
		return fmt.Errorf("building %s: %w", f.key(i), err)
	}
	for _, obj := range built.All() {
		if _, shared := obj.(*corev1.ServiceAccount); shared && !f.firstInNamespace(i) {
			continue
		}
		if _, err := applier.Apply(ctx, obj, func(client.Object) bool { return true }); err != nil {
			return err
		}
	}
	base = fc.DeepCopy()
	fc.Status = compliantStatus(fc, built, metav1.Now())
	if err := c.Status().Patch(ctx, fc, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("patching the status of %s: %w", f.key(i), err)
	}
	return nil
}

// discover makes the client look up the kinds it writes before the clock
// starts, as the controller does before it reconciles: the bare client's
// timed requests are its writes only.
func discover(c client.Client, f *fleet) error {
	built, err := builder.Build(builder.Input{Config: f.config(0)}, controllerDefaults)
	if err != nil {
		return err
	}
	for _, obj := range append(built.All(), f.config(0)) {
		gvk, err := c.GroupVersionKindFor(obj)
		if err != nil {
			return err
		}
		if _, err := c.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return fmt.Errorf("discovering %s: %w", gvk.Kind, err)
		}
	}
	return nil
}

// compliantStatus is the status the controller computes once the Flux
// stand-in has written every child's status: internal/status over the
// built children as the stand-in leaves them.
func compliantStatus(fc *v1alpha1.FluxConfig, built *builder.Objects, now metav1.Time) v1alpha1.FluxConfigStatus {
	report := status.Report{Generation: fc.Generation, SourceURL: builder.SourceURL(fc), PublicKey: built.RepositoryPublicKey}
	if repo, ok := built.Source.DeepCopyObject().(*sourcev1.GitRepository); ok {
		repo.Generation = 1
		sourceReady(repo, now)
		report.Objects = append(report.Objects, kinds.Project(repo))
	}
	for _, k := range built.Kustomizations {
		ks := k.DeepCopy()
		ks.Generation = 1
		kustomizationReady(ks, now)
		report.Objects = append(report.Objects, kinds.Project(ks))
	}
	return status.Compute(v1alpha1.FluxConfigStatus{}, report, now)
}

// waitConverged waits until every FluxConfig of the fleet is Compliant at
// its generation and the stand-in has written every child's status. It
// fails at once when a controller it waits on exited.
func waitConverged(ctx context.Context, s *session, f *fleet, timeout time.Duration, procs ...*controllerProc) error {
	return poll(ctx, fmt.Sprintf("%d FluxConfigs Compliant", f.n), 50*time.Millisecond, timeout, func() (bool, string, error) {
		for _, p := range procs {
			if p.Exited() {
				return false, "", fmt.Errorf("%s exited: see %s", p.Name, p.LogPath)
			}
		}
		compliant, written := s.flux.watcher.compliantIn(f), s.flux.statusWritten(f)
		return compliant == f.n && written == f.children(),
			fmt.Sprintf("%d of %d Compliant, %d of %d children with Flux status", compliant, f.n, written, f.children()), nil
	})
}

// settleAudit gives the API server a moment to write the audit events of
// the last responses, then reads them.
func settleAudit(ctx context.Context, l *auditLog) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Second):
	}
	return l.Sync()
}

// deleteFleet removes a run's objects, so the next run's controller does
// not cache them: the FluxConfigs lose their finalizer, then every kind is
// deleted by namespace. No controller runs meanwhile.
func deleteFleet(ctx context.Context, s *session, f *fleet, workers int) error {
	unfinalize := client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`))
	err := forEach(ctx, f.n, workers, func(ctx context.Context, i int) error {
		key := f.key(i)
		fc := &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
		return client.IgnoreNotFound(s.admin.Patch(ctx, fc, unfinalize))
	})
	if err != nil {
		return fmt.Errorf("removing finalizers: %w", err)
	}
	managed := client.MatchingLabels{v1alpha1.ManagedLabel: "true"}
	for _, ns := range f.namespaces() {
		for _, del := range []struct {
			obj  client.Object
			opts []client.DeleteAllOfOption
		}{
			{&v1alpha1.FluxConfig{}, nil},
			{&kustomizev1.Kustomization{}, []client.DeleteAllOfOption{managed}},
			{&sourcev1.GitRepository{}, []client.DeleteAllOfOption{managed}},
			{&rbacv1.RoleBinding{}, []client.DeleteAllOfOption{managed}},
			{&corev1.ServiceAccount{}, []client.DeleteAllOfOption{managed}},
			{&eventsv1.Event{}, nil},
		} {
			if err := s.admin.DeleteAllOf(ctx, del.obj, append(del.opts, client.InNamespace(ns))...); err != nil {
				return fmt.Errorf("deleting %T in %s: %w", del.obj, ns, err)
			}
		}
	}
	return nil
}

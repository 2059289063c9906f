package controller

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// cachedConfigs is how many FluxConfigs BenchmarkCachedBytes keeps, each
// with its own names, as a fleet has: a shared string counts once.
const cachedConfigs = 2000

// BenchmarkCachedBytes measures what a converged FluxConfig of make
// bench-scale's fleet (a Git source, five Kustomizations, scope namespace)
// costs in the cache: each object decoded from the JSON a watch delivers,
// passed through the cache's transform, and kept. It reports the live heap
// per object of each kind, and per FluxConfig with its children. Unlike a
// process's RSS, this does not move from run to run; it leaves out the
// cache's indexes and the controller's other per-FluxConfig memory.
func BenchmarkCachedBytes(b *testing.B) {
	docs := cachedFleetJSON(b)
	decoder := serializer.NewCodecFactory(kinds.NewScheme()).UniversalDeserializer()
	transform := trimCached(nil)
	keep := func(b *testing.B, events [][]byte) float64 {
		b.Helper()
		kept := make([]any, 0, len(events))
		before := liveHeap()
		for _, event := range events {
			obj, _, err := decoder.Decode(event, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			cached, err := transform(obj)
			if err != nil {
				b.Fatal(err)
			}
			kept = append(kept, cached)
		}
		bytes := float64(liveHeap() - before)
		runtime.KeepAlive(kept)
		return bytes
	}
	for _, kind := range []string{"FluxConfig", "GitRepository", "Kustomization", "RoleBinding"} {
		b.Run(kind, func(b *testing.B) {
			var bytes float64
			for b.Loop() {
				bytes = keep(b, docs[kind])
			}
			b.ReportMetric(bytes/float64(len(docs[kind])), "B/object")
		})
	}
	b.Run("FluxConfig+children", func(b *testing.B) {
		var all [][]byte
		for _, events := range docs {
			all = append(all, events...)
		}
		var bytes float64
		for b.Loop() {
			bytes = keep(b, all)
		}
		b.ReportMetric(bytes/cachedConfigs, "B/config")
	})
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// cachedFleetJSON is the watch events of cachedConfigs converged
// FluxConfigs and their children, by kind: the children as the builder
// makes them with a status like Flux's (make bench-scale's stand-in), the
// FluxConfig with the status the controller computes from them.
func cachedFleetJSON(b *testing.B) map[string][][]byte {
	b.Helper()
	now := metav1.NewTime(time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC))
	docs := map[string][][]byte{}
	add := func(kind string, obj any) {
		data, err := json.Marshal(obj)
		if err != nil {
			b.Fatal(err)
		}
		docs[kind] = append(docs[kind], data)
	}
	for i := range cachedConfigs {
		fc := cachedFleetConfig(i, now)
		built, err := builder.Build(builder.Input{Config: fc}, builder.Options{MultiTenancy: true})
		if err != nil {
			b.Fatal(err)
		}
		report := status.Report{Generation: 1, SourceURL: fc.Spec.GitRepository.URL}
		for _, obj := range built.All() {
			k, ok := kinds.Of(obj)
			if !ok {
				b.Fatalf("%T is not in the kinds table", obj)
			}
			if isShared(k) {
				continue // the namespace's ServiceAccount, one for its FluxConfigs
			}
			asStored(obj, k, i, now)
			if k.Project != nil {
				report.Objects = append(report.Objects, k.Project(obj))
			}
			add(k.GVK.Kind, obj)
		}
		fc.Status = status.Compute(v1alpha1.FluxConfigStatus{}, report, now)
		add("FluxConfig", fc)
	}
	return docs
}

// cachedFleetConfig is FluxConfig i of make bench-scale's fleet.
func cachedFleetConfig(i int, now metav1.Time) *v1alpha1.FluxConfig {
	fc := &v1alpha1.FluxConfig{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FluxConfig"},
		ObjectMeta: metav1.ObjectMeta{
			Name: fmt.Sprintf("fc-%05d", i), Namespace: fmt.Sprintf("fleet-%d", i/100),
			Labels: map[string]string{"bench.fluxconfig.dev/run": "fleet"},
			UID:    types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i)), ResourceVersion: fmt.Sprint(100000 + i),
			Generation: 1, CreationTimestamp: now, Finalizers: []string{v1alpha1.FluxConfigFinalizer},
		},
		Spec: v1alpha1.FluxConfigSpec{
			Scope: v1alpha1.ScopeNamespace, SourceKind: v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{
				URL:           fmt.Sprintf("https://git.example.com/fleet/cluster-%05d", i),
				RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
			},
		},
	}
	for j := range 5 {
		ks := v1alpha1.KustomizationDefinition{Name: fmt.Sprintf("ks%d", j), Path: fmt.Sprintf("./clusters/%d", j), Prune: true}
		if j > 0 {
			ks.DependsOn = []string{"ks0"}
		}
		fc.Spec.Kustomizations = append(fc.Spec.Kustomizations, ks)
	}
	return fc
}

// asStored gives a built child what the API server and Flux add: identity,
// Flux's finalizer, and a Ready status at the source's revision.
func asStored(obj client.Object, k kinds.Kind, i int, now metav1.Time) {
	obj.GetObjectKind().SetGroupVersionKind(k.GVK)
	obj.SetUID(types.UID(fmt.Sprintf("00000000-0000-4000-9000-%012d", i)))
	obj.SetResourceVersion(fmt.Sprint(200000 + i))
	obj.SetGeneration(1)
	obj.SetCreationTimestamp(now)
	rev := fmt.Sprintf("main@sha1:%040x", i)
	ready := func(reason, msg string) []metav1.Condition {
		return []metav1.Condition{{Type: fluxmeta.ReadyCondition, Status: metav1.ConditionTrue, Reason: reason, Message: msg,
			ObservedGeneration: 1, LastTransitionTime: now}}
	}
	switch t := obj.(type) {
	case *sourcev1.GitRepository:
		t.Finalizers = []string{sourcev1.SourceFinalizer}
		t.Status.ObservedGeneration = 1
		t.Status.Conditions = ready(fluxmeta.SucceededReason, "stored artifact for revision '"+rev+"'")
		t.Status.Artifact = &fluxmeta.Artifact{
			Path:     fmt.Sprintf("gitrepository/%s/%s/%s.tar.gz", t.Namespace, t.Name, rev[len(rev)-40:]),
			URL:      fmt.Sprintf("http://source-controller.flux-system.svc/gitrepository/%s/%s/latest.tar.gz", t.Namespace, t.Name),
			Revision: rev, Digest: fmt.Sprintf("sha256:%064x", i), LastUpdateTime: now,
		}
	case *kustomizev1.Kustomization:
		t.Finalizers = []string{kustomizev1.KustomizationFinalizer}
		t.Status.ObservedGeneration = 1
		t.Status.Conditions = ready(fluxmeta.ReconciliationSucceededReason, "Applied revision: "+rev)
		t.Status.LastAppliedRevision, t.Status.LastAttemptedRevision = rev, rev
		t.Status.Inventory = &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{}}
	}
}

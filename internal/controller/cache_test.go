package controller

import (
	"testing"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// TestTrimCached: a shard caches the Kustomizations of its own FluxConfigs
// with their spec, another shard's without, and anything the controller
// did not make (what a Kustomization applied) with its spec; no cached
// Kustomization keeps its history or managedFields.
func TestTrimCached(t *testing.T) {
	shardA, err := labels.Parse("shard=a")
	if err != nil {
		t.Fatal(err)
	}
	ks := func(l map[string]string) *kustomizev1.Kustomization {
		return &kustomizev1.Kustomization{
			ObjectMeta: metav1.ObjectMeta{Name: "cfg-apps", Namespace: "team", Labels: l,
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "fluxconfig-controller"}}},
			Spec: kustomizev1.KustomizationSpec{Path: "./apps", Interval: metav1.Duration{Duration: time.Minute}, Suspend: true},
			Status: kustomizev1.KustomizationStatus{ObservedGeneration: 2,
				Inventory: &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{{ID: "team_web_apps_Deployment"}}},
				History:   meta.History{{Digest: "sha256:1", TotalReconciliations: 3}}},
		}
	}
	managed := func(shard string) map[string]string {
		return map[string]string{v1alpha1.ManagedLabel: "true", v1alpha1.NameLabel: "cfg", v1alpha1.NamespaceLabel: "team", "shard": shard}
	}
	tests := []struct {
		name     string
		shard    labels.Selector
		in       *kustomizev1.Kustomization
		wantPath string
		wantInv  bool
	}{
		{"this shard's child: its spec", shardA, ks(managed("a")), "./apps", true},
		{"another shard's child: no spec, no inventory", shardA, ks(managed("b")), "", false},
		{"applied by a Kustomization, not made by the controller: its spec", shardA, ks(map[string]string{"app": "web"}), "./apps", true},
		{"no shards: every child with its spec", nil, ks(managed("b")), "./apps", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := trimCached(tc.shard)(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*kustomizev1.Kustomization)
			if got.Spec.Path != tc.wantPath || (got.Status.Inventory != nil) != tc.wantInv {
				t.Errorf("path %q inventory %v, want %q %v", got.Spec.Path, got.Status.Inventory != nil, tc.wantPath, tc.wantInv)
			}
			if !got.Spec.Suspend || got.Status.ObservedGeneration != 2 || got.ManagedFields != nil || got.Status.History != nil {
				t.Errorf("kept suspend %v, observedGeneration %d; managedFields %v, history %v", got.Spec.Suspend, got.Status.ObservedGeneration, got.ManagedFields, got.Status.History)
			}
		})
	}
}

// TestTrimCachedHelmRelease: the controller never applies a HelmRelease, so
// the cache holds none of its spec but suspend (its values can be large),
// and of its history only the latest release, which the status reports.
func TestTrimCachedHelmRelease(t *testing.T) {
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "apps", Labels: map[string]string{v1alpha1.ManagedLabel: "true"}},
		Spec: helmv2.HelmReleaseSpec{Suspend: true, ReleaseName: "web",
			Values: &apiextensionsv1.JSON{Raw: []byte(`{"replicas":3}`)}},
		Status: helmv2.HelmReleaseStatus{ObservedGeneration: 4, HelmChart: "flux-system/apps-web",
			History: helmv2.Snapshots{{Version: 2}, {Version: 5}, {Version: 4}}},
	}
	want := kinds.Project(hr.DeepCopy())
	out, err := trimCached(nil)(hr)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*helmv2.HelmRelease)
	if !equality.Semantic.DeepEqual(got.Spec, helmv2.HelmReleaseSpec{Suspend: true}) {
		t.Errorf("spec %+v, want only suspend", got.Spec)
	}
	if len(got.Status.History) != 1 || got.Status.History[0].Version != 5 {
		t.Errorf("history %+v, want only version 5", got.Status.History)
	}
	if p := kinds.Project(got); !equality.Semantic.DeepEqual(p, want) {
		t.Errorf("the status reads %+v of the cached HelmRelease, %+v of the whole one", p, want)
	}
}

// TestTrimCachedFluxConfig: a FluxConfig applied with client-side kubectl keeps a
// copy of its spec in an annotation that the cache drops; the other
// annotations, the reconcile request among them, are kept.
func TestTrimCachedFluxConfig(t *testing.T) {
	fc := &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "team",
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		Annotations: map[string]string{
			corev1.LastAppliedConfigAnnotation: `{"spec":{"gitRepository":{"url":"https://example.com/repo"}}}`,
			meta.ReconcileRequestAnnotation:    "now",
		}}}
	out, err := trimCached(nil)(fc)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*v1alpha1.FluxConfig)
	if len(got.Annotations) != 1 || got.Annotations[meta.ReconcileRequestAnnotation] != "now" || got.ManagedFields != nil {
		t.Errorf("annotations %v, managedFields %v; want only the reconcile request", got.Annotations, got.ManagedFields)
	}
}

func TestShardLabels(t *testing.T) {
	sel, err := labels.Parse("team in (a,b),!legacy")
	if err != nil {
		t.Fatal(err)
	}
	got := ShardLabels(sel)
	if len(got) != 2 || got[0] != "legacy" && got[1] != "legacy" {
		t.Errorf("ShardLabels = %v, want team and legacy", got)
	}
	if ShardLabels(nil) != nil || len(ShardLabels(labels.Everything())) != 0 {
		t.Error("no selector, no shard labels")
	}
}

// TestCacheOptionsWithoutFlux: the cache is made before the Flux CRDs may
// be installed (the controller waits for them, and says so in the status),
// so its options must not need a Flux kind's REST mapping, with or without
// a shard selector.
func TestCacheOptionsWithoutFlux(t *testing.T) {
	mapper := apimeta.NewDefaultRESTMapper(nil)
	for _, gvk := range []schema.GroupVersionKind{
		v1alpha1.GroupVersion.WithKind("FluxConfig"),
		corev1.SchemeGroupVersion.WithKind("Secret"), corev1.SchemeGroupVersion.WithKind("ConfigMap"),
		corev1.SchemeGroupVersion.WithKind("ServiceAccount"), rbacv1.SchemeGroupVersion.WithKind("RoleBinding"),
	} {
		mapper.Add(gvk, apimeta.RESTScopeNamespace)
	}
	mapper.Add(rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"), apimeta.RESTScopeRoot)
	shard, err := labels.Parse("shard=a")
	if err != nil {
		t.Fatal(err)
	}
	for _, sel := range []labels.Selector{nil, shard} {
		opts := CacheOptions(sel)
		opts.Scheme, opts.Mapper = kinds.NewScheme(), mapper
		// Nothing is listed: the address is never dialed.
		if _, err := cache.New(&rest.Config{Host: "https://127.0.0.1:1"}, opts); err != nil {
			t.Errorf("selector %v: %v", sel, err)
		}
	}
}

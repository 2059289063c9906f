package controller

import (
	"encoding/json"
	"testing"
	"unsafe"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestInternShared: two Kustomizations decoded from two watch events keep
// their values through the cache's transform, and share the memory of the
// strings they repeat instead of each holding a copy.
func TestInternShared(t *testing.T) {
	event := []byte(`{"metadata":{"name":"cfg-%s","namespace":"team-a",
		"labels":{"clusterconfig.azure.com/is-managed":"true","clusterconfig.azure.com/name":"cfg"},
		"annotations":{"note":"x"},
		"ownerReferences":[{"apiVersion":"clusterconfig.azure.com/v1alpha1","kind":"FluxConfig","name":"cfg","uid":"u"}],
		"finalizers":["finalizers.fluxcd.io"]},
		"spec":{"path":"./apps","interval":"1m","prune":true,"sourceRef":{"kind":"GitRepository","name":"cfg"}},
		"status":{"lastAppliedRevision":"main@sha1:abc","conditions":[{"type":"Ready","status":"True","reason":"ReconciliationSucceeded",
		"message":"Applied revision: main@sha1:abc","lastTransitionTime":"2026-11-29T00:00:00Z"}]}}`)
	decode := func() *kustomizev1.Kustomization {
		ks := &kustomizev1.Kustomization{}
		if err := json.Unmarshal(event, ks); err != nil {
			t.Fatal(err)
		}
		return ks
	}
	a, b := decode(), decode()
	want := a.DeepCopy()
	for _, o := range []*kustomizev1.Kustomization{a, b} {
		if _, err := trimCached(nil)(o); err != nil {
			t.Fatal(err)
		}
	}
	if !equality.Semantic.DeepEqual(a, want) {
		t.Errorf("the transform changed a value:\n%+v\nwant\n%+v", a, want)
	}
	same := func(what, x, y string) {
		t.Helper()
		if x != y || unsafe.StringData(x) != unsafe.StringData(y) {
			t.Errorf("%s: %q and %q are not one shared copy", what, x, y)
		}
	}
	same("namespace", a.Namespace, b.Namespace)
	same("label value", a.Labels["clusterconfig.azure.com/name"], b.Labels["clusterconfig.azure.com/name"])
	for k := range a.Labels {
		for k2 := range b.Labels {
			if k == k2 && unsafe.StringData(k) != unsafe.StringData(k2) {
				t.Errorf("label key %q is not one shared copy", k)
			}
		}
	}
	same("owner kind", a.OwnerReferences[0].Kind, b.OwnerReferences[0].Kind)
	same("owner name", a.OwnerReferences[0].Name, b.OwnerReferences[0].Name)
	same("finalizer", a.Finalizers[0], b.Finalizers[0])
	same("condition reason", a.Status.Conditions[0].Reason, b.Status.Conditions[0].Reason)
	same("condition message", a.Status.Conditions[0].Message, b.Status.Conditions[0].Message)
	same("applied revision", a.Status.LastAppliedRevision, b.Status.LastAppliedRevision)
	same("source name", a.Spec.SourceRef.Name, b.Spec.SourceRef.Name)
}

// TestInternSourceRevision: every source kind's artifact revision is
// shared, as it is repeated by the Kustomizations that apply it.
func TestInternSourceRevision(t *testing.T) {
	event := []byte(`{"metadata":{"name":"cfg","namespace":"team-a"},
		"status":{"artifact":{"revision":"main@sha1:abc","path":"p","url":"u","lastUpdateTime":"2026-11-29T00:00:00Z"}}}`)
	for _, newObj := range []func() client.Object{
		func() client.Object { return &sourcev1.GitRepository{} },
		func() client.Object { return &sourcev1.Bucket{} },
		func() client.Object { return &sourcev1.OCIRepository{} },
	} {
		var revs []string
		for range 2 {
			obj := newObj()
			if err := json.Unmarshal(event, obj); err != nil {
				t.Fatal(err)
			}
			if _, err := trimCached(nil)(obj); err != nil {
				t.Fatal(err)
			}
			revs = append(revs, obj.(interface{ GetArtifact() *fluxmeta.Artifact }).GetArtifact().Revision)
		}
		if revs[0] != "main@sha1:abc" || unsafe.StringData(revs[0]) != unsafe.StringData(revs[1]) {
			t.Errorf("%T: revisions %q and %q are not one shared copy", newObj(), revs[0], revs[1])
		}
	}
}

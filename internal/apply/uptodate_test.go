package apply

import (
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// kustomization is a child as the builder makes it.
func kustomization() *kustomizev1.Kustomization {
	return &kustomizev1.Kustomization{
		TypeMeta: metav1.TypeMeta{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization"},
		ObjectMeta: metav1.ObjectMeta{Name: "cfg-apps", Namespace: "team-a",
			Labels: map[string]string{"clusterconfig.azure.com/managed": "true", "clusterconfig.azure.com/name": "cfg"}},
		Spec: kustomizev1.KustomizationSpec{Path: "./apps", Interval: metav1.Duration{Duration: 10 * time.Minute}, Prune: true,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "cfg"},
			DependsOn: []kustomizev1.DependencyReference{{Name: "cfg-infra"}}},
	}
}

// applied is k as the cache holds it once applied and reconciled by Flux:
// defaults, server fields and a status with an inventory.
func applied(k *kustomizev1.Kustomization) *kustomizev1.Kustomization {
	live := k.DeepCopy()
	d, _ := toUnstructured(k)
	setHash(d)
	live.Annotations = d.GetAnnotations()
	live.UID, live.ResourceVersion, live.Generation = "0b6a4a2e", "4711", 1
	live.Spec.Timeout = &metav1.Duration{Duration: 5 * time.Minute}
	live.Status = kustomizev1.KustomizationStatus{
		ObservedGeneration:  1,
		LastAppliedRevision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
		Conditions: []metav1.Condition{{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.ReconciliationSucceededReason,
			Message: "Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567"}},
		Inventory: &kustomizev1.ResourceInventory{},
	}
	for range 50 {
		live.Status.Inventory.Entries = append(live.Status.Inventory.Entries, kustomizev1.ResourceRef{ID: "team-a_hello__ConfigMap", Version: "v1"})
	}
	return live
}

func TestUpToDate(t *testing.T) {
	drifted := applied(kustomization())
	drifted.Spec.Path = "./other"
	statusOnly := applied(kustomization())
	statusOnly.Status.Conditions[0].Status = metav1.ConditionFalse
	sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: "flux-applier", Namespace: "team-a"}}
	tests := []struct {
		name          string
		live, desired client.Object
		want          bool
	}{
		{name: "applied, with defaults and a status", live: applied(kustomization()), desired: kustomization(), want: true},
		{name: "a changed status is not a diff", live: statusOnly, desired: kustomization(), want: true},
		{name: "a spec edited by someone else is", live: drifted, desired: kustomization(), want: false},
		{name: "not applied yet (no hash)", live: kustomization(), desired: kustomization(), want: false},
		{name: "an object without status", live: sa.DeepCopy(), desired: sa, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := toUnstructured(tc.desired)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tc.desired.(*kustomizev1.Kustomization); ok {
				setHash(d)
			}
			before := tc.live.DeepCopyObject()
			got, err := upToDate(tc.live, d)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("upToDate = %v, want %v", got, tc.want)
			}
			if !equality.Semantic.DeepEqual(before, tc.live) {
				t.Errorf("upToDate changed the live object (the cache's copy)")
			}
		})
	}
}

// BenchmarkUpToDate is the comparison every pass makes per child: the
// desired object (converted, hashed) against the cached one.
func BenchmarkUpToDate(b *testing.B) {
	k := kustomization()
	live := applied(k)
	b.ReportAllocs()
	for b.Loop() {
		d, err := toUnstructured(k)
		if err != nil {
			b.Fatal(err)
		}
		setHash(d)
		if same, err := upToDate(live, d); !same || err != nil {
			b.Fatal("not up to date", err)
		}
	}
}

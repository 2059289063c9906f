package controller

import (
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// TestTrimOtherShards: a shard caches the Kustomizations of its own
// FluxConfigs whole, another shard's without their spec, and anything the
// controller did not make (what a Kustomization applied) whole.
func TestTrimOtherShards(t *testing.T) {
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
				Inventory: &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{{ID: "team_web_apps_Deployment"}}}},
		}
	}
	managed := func(shard string) map[string]string {
		return map[string]string{v1alpha1.ManagedLabel: "true", v1alpha1.NameLabel: "cfg", v1alpha1.NamespaceLabel: "team", "shard": shard}
	}
	tests := []struct {
		name     string
		in       *kustomizev1.Kustomization
		wantPath string
		wantInv  bool
	}{
		{"this shard's child: whole", ks(managed("a")), "./apps", true},
		{"another shard's child: no spec, no inventory", ks(managed("b")), "", false},
		{"applied by a Kustomization, not made by the controller: whole", ks(map[string]string{"app": "web"}), "./apps", true},
	}
	transform := trimOtherShards(shardA)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := transform(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*kustomizev1.Kustomization)
			if got.Spec.Path != tc.wantPath || (got.Status.Inventory != nil) != tc.wantInv {
				t.Errorf("path %q inventory %v, want %q %v", got.Spec.Path, got.Status.Inventory != nil, tc.wantPath, tc.wantInv)
			}
			if !got.Spec.Suspend || got.Status.ObservedGeneration != 2 || got.ManagedFields != nil {
				t.Errorf("kept suspend %v, observedGeneration %d, managedFields %v", got.Spec.Suspend, got.Status.ObservedGeneration, got.ManagedFields)
			}
		})
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

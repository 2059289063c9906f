package main

import (
	"context"
	"fmt"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// verifyChildren checks, after a rollout, that the fleet's namespaces hold
// exactly the children the controller makes: a GitRepository, k
// Kustomizations and a RoleBinding per FluxConfig, one flux-applier
// ServiceAccount per namespace. The bare client and the controller are
// held to the same count.
func verifyChildren(ctx context.Context, s *session, f *fleet) error {
	want := []struct {
		list client.ObjectList
		n    int
	}{
		{&sourcev1.GitRepositoryList{}, f.n},
		{&kustomizev1.KustomizationList{}, f.n * f.k},
		{&rbacv1.RoleBindingList{}, f.n},
		{&corev1.ServiceAccountList{}, len(f.namespaces())},
	}
	for _, w := range want {
		got := 0
		for _, ns := range f.namespaces() {
			if err := s.admin.List(ctx, w.list, client.InNamespace(ns), client.MatchingLabels{v1alpha1.ManagedLabel: "true"}); err != nil {
				return err
			}
			got += apimeta.LenList(w.list)
		}
		if got != w.n {
			return fmt.Errorf("%s: %d in the run's namespaces, want %d", fmt.Sprintf("%T", w.list)[1:], got, w.n)
		}
	}
	return nil
}

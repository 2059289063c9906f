package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// inventoryKinds are the Flux kinds whose status counts when a generated
// Kustomization applied them, keyed by "group/Kind".
var inventoryKinds = map[string]func() client.Object{
	helmv2.GroupVersion.Group + "/" + helmv2.HelmReleaseKind:             func() client.Object { return &helmv2.HelmRelease{} },
	sourcev1.GroupVersion.Group + "/" + sourcev1.HelmChartKind:           func() client.Object { return &sourcev1.HelmChart{} },
	sourcev1.GroupVersion.Group + "/" + sourcev1.HelmRepositoryKind:      func() client.Object { return &sourcev1.HelmRepository{} },
	sourcev1.GroupVersion.Group + "/" + sourcev1.GitRepositoryKind:       func() client.Object { return &sourcev1.GitRepository{} },
	sourcev1.GroupVersion.Group + "/" + sourcev1.OCIRepositoryKind:       func() client.Object { return &sourcev1.OCIRepository{} },
	sourcev1.GroupVersion.Group + "/" + sourcev1.BucketKind:              func() client.Object { return &sourcev1.Bucket{} },
	kustomizev1.GroupVersion.Group + "/" + kustomizev1.KustomizationKind: func() client.Object { return &kustomizev1.Kustomization{} },
}

// observe reads the source, the generated Kustomizations and the Flux
// objects in their inventories, in that order, for the status.
func (r *FluxConfigReconciler) observe(ctx context.Context, s *reconcileScope) error {
	src, err := r.observeOne(ctx, s.built.Source, nil)
	if err != nil {
		return err
	}
	objects := []status.Object{src}
	var applied []status.Object
	for _, want := range s.built.Kustomizations {
		ks := &kustomizev1.Kustomization{}
		o, err := r.observeOne(ctx, want, ks)
		if err != nil {
			return err
		}
		objects = append(objects, o)
		if o.Found && ks.Status.Inventory != nil {
			inv, err := r.observeInventory(ctx, ks)
			if err != nil {
				return err
			}
			applied = append(applied, inv...)
		}
	}
	sort.SliceStable(applied, func(i, j int) bool {
		a, b := applied[i], applied[j]
		return a.Kind+"/"+a.Namespace+"/"+a.Name < b.Kind+"/"+b.Namespace+"/"+b.Name
	})
	s.report.Objects = append(objects, applied...)
	return nil
}

// observeOne reads the live copy of a wanted object into into (a new object
// of the same type when nil).
func (r *FluxConfigReconciler) observeOne(ctx context.Context, want, into client.Object) (status.Object, error) {
	if into == nil {
		into = want.DeepCopyObject().(client.Object)
	}
	kind := kindOf(want)
	err := r.Get(ctx, client.ObjectKeyFromObject(want), into)
	switch {
	case apierrors.IsNotFound(err):
		return status.Missing(kind, want.GetNamespace(), want.GetName()), nil
	case err != nil:
		return status.Object{}, fmt.Errorf("reading %s %s: %w", kind, want.GetName(), err)
	}
	into.GetObjectKind().SetGroupVersionKind(want.GetObjectKind().GroupVersionKind())
	return status.FromFlux(into), nil
}

// observeInventory reads the Flux objects a Kustomization applied. Inventory
// ids are <namespace>_<name>_<group>_<kind>.
func (r *FluxConfigReconciler) observeInventory(ctx context.Context, ks *kustomizev1.Kustomization) ([]status.Object, error) {
	var out []status.Object
	by := &v1alpha1.ObjectReferenceDefinition{Name: ks.Name, Namespace: ks.Namespace}
	for _, entry := range ks.Status.Inventory.Entries {
		parts := strings.Split(entry.ID, "_")
		if len(parts) != 4 {
			continue
		}
		ns, name, group, kind := parts[0], parts[1], parts[2], parts[3]
		newObj, ok := inventoryKinds[group+"/"+kind]
		if !ok {
			continue
		}
		obj := newObj()
		err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)
		var o status.Object
		switch {
		case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
			o = status.Missing(kind, ns, name)
		case err != nil:
			return nil, fmt.Errorf("reading %s %s/%s from the inventory of %s: %w", kind, ns, name, ks.Name, err)
		default:
			o = status.FromFlux(obj)
		}
		o.AppliedBy = by
		out = append(out, o)
	}
	return out, nil
}

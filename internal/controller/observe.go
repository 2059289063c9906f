package controller

import (
	"context"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// observe reads the source, the generated Kustomizations and the Flux
// objects in their inventories, in that order, for the status.
func (r *FluxConfigReconciler) observe(ctx context.Context, s *reconcileScope) error {
	src, err := r.observeOne(ctx, s.built.Source)
	if err != nil {
		return err
	}
	objects := []status.Object{src}
	var applied []status.Object
	for _, want := range s.built.Kustomizations {
		o, err := r.observeOne(ctx, want)
		if err != nil {
			return err
		}
		objects = append(objects, o)
		inv, err := r.observeInventory(ctx, o)
		if err != nil {
			return err
		}
		applied = append(applied, inv...)
	}
	sort.SliceStable(applied, func(i, j int) bool {
		a, b := applied[i], applied[j]
		return a.Kind+"/"+a.Namespace+"/"+a.Name < b.Kind+"/"+b.Namespace+"/"+b.Name
	})
	s.report.Objects = append(objects, applied...)
	return nil
}

// observeOne reads the live copy of a wanted object.
func (r *FluxConfigReconciler) observeOne(ctx context.Context, want client.Object) (status.Object, error) {
	into := want.DeepCopyObject().(client.Object)
	kind := kindOf(want)
	err := r.Get(ctx, client.ObjectKeyFromObject(want), into)
	switch {
	case apierrors.IsNotFound(err):
		return status.Missing(kind, want.GetNamespace(), want.GetName()), nil
	case err != nil:
		return status.Object{}, fmt.Errorf("reading %s %s: %w", kind, want.GetName(), err)
	}
	return kinds.Project(into), nil
}

// observeInventory reads the Flux objects a Kustomization applied, of the
// kinds that count in the status.
func (r *FluxConfigReconciler) observeInventory(ctx context.Context, ks status.Object) ([]status.Object, error) {
	var out []status.Object
	by := &v1alpha1.ObjectReferenceDefinition{Name: ks.Name, Namespace: ks.Namespace}
	for _, id := range ks.Inventory {
		ref, ok := kinds.ParseInventoryID(id)
		if !ok {
			continue // not an object id: nothing to read
		}
		k, ok := kinds.ByGroupKind(ref.GroupKind)
		if !ok {
			continue
		}
		obj := k.New()
		err := r.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, obj)
		var o status.Object
		switch {
		case apierrors.IsNotFound(err), apimeta.IsNoMatchError(err):
			o = status.Missing(k.GVK.Kind, ref.Namespace, ref.Name)
		case err != nil:
			return nil, fmt.Errorf("reading %s %s/%s from the inventory of %s: %w", k.GVK.Kind, ref.Namespace, ref.Name, ks.Name, err)
		default:
			o = k.Project(obj)
		}
		o.AppliedBy = by
		out = append(out, o)
	}
	return out, nil
}

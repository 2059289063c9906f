package controller

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

// ownedChildren lists the children of fc of one kind: labeled as its own
// and, for namespaced kinds, controlled by it. Kinds whose CRD is not
// installed have no children.
func (r *FluxConfigReconciler) ownedChildren(ctx context.Context, fc *v1alpha1.FluxConfig, k kinds.Kind) ([]client.Object, error) {
	list := k.NewList()
	opts := []client.ListOption{client.MatchingFields{kinds.OwnerIndex: kinds.OwnerKeyOf(fc.Namespace, fc.Name)}}
	if !k.ClusterScoped {
		opts = append(opts, client.InNamespace(fc.Namespace))
	}
	if err := r.List(ctx, list, opts...); err != nil {
		if apimeta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing %s children: %w", k.GVK.Kind, err)
	}
	items, err := apimeta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	var owned []client.Object
	for _, item := range items {
		obj := item.(client.Object)
		obj.GetObjectKind().SetGroupVersionKind(k.GVK)
		if ownedBy(fc)(obj) {
			owned = append(owned, obj)
		}
	}
	return owned, nil
}

func childKey(kind, name string) string { return kind + "/" + name }

// pruneStale deletes the children fc no longer wants: a kustomization that
// left the spec, the source of a previous sourceKind, an auth Secret no
// longer needed, bindings when multi-tenancy was turned off.
func (r *FluxConfigReconciler) pruneStale(ctx context.Context, s *reconcileScope) error {
	fc, built := s.fc, s.built
	wanted := map[string]bool{}
	for _, obj := range built.All() {
		wanted[childKey(kindOf(obj), obj.GetName())] = true
	}
	for _, k := range r.watches.children() {
		children, err := r.ownedChildren(ctx, fc, k)
		if err != nil {
			return err
		}
		for _, child := range children {
			if wanted[childKey(k.GVK.Kind, child.GetName())] {
				continue
			}
			if err := r.Delete(ctx, child); client.IgnoreNotFound(err) != nil {
				return fmt.Errorf("deleting %s %s: %w", k.GVK.Kind, child.GetName(), err)
			}
			ctrl.LoggerFrom(ctx).Info("deleted a child that is no longer wanted", "kind", k.GVK.Kind, "object", klog.KObj(child))
		}
	}
	if built.ServiceAccount == nil {
		return r.deleteApplierIfUnused(ctx, fc, false)
	}
	return nil
}

// reconcileDelete deletes the children in the table's order. Kinds that
// hold the deletion (the Kustomizations: kustomize-controller prunes what
// they applied while the source is still there) are waited for before the
// next kinds go; then the finalizer is released.
func (r *FluxConfigReconciler) reconcileDelete(ctx context.Context, s *reconcileScope) (ctrl.Result, error) {
	fc := s.fc
	s.report.Deleting = true
	if !controllerutil.ContainsFinalizer(fc, v1alpha1.FluxConfigFinalizer) {
		return ctrl.Result{}, nil
	}
	// The watches (and the owner index) of the Flux kinds the children may
	// have, also when this controller has not reconciled fc before. A
	// missing API has no children to delete.
	var missing *MissingAPIError
	if err := r.watches.ensure(ctx, fc); err != nil && !errors.As(err, &missing) {
		return ctrl.Result{}, err
	}
	for _, k := range r.watches.children() {
		owned, err := r.ownedChildren(ctx, fc, k)
		if err != nil {
			return ctrl.Result{}, err
		}
		names, err := r.deleteAll(ctx, k, owned)
		if err != nil {
			return ctrl.Result{}, err
		}
		if k.HoldsDeletion && len(names) > 0 {
			s.report.DeletingMessage = fmt.Sprintf("waiting for kustomize-controller to finalize the %ss %s (it prunes what they applied) before the source is deleted",
				k.GVK.Kind, strings.Join(names, ", "))
			ctrl.LoggerFrom(ctx).V(1).Info("deletion waits", "kind", k.GVK.Kind, "names", names)
			return ctrl.Result{RequeueAfter: r.RetryInterval}, nil
		}
	}
	if err := r.deleteApplierIfUnused(ctx, fc, true); err != nil {
		return ctrl.Result{}, err
	}
	base := fc.DeepCopy()
	controllerutil.RemoveFinalizer(fc, v1alpha1.FluxConfigFinalizer)
	if err := r.Patch(ctx, fc, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
		controllerutil.AddFinalizer(fc, v1alpha1.FluxConfigFinalizer) // still held: its status is written
		return ctrl.Result{}, fmt.Errorf("removing the finalizer %s: %w", v1alpha1.FluxConfigFinalizer, err)
	}
	return ctrl.Result{}, nil
}

// deleteAll deletes the objects not already being deleted, and returns the
// sorted names of all of them.
func (r *FluxConfigReconciler) deleteAll(ctx context.Context, k kinds.Kind, objs []client.Object) ([]string, error) {
	names := make([]string, 0, len(objs))
	for _, obj := range objs {
		names = append(names, obj.GetName())
		if !obj.GetDeletionTimestamp().IsZero() {
			continue
		}
		if err := r.Delete(ctx, obj); client.IgnoreNotFound(err) != nil {
			return nil, fmt.Errorf("deleting %s %s: %w", k.GVK.Kind, obj.GetName(), err)
		}
		ctrl.LoggerFrom(ctx).V(1).Info("deleted a child", "kind", k.GVK.Kind, "object", klog.KObj(obj))
	}
	sort.Strings(names)
	return names, nil
}

// deleteApplierIfUnused deletes the namespace's flux-applier ServiceAccount
// when no FluxConfig needs it: multi-tenancy is off, or (when deleting)
// fc was the last FluxConfig of the namespace that is not being deleted.
// The FluxConfigs are listed from the API server, not the cache: the cache
// holds only this shard's, and another shard's FluxConfig of the namespace
// uses the same ServiceAccount.
func (r *FluxConfigReconciler) deleteApplierIfUnused(ctx context.Context, fc *v1alpha1.FluxConfig, deleting bool) error {
	if deleting && r.Builder.MultiTenancy {
		all := &metav1.PartialObjectMetadataList{}
		all.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("FluxConfigList"))
		if err := r.APIReader.List(ctx, all, client.InNamespace(fc.Namespace)); err != nil {
			return fmt.Errorf("listing the FluxConfigs of namespace %s: %w", fc.Namespace, err)
		}
		for _, other := range all.Items {
			if other.UID != fc.UID && other.DeletionTimestamp.IsZero() {
				return nil
			}
		}
	}
	sa := &corev1.ServiceAccount{}
	err := r.Get(ctx, client.ObjectKey{Namespace: fc.Namespace, Name: builder.ApplierServiceAccount}, sa)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !ownedBy(fc)(sa) {
		return nil
	}
	return client.IgnoreNotFound(r.Delete(ctx, sa))
}

package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// childLists are the kinds of children the controller may have made, each
// as an empty list. Kustomizations come first: they are deleted first.
func childLists() []client.ObjectList {
	return []client.ObjectList{
		&kustomizev1.KustomizationList{},
		&sourcev1.GitRepositoryList{},
		&sourcev1.BucketList{},
		&sourcev1.OCIRepositoryList{},
		&corev1.SecretList{},
		&rbacv1.RoleBindingList{},
		&rbacv1.ClusterRoleBindingList{},
	}
}

// ownedChildren lists the children of fc of one kind: labelled as its own
// and, for namespaced kinds, controlled by it. Kinds whose CRD is not
// installed have no children.
func (r *FluxConfigReconciler) ownedChildren(ctx context.Context, fc *v1alpha1.FluxConfig, list client.ObjectList) ([]client.Object, error) {
	opts := []client.ListOption{client.MatchingLabels(builder.Labels(fc))}
	if _, clusterScoped := list.(*rbacv1.ClusterRoleBindingList); !clusterScoped {
		opts = append(opts, client.InNamespace(fc.Namespace))
	}
	if err := r.List(ctx, list, opts...); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing children: %w", err)
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	gvk, err := apiutil.GVKForObject(list, r.Scheme())
	if err != nil {
		return nil, err
	}
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	var owned []client.Object
	for _, item := range items {
		obj := item.(client.Object)
		obj.GetObjectKind().SetGroupVersionKind(gvk)
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
func (r *FluxConfigReconciler) pruneStale(ctx context.Context, fc *v1alpha1.FluxConfig, built *builder.Objects) error {
	wanted := map[string]bool{}
	for _, obj := range built.All() {
		wanted[childKey(kindOf(obj), obj.GetName())] = true
	}
	for _, list := range childLists() {
		children, err := r.ownedChildren(ctx, fc, list)
		if err != nil {
			return err
		}
		for _, child := range children {
			kind := kindOf(child)
			if wanted[childKey(kind, child.GetName())] {
				continue
			}
			if err := r.Delete(ctx, child); client.IgnoreNotFound(err) != nil {
				return fmt.Errorf("deleting %s %s: %w", kind, child.GetName(), err)
			}
			ctrl.LoggerFrom(ctx).Info("deleted a child that is no longer wanted", "kind", kind, "name", child.GetName())
		}
	}
	if built.ServiceAccount == nil {
		return r.deleteApplierIfUnused(ctx, fc, false)
	}
	return nil
}

// reconcileDelete deletes the children in order: the Kustomizations first,
// then, once kustomize-controller has finalized them (pruning what they
// applied), the sources, Secrets and bindings; then the finalizer goes.
func (r *FluxConfigReconciler) reconcileDelete(ctx context.Context, s *reconcileScope) (ctrl.Result, error) {
	fc := s.fc
	s.report.Deleting = true
	if !controllerutil.ContainsFinalizer(fc, v1alpha1.FluxConfigFinalizer) {
		return ctrl.Result{}, nil
	}
	kustomizations, err := r.ownedChildren(ctx, fc, &kustomizev1.KustomizationList{})
	if err != nil {
		return ctrl.Result{}, err
	}
	if len(kustomizations) > 0 {
		var names []string
		for _, ks := range kustomizations {
			names = append(names, ks.GetName())
			if ks.GetDeletionTimestamp().IsZero() {
				if err := r.Delete(ctx, ks); client.IgnoreNotFound(err) != nil {
					return ctrl.Result{}, fmt.Errorf("deleting Kustomization %s: %w", ks.GetName(), err)
				}
			}
		}
		sort.Strings(names)
		s.report.DeletingMessage = fmt.Sprintf("waiting for kustomize-controller to finalize the Kustomizations %s (it prunes what they applied) before the source is deleted", strings.Join(names, ", "))
		return ctrl.Result{RequeueAfter: r.RetryInterval}, nil
	}
	for _, list := range childLists()[1:] {
		children, err := r.ownedChildren(ctx, fc, list)
		if err != nil {
			return ctrl.Result{}, err
		}
		for _, child := range children {
			if err := r.Delete(ctx, child); client.IgnoreNotFound(err) != nil {
				return ctrl.Result{}, fmt.Errorf("deleting %s: %w", child.GetName(), err)
			}
		}
	}
	if err := r.deleteApplierIfUnused(ctx, fc, true); err != nil {
		return ctrl.Result{}, err
	}
	base := fc.DeepCopy()
	controllerutil.RemoveFinalizer(fc, v1alpha1.FluxConfigFinalizer)
	if err := r.Patch(ctx, fc, client.MergeFrom(base)); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	return ctrl.Result{}, nil
}

// deleteApplierIfUnused deletes the namespace's flux-applier ServiceAccount
// when no FluxConfig needs it: multi-tenancy is off, or (when deleting)
// fc was the last FluxConfig of the namespace that is not being deleted.
func (r *FluxConfigReconciler) deleteApplierIfUnused(ctx context.Context, fc *v1alpha1.FluxConfig, deleting bool) error {
	if deleting && r.Builder.MultiTenancy {
		var all v1alpha1.FluxConfigList
		if err := r.List(ctx, &all, client.InNamespace(fc.Namespace)); err != nil {
			return err
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

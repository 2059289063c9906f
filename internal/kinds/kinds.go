// Package kinds is the one table of the kinds the controller deals with: the
// children it creates (and so watches, caches, prunes and deletes), and the
// Flux kinds whose status it reads, as children or because a generated
// Kustomization applied them. Adding a kind is adding one entry to All.
package kinds

import (
	"reflect"
	"sync"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// Kind is one entry of the table.
type Kind struct {
	// GVK is the group, version and kind the controller reads and writes.
	GVK schema.GroupVersionKind
	// New returns an empty object of the kind; NewList an empty list.
	New     func() client.Object
	NewList func() client.ObjectList
	// Child: the controller creates objects of this kind, and deletes those
	// of a FluxConfig that it no longer wants (found by the FluxConfig's
	// labels). The cache holds only the labeled objects of child kinds that
	// are not Flux kinds, so foreign Secrets and bindings cost no memory.
	Child bool
	// Applied: an object of this kind that a generated Kustomization applied
	// counts in the FluxConfig's status.
	Applied bool
	// ClusterScoped kinds have no namespace, and so no owner reference.
	ClusterScoped bool
	// OnMiss is what the applier does when the cache does not hold a
	// wanted object of this kind: Flux kinds are cached whole, so a miss
	// is a new object (one request); bindings are created with a POST,
	// which fails on a foreign one; Secrets, ConfigMaps and
	// ServiceAccounts, whose keys or annotations may later be removed, are
	// looked up first.
	OnMiss apply.OnMiss
	// HoldsDeletion: when a FluxConfig is deleted, the kinds after this one
	// are deleted only once its objects are gone (their Flux controller
	// finalizes them first).
	HoldsDeletion bool
	// TrimSpec empties what the controller reads of a Flux object only when
	// it applies it (the spec but its suspend, a Kustomization's
	// inventory): the cache holds another shard's children that way, and
	// every object of a Flux kind that is no child (a HelmRelease's values
	// are never read). Nil keeps the spec.
	TrimSpec func(client.Object)
	// TrimStatus drops from every cached object of the kind the status
	// fields nothing reads: the histories Flux keeps (a Kustomization's
	// whole, a HelmRelease's but its latest release). Nil keeps the status.
	TrimStatus func(client.Object)
	// Project reads what the status needs of a Flux object; nil for the
	// other kinds. Its result is also what a watch compares to decide
	// whether a change matters, so Flux's frequent status bookkeeping wakes
	// nobody.
	Project func(client.Object) status.Object
}

// Flux tells whether the kind is a Flux kind: its CRD may be missing from a
// cluster, so its watch starts once the CRD is installed.
func (k Kind) Flux() bool { return k.Project != nil }

// All is the table, in deletion order: the Kustomizations first (deleting
// them lets kustomize-controller prune what they applied while the source is
// still there, so they hold the deletion), then the sources, then
// credentials and identities.
var All = []Kind{
	{
		GVK: kustomizev1.GroupVersion.WithKind(kustomizev1.KustomizationKind),
		New: func() client.Object { return &kustomizev1.Kustomization{} }, NewList: func() client.ObjectList { return &kustomizev1.KustomizationList{} },
		Child: true, Applied: true, HoldsDeletion: true, OnMiss: apply.ApplyOnMiss, Project: projectKustomization,
		TrimSpec: func(o client.Object) {
			t := o.(*kustomizev1.Kustomization)
			t.Spec = kustomizev1.KustomizationSpec{Suspend: t.Spec.Suspend}
			t.Status.Inventory = nil
		},
		TrimStatus: func(o client.Object) { o.(*kustomizev1.Kustomization).Status.History = nil },
	},
	{
		GVK: sourcev1.GroupVersion.WithKind(sourcev1.GitRepositoryKind),
		New: func() client.Object { return &sourcev1.GitRepository{} }, NewList: func() client.ObjectList { return &sourcev1.GitRepositoryList{} },
		Child: true, Applied: true, OnMiss: apply.ApplyOnMiss, Project: projectSource,
		TrimSpec: func(o client.Object) {
			t := o.(*sourcev1.GitRepository)
			t.Spec = sourcev1.GitRepositorySpec{Suspend: t.Spec.Suspend}
		},
	},
	{
		GVK: sourcev1.GroupVersion.WithKind(sourcev1.BucketKind),
		New: func() client.Object { return &sourcev1.Bucket{} }, NewList: func() client.ObjectList { return &sourcev1.BucketList{} },
		Child: true, Applied: true, OnMiss: apply.ApplyOnMiss, Project: projectSource,
		TrimSpec: func(o client.Object) {
			t := o.(*sourcev1.Bucket)
			t.Spec = sourcev1.BucketSpec{Suspend: t.Spec.Suspend}
		},
	},
	{
		GVK: sourcev1.GroupVersion.WithKind(sourcev1.OCIRepositoryKind),
		New: func() client.Object { return &sourcev1.OCIRepository{} }, NewList: func() client.ObjectList { return &sourcev1.OCIRepositoryList{} },
		Child: true, Applied: true, OnMiss: apply.ApplyOnMiss, Project: projectSource,
		TrimSpec: func(o client.Object) {
			t := o.(*sourcev1.OCIRepository)
			t.Spec = sourcev1.OCIRepositorySpec{Suspend: t.Spec.Suspend}
		},
	},
	{
		GVK: helmv2.GroupVersion.WithKind(helmv2.HelmReleaseKind),
		New: func() client.Object { return &helmv2.HelmRelease{} }, NewList: func() client.ObjectList { return &helmv2.HelmReleaseList{} },
		Applied: true, Project: projectHelmRelease,
		TrimSpec: func(o client.Object) {
			t := o.(*helmv2.HelmRelease)
			t.Spec = helmv2.HelmReleaseSpec{Suspend: t.Spec.Suspend}
		},
		TrimStatus: func(o client.Object) {
			// Latest sorts the history in place: here, before the object
			// is shared, rather than in a watch handler.
			t := o.(*helmv2.HelmRelease)
			if latest := t.Status.History.Latest(); latest != nil {
				t.Status.History = helmv2.Snapshots{latest}
			}
		},
	},
	{
		GVK: sourcev1.GroupVersion.WithKind(sourcev1.HelmChartKind),
		New: func() client.Object { return &sourcev1.HelmChart{} }, NewList: func() client.ObjectList { return &sourcev1.HelmChartList{} },
		Applied: true, Project: projectSource,
		TrimSpec: func(o client.Object) {
			t := o.(*sourcev1.HelmChart)
			t.Spec = sourcev1.HelmChartSpec{Suspend: t.Spec.Suspend}
		},
	},
	{
		GVK: sourcev1.GroupVersion.WithKind(sourcev1.HelmRepositoryKind),
		New: func() client.Object { return &sourcev1.HelmRepository{} }, NewList: func() client.ObjectList { return &sourcev1.HelmRepositoryList{} },
		Applied: true, Project: projectSource,
		TrimSpec: func(o client.Object) {
			t := o.(*sourcev1.HelmRepository)
			t.Spec = sourcev1.HelmRepositorySpec{Suspend: t.Spec.Suspend}
		},
	},
	{
		GVK: corev1.SchemeGroupVersion.WithKind("Secret"),
		New: func() client.Object { return &corev1.Secret{} }, NewList: func() client.ObjectList { return &corev1.SecretList{} },
		Child: true,
	},
	{
		GVK: rbacv1.SchemeGroupVersion.WithKind("RoleBinding"),
		New: func() client.Object { return &rbacv1.RoleBinding{} }, NewList: func() client.ObjectList { return &rbacv1.RoleBindingList{} },
		Child: true, OnMiss: apply.CreateOnMiss,
	},
	{
		GVK: rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"),
		New: func() client.Object { return &rbacv1.ClusterRoleBinding{} }, NewList: func() client.ObjectList { return &rbacv1.ClusterRoleBindingList{} },
		Child: true, ClusterScoped: true, OnMiss: apply.CreateOnMiss,
	},
	{
		// The ConfigMaps of kubeConfigs (remote clusters).
		GVK: corev1.SchemeGroupVersion.WithKind("ConfigMap"),
		New: func() client.Object { return &corev1.ConfigMap{} }, NewList: func() client.ObjectList { return &corev1.ConfigMapList{} },
		Child: true,
	},
	{
		// The ServiceAccounts of object-level workload identities carry
		// their FluxConfig's labels and are pruned like the other children.
		// The namespace's shared flux-applier carries no FluxConfig's name
		// label, so pruning by a FluxConfig's labels never finds it; it is
		// deleted with the namespace's last FluxConfig. Looked up on a miss,
		// then applied, not created with a POST: an identity's annotations
		// can be removed later (its tenant ID), which needs the fields
		// owned by the apply.
		GVK: corev1.SchemeGroupVersion.WithKind("ServiceAccount"),
		New: func() client.Object { return &corev1.ServiceAccount{} }, NewList: func() client.ObjectList { return &corev1.ServiceAccountList{} },
		Child: true,
	},
}

// Children are the kinds the controller creates, in deletion order.
func Children() []Kind { return filter(func(k Kind) bool { return k.Child }) }

// Watched are the Flux kinds whose changes wake a FluxConfig.
func Watched() []Kind { return filter(Kind.Flux) }

// CachedByLabel are the child kinds that the cache holds only when they
// carry the controller's managed label.
func CachedByLabel() []Kind {
	return filter(func(k Kind) bool { return k.Child && !k.Flux() })
}

// OnMissOf is the applier's policy for a cache miss of a kind of the table
// (ReadOnMiss for any other kind).
func OnMissOf(gvk schema.GroupVersionKind) apply.OnMiss {
	for _, k := range All {
		if k.GVK == gvk {
			return k.OnMiss
		}
	}
	return apply.ReadOnMiss
}

// ByGroupKind finds the kind of an object a Kustomization applied, if it
// counts in the status.
func ByGroupKind(gk schema.GroupKind) (Kind, bool) {
	for _, k := range All {
		if k.Applied && k.GVK.GroupKind() == gk {
			return k, true
		}
	}
	return Kind{}, false
}

// Of finds the kind of a typed object, by its Go type. It runs for every
// object a watch delivers, so the table is indexed once.
func Of(obj client.Object) (Kind, bool) {
	k, ok := byType()[reflect.TypeOf(obj)]
	return k, ok
}

var byType = sync.OnceValue(func() map[reflect.Type]Kind {
	m := make(map[reflect.Type]Kind, len(All))
	for _, k := range All {
		m[reflect.TypeOf(k.New())] = k
	}
	return m
})

func filter(keep func(Kind) bool) []Kind {
	var out []Kind
	for _, k := range All {
		if keep(k) {
			out = append(out, k)
		}
	}
	return out
}

// OwnerIndex is the cache index of the children of a FluxConfig: the
// "<namespace>/<name>" of the FluxConfig whose labels a child carries.
// Pruning and deletion list a FluxConfig's children through it, so a pass
// costs the same with ten or ten thousand FluxConfigs in the cache.
const OwnerIndex = "clusterconfig.azure.com/owner"

// OwnerKeyOf is the OwnerIndex value of a FluxConfig.
func OwnerKeyOf(namespace, name string) string { return namespace + "/" + name }

// OwnerKeys is the OwnerIndex function: the owner of a child the
// controller labeled as a FluxConfig's, none for any other object (the
// namespace's shared flux-applier carries no FluxConfig's name).
func OwnerKeys(obj client.Object) []string {
	l := obj.GetLabels()
	if l[v1alpha1.ManagedLabel] != "true" || l[v1alpha1.NameLabel] == "" || l[v1alpha1.NamespaceLabel] == "" {
		return nil
	}
	return []string{OwnerKeyOf(l[v1alpha1.NamespaceLabel], l[v1alpha1.NameLabel])}
}

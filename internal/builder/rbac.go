package builder

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// The ServiceAccount is shared by every FluxConfig of a namespace, so it
// carries the managed label but no owner: the controller deletes it when
// the last FluxConfig of the namespace is gone. Each FluxConfig gets its own
// binding, so deleting one never takes rights from another.
func buildRBAC(fc *v1alpha1.FluxConfig) (*corev1.ServiceAccount, *rbacv1.RoleBinding, *rbacv1.ClusterRoleBinding) {
	sa := &corev1.ServiceAccount{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      ApplierServiceAccount,
			Namespace: fc.Namespace,
			Labels:    map[string]string{v1alpha1.ManagedLabel: "true", v1alpha1.NamespaceLabel: fc.Namespace},
		},
	}
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ApplierServiceAccount, Namespace: fc.Namespace}}
	if fc.Spec.Scope == v1alpha1.ScopeNamespace {
		return sa, &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
			ObjectMeta: objectMeta(fc, RoleBindingName(fc)),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"},
			Subjects:   subjects,
		}, nil
	}
	// A cluster-scoped object cannot be owned by a namespaced one: it is
	// found by its labels and deleted by the controller itself.
	return sa, nil, &rbacv1.ClusterRoleBinding{
		TypeMeta: metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   ClusterRoleBindingName(fc),
			Labels: Labels(fc),
		},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: subjects,
	}
}

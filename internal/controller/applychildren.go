package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// applyAll applies every built child, identity and source before the
// Kustomizations that use them. An object of a child's name that the
// controller did not create stops the pass with a conflict, untouched.
// A generated SSH public key is published once its auth Secret holds it,
// never before: the status never shows a key stored nowhere.
func (r *FluxConfigReconciler) applyAll(ctx context.Context, s *reconcileScope) error {
	log := ctrl.LoggerFrom(ctx)
	for _, obj := range s.built.All() {
		action, err := r.applier.Apply(ctx, obj, ownedBy(s.fc))
		if err != nil {
			return err
		}
		if obj == client.Object(s.built.AuthSecret) {
			s.report.PublicKey = s.built.RepositoryPublicKey
		}
		if action == apply.Created {
			s.created = append(s.created, fmt.Sprintf("%s/%s", kindOf(obj), obj.GetName()))
		}
		if action != apply.Unchanged {
			log.V(1).Info("applied a child", "action", action, "kind", kindOf(obj), "object", klog.KObj(obj))
		}
	}
	return nil
}

// ownedBy accepts an existing object as the FluxConfig's own: it carries
// its controller reference, or (for the cluster-scoped binding, which can
// have no owner) its labels, or is the namespace's shared applier
// ServiceAccount that the controller made.
func ownedBy(fc *v1alpha1.FluxConfig) apply.Owns {
	return func(live client.Object) bool {
		if _, ok := live.(*corev1.ServiceAccount); ok {
			l := live.GetLabels()
			return l[v1alpha1.ManagedLabel] == "true" && l[v1alpha1.NamespaceLabel] == fc.Namespace
		}
		if live.GetNamespace() == "" {
			return builder.HasLabelsOf(live, fc)
		}
		return builder.IsControlledBy(live, fc)
	}
}

func kindOf(obj client.Object) string {
	return obj.GetObjectKind().GroupVersionKind().Kind
}

package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
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
// never before: the status never shows a key stored nowhere. When the auth
// Secret of an existing source changed, the source is asked to fetch
// again. A refusal of the API server names the additionalConfigurations
// keys that went into the object.
func (r *FluxConfigReconciler) applyAll(ctx context.Context, s *reconcileScope) error {
	log := ctrl.LoggerFrom(ctx)
	rotated := false
	for _, obj := range s.built.All() {
		action, err := r.applier.Apply(ctx, obj, ownedBy(s.fc))
		if err != nil {
			return nameAdditionalKeys(s.fc, obj, err)
		}
		if obj == client.Object(s.built.AuthSecret) {
			s.report.PublicKey = s.built.RepositoryPublicKey
			rotated = action != apply.Unchanged
		}
		if obj == s.built.Source && rotated && action != apply.Created {
			if err := r.requestSourceReconcile(ctx, obj); err != nil {
				return err
			}
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

// nameAdditionalKeys names, in the API server's refusal of a generated
// Flux object, the additionalConfigurations keys that went into it.
func nameAdditionalKeys(fc *v1alpha1.FluxConfig, obj client.Object, err error) error {
	var rejected *apply.RejectedError
	if errors.As(err, &rejected) {
		rejected.Err = builder.NameAdditionalKeys(fc, obj, rejected.Err)
	}
	return err
}

// requestSourceReconcile asks source-controller to fetch again now, as
// `flux reconcile source` does: the auth Secret changed (a rotated
// credential), which source-controller does not watch, and a source that
// failed with the old credential may be backing off for minutes.
func (r *FluxConfigReconciler) requestSourceReconcile(ctx context.Context, src client.Object) error {
	patch := []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`,
		meta.ReconcileRequestAnnotation, time.Now().UTC().Format(time.RFC3339Nano)))
	if err := r.Patch(ctx, src.DeepCopyObject().(client.Object), client.RawPatch(types.MergePatchType, patch)); err != nil {
		return fmt.Errorf("asking for a reconcile of %s %s after its credentials changed: %w", kindOf(src), src.GetName(), err)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("credentials changed: asked for a reconcile of the source", "kind", kindOf(src), "object", klog.KObj(src))
	return nil
}

// ownedBy accepts an existing object as the FluxConfig's own: it carries
// its controller reference, or (for the cluster-scoped binding, which can
// have no owner) its labels, or is the namespace's shared applier
// ServiceAccount that the controller made. The ServiceAccounts of
// workload identities carry the FluxConfig's name label and its controller
// reference.
func ownedBy(fc *v1alpha1.FluxConfig) apply.Owns {
	return func(live client.Object) bool {
		if _, ok := live.(*corev1.ServiceAccount); ok && live.GetLabels()[v1alpha1.NameLabel] == "" {
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

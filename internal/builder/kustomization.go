package builder

import (
	"encoding/json"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// HelmReleaseGroup is the API group of the HelmReleases the managed-source
// patch targets.
const HelmReleaseGroup = "helm.toolkit.fluxcd.io"

// builtKustomization is a generated Kustomization with what it needs of
// its own: the kubeConfig ConfigMap and the ServiceAccount of its
// workload identity, for a remote cluster.
type builtKustomization struct {
	ks         *kustomizev1.Kustomization
	kubeConfig *corev1.ConfigMap
	identity   *corev1.ServiceAccount
}

// buildKustomization builds the Flux Kustomization of one entry: the typed
// fields, then the kubeConfig, then its additionalConfigurations.
func buildKustomization(fc *v1alpha1.FluxConfig, k v1alpha1.KustomizationDefinition, opts Options) (builtKustomization, error) {
	out := builtKustomization{ks: typedKustomization(fc, k, opts)}
	kc, err := buildKubeConfig(fc, k, opts)
	if err != nil {
		return out, err
	}
	if kc != nil {
		// The remote cluster's access is the identity's role there: the
		// local applier does not exist on it, so it is not impersonated.
		out.ks.Spec.KubeConfig, out.ks.Spec.ServiceAccountName = kc.ref, ""
		out.kubeConfig, out.identity = kc.configMap, kc.identity
	}
	if err := mergeKustomizationAdditional(fc, k, out.ks); err != nil {
		return out, err
	}
	return out, nil
}

func typedKustomization(fc *v1alpha1.FluxConfig, k v1alpha1.KustomizationDefinition, opts Options) *kustomizev1.Kustomization {
	interval := orDefaultInterval(k.SyncInterval)
	timeout := orDefaultInterval(k.Timeout)
	ks := &kustomizev1.Kustomization{
		TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: kustomizev1.KustomizationKind},
		ObjectMeta: fluxObjectMeta(fc, KustomizationName(fc, k.Name)),
		Spec: kustomizev1.KustomizationSpec{
			SourceRef: kustomizev1.CrossNamespaceSourceReference{
				Kind: FluxSourceKind(fc),
				Name: SourceName(fc),
			},
			Path:          k.Path,
			Interval:      interval,
			RetryInterval: k.RetryInterval,
			Timeout:       &timeout,
			Prune:         k.Prune,
			Force:         k.Force,
			Wait:          k.Wait == nil || *k.Wait,
			Suspend:       fc.Spec.Suspend,
		},
	}
	for _, d := range k.DependsOn {
		ks.Spec.DependsOn = append(ks.Spec.DependsOn, meta.DependencyReference{Name: KustomizationName(fc, d)})
	}
	if pb := k.PostBuild; pb != nil && (len(pb.Substitute) > 0 || len(pb.SubstituteFrom) > 0) {
		ks.Spec.PostBuild = &kustomizev1.PostBuild{Substitute: pb.Substitute}
		for _, s := range pb.SubstituteFrom {
			ks.Spec.PostBuild.SubstituteFrom = append(ks.Spec.PostBuild.SubstituteFrom,
				kustomizev1.SubstituteReference{Kind: s.Kind, Name: s.Name, Optional: s.Optional})
		}
	}
	if opts.MultiTenancy {
		ks.Spec.ServiceAccountName = ApplierServiceAccount
	}
	if ks.Spec.SourceRef.Kind == sourcev1.GitRepositoryKind {
		ks.Spec.Patches = []kustomize.Patch{ManagedSourcePatch(fc)}
	}
	return ks
}

// ManagedSourcePatch points every HelmRelease annotated
// clusterconfig.azure.com/use-managed-source=true at the FluxConfig's
// GitRepository, so its chart is read from the same repository.
// kustomize-controller applies it; the controller never edits HelmReleases.
func ManagedSourcePatch(fc *v1alpha1.FluxConfig) kustomize.Patch {
	ops := []map[string]any{{
		"op":   "add",
		"path": "/spec/chart/spec/sourceRef",
		"value": map[string]string{
			"kind":      sourcev1.GitRepositoryKind,
			"name":      SourceName(fc),
			"namespace": fc.Namespace,
		},
	}}
	patch, _ := json.Marshal(ops) // a fixed shape of strings: cannot fail
	return kustomize.Patch{
		Patch: string(patch),
		Target: &kustomize.Selector{
			Group:              HelmReleaseGroup,
			Kind:               "HelmRelease",
			AnnotationSelector: v1alpha1.UseManagedSourceAnnotation + "=true",
		},
	}
}

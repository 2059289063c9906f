package builder

import (
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// The annotations Azure workload identity reads on a ServiceAccount.
const (
	WorkloadIdentityClientIDAnnotation = "azure.workload.identity/client-id"
	WorkloadIdentityTenantIDAnnotation = "azure.workload.identity/tenant-id"
)

// azureProvider is the provider value of every Flux kind for Azure.
const azureProvider = "azure"

// SourceServiceAccountName is the name of the ServiceAccount generated for
// the source's objectLevelIdentity: <config>-<Flux source kind, lowercase>.
func SourceServiceAccountName(fc *v1alpha1.FluxConfig) string {
	return fc.Name + "-" + strings.ToLower(FluxSourceKind(fc))
}

// KubeConfigName is the name of the ConfigMap (and of the generated
// ServiceAccount) of a kustomization's kubeConfig.
func KubeConfigName(fc *v1alpha1.FluxConfig, kustomization string) string {
	return KustomizationName(fc, kustomization) + "-kubeconfig"
}

// sourceIdentityOf is the objectLevelIdentity of the FluxConfig's source.
func sourceIdentityOf(fc *v1alpha1.FluxConfig) *v1alpha1.ObjectLevelIdentityDefinition {
	s := fc.Spec
	switch {
	case s.GitRepository != nil:
		return s.GitRepository.ObjectLevelIdentity
	case s.Bucket != nil:
		return s.Bucket.ObjectLevelIdentity
	case s.AzureBlob != nil:
		return s.AzureBlob.ObjectLevelIdentity
	case s.OCIRepository != nil:
		return s.OCIRepository.ObjectLevelIdentity
	}
	return nil
}

// sourceIdentity gives the source Flux's object-level workload identity:
// provider azure and the ServiceAccount. It returns the ServiceAccount to
// create, nil when there is no objectLevelIdentity or it names its own.
func sourceIdentity(fc *v1alpha1.FluxConfig, src client.Object) *corev1.ServiceAccount {
	id := sourceIdentityOf(fc)
	if id == nil {
		return nil
	}
	name, sa := identityServiceAccount(fc, id, SourceServiceAccountName(fc))
	switch s := src.(type) {
	case *sourcev1.GitRepository:
		s.Spec.Provider, s.Spec.ServiceAccountName = azureProvider, name
	case *sourcev1.Bucket:
		// Workload identity reaches Azure Storage only, whose endpoint is
		// the whole URL.
		s.Spec.Provider, s.Spec.ServiceAccountName = azureProvider, name
		s.Spec.Endpoint = SourceURL(fc)
	case *sourcev1.OCIRepository:
		s.Spec.Provider, s.Spec.ServiceAccountName = sourcev1.AzureOCIProvider, name
	}
	return sa
}

// identityServiceAccount returns the name of the ServiceAccount of an
// objectLevelIdentity and, when the identity names none, the ServiceAccount
// to create under defaultName, annotated for Azure workload identity.
func identityServiceAccount(fc *v1alpha1.FluxConfig, id *v1alpha1.ObjectLevelIdentityDefinition, defaultName string) (string, *corev1.ServiceAccount) {
	if id.ServiceAccountName != "" {
		return id.ServiceAccountName, nil
	}
	sa := &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: objectMeta(fc, defaultName),
	}
	sa.Annotations = map[string]string{WorkloadIdentityClientIDAnnotation: id.ClientID}
	if id.TenantID != "" {
		sa.Annotations[WorkloadIdentityTenantIDAnnotation] = id.TenantID
	}
	return defaultName, sa
}

// kubeConfig is what a kustomization's kubeConfig adds: the ConfigMap
// Flux reads, the ServiceAccount to create (if any), and the reference.
type kubeConfig struct {
	configMap *corev1.ConfigMap
	identity  *corev1.ServiceAccount
	ref       *meta.KubeConfigReference
}

// buildKubeConfig builds the ConfigMap of a kustomization's kubeConfig, in
// the keys kustomize-controller reads: provider azure, the cluster's ARM
// resource ID, and the ServiceAccount whose workload identity logs in.
func buildKubeConfig(fc *v1alpha1.FluxConfig, k v1alpha1.KustomizationDefinition, opts Options) (*kubeConfig, error) {
	kc := k.KubeConfig
	if kc == nil {
		return nil, nil
	}
	if fc.Spec.Scope == v1alpha1.ScopeNamespace && !opts.AllowRemoteClustersInNamespaceScope {
		return nil, configErr("spec.kustomizations["+k.Name+"].kubeConfig",
			"applies to another cluster, which leaves the FluxConfig's namespace: this controller does not allow it under scope namespace (flag --allow-remote-clusters-in-namespace-scope=false); use scope cluster, or ask the cluster operator to set --allow-remote-clusters-in-namespace-scope=true")
	}
	name := KubeConfigName(fc, k.Name)
	sa, identity := identityServiceAccount(fc, &kc.ObjectLevelIdentity, name)
	return &kubeConfig{
		configMap: &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: objectMeta(fc, name),
			Data: map[string]string{
				meta.KubeConfigKeyProvider:           azureProvider,
				meta.KubeConfigKeyCluster:            kc.ClusterResourceID,
				meta.KubeConfigKeyServiceAccountName: sa,
			},
		},
		identity: identity,
		ref:      &meta.KubeConfigReference{ConfigMapRef: &meta.LocalObjectReference{Name: name}},
	}, nil
}

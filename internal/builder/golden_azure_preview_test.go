package builder_test

import (
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// Fake identities of the golden files (Azure's documentation examples).
const (
	fakeClientID = "9d2c439a-3b52-4a08-b64f-1d5f3e0d537e"
	fakeTenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	fakeAKS      = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-staging/providers/Microsoft.ContainerService/managedClusters/staging-aks"
)

// extra reads an additionalConfigurations object from YAML.
func extra(t *testing.T, doc string) v1alpha1.AdditionalConfigurations {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	out := v1alpha1.AdditionalConfigurations{Fields: map[string]apiextensionsv1.JSON{}}
	for k, v := range m {
		raw, err := yaml.Marshal(v)
		if err == nil {
			raw, err = yaml.YAMLToJSON(raw)
		}
		if err != nil {
			t.Fatal(err)
		}
		out.Fields[k] = apiextensionsv1.JSON{Raw: raw}
	}
	return out
}

func identity(serviceAccount string) *v1alpha1.ObjectLevelIdentityDefinition {
	return &v1alpha1.ObjectLevelIdentityDefinition{ClientID: fakeClientID, TenantID: fakeTenantID, ServiceAccountName: serviceAccount}
}

// azurePreviewGoldenCases cover the fields of Azure's 2026-07-01-preview
// model: additionalConfigurations, sparseCheckout, objectLevelIdentity,
// kubeConfig, and the forwarded reconcile request.
func azurePreviewGoldenCases() []goldenCase {
	return []goldenCase{
		{
			name: "git-additional-configurations-sparse-checkout",
			in: func(t *testing.T) builder.Input {
				t.Helper()
				spec := gitSpec("https://example.com/org/repo.git")
				spec.GitRepository.SparseCheckout = []string{"apps", "infrastructure"}
				spec.GitRepository.AdditionalConfigurations = &v1alpha1.GitRepositoryAdditionalConfigurations{AdditionalConfigurations: extra(t, `
recurseSubmodules: true
ignore: "*.md"
include:
- repository: {name: shared}
  fromPath: deploy
  toPath: shared
`)}
				apps := v1alpha1.KustomizationDefinition{Name: "apps", Path: "./apps", Prune: true}
				apps.AdditionalConfigurations = &v1alpha1.KustomizationAdditionalConfigurations{AdditionalConfigurations: extra(t, `
targetNamespace: apps
decryption: {provider: sops, secretRef: {name: sops-gpg}}
components: [../components/monitoring]
healthChecks:
- {apiVersion: apps/v1, kind: Deployment, name: web, namespace: apps}
healthCheckExprs:
- {apiVersion: example.com/v1, kind: Widget, current: "status.ready == true"}
images:
- {name: nginx, newTag: "1.27"}
patches:
- patch: '[{"op":"add","path":"/metadata/labels/team","value":"a"}]'
  target: {kind: Deployment}
`)}
				return builder.Input{Config: fluxConfig(withKustomizations(spec, apps))}
			},
		},
		{
			name: "git-object-level-identity-sync-now",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://dev.azure.com/contoso/app-team/_git/cluster-config")
				spec.GitRepository.ObjectLevelIdentity = identity("")
				fc := fluxConfig(spec)
				fc.Annotations = map[string]string{meta.ReconcileRequestAnnotation: "2026-05-12T10:30:00Z"}
				return builder.Input{Config: fc}
			},
			opts: multiTenantEverywhere,
		},
		{
			name: "bucket-object-level-identity-named-service-account",
			in: func(t *testing.T) builder.Input {
				t.Helper()
				spec := v1alpha1.FluxConfigSpec{
					Scope: v1alpha1.ScopeCluster, SourceKind: v1alpha1.SourceKindBucket,
					Bucket: &v1alpha1.BucketDefinition{
						URL: "https://fakeaccount.blob.core.windows.net", BucketName: "configs",
						ObjectLevelIdentity: identity("my-storage-reader"),
						AdditionalConfigurations: &v1alpha1.BucketAdditionalConfigurations{
							AdditionalConfigurations: extra(t, `{prefix: "clusters/staging/", ignore: "*.md"}`)},
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
		{
			name: "azureblob-object-level-identity",
			in: func(t *testing.T) builder.Input {
				t.Helper()
				spec := v1alpha1.FluxConfigSpec{
					Scope: v1alpha1.ScopeCluster, SourceKind: v1alpha1.SourceKindAzureBlob,
					AzureBlob: &v1alpha1.AzureBlobDefinition{
						URL: "https://fakeaccount.blob.core.windows.net", ContainerName: "configs",
						ObjectLevelIdentity: &v1alpha1.ObjectLevelIdentityDefinition{ClientID: fakeClientID},
						AdditionalConfigurations: &v1alpha1.AzureBlobAdditionalConfigurations{
							AdditionalConfigurations: extra(t, `{prefix: "clusters/staging/"}`)},
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
		{
			name: "oci-object-level-identity",
			in: func(t *testing.T) builder.Input {
				t.Helper()
				spec := v1alpha1.FluxConfigSpec{
					Scope: v1alpha1.ScopeCluster, SourceKind: v1alpha1.SourceKindOCIRepository,
					OCIRepository: &v1alpha1.OCIRepositoryDefinition{
						URL:                 "oci://fakeregistry.azurecr.io/manifests/app",
						RepositoryRef:       &v1alpha1.OCIRepositoryRefDefinition{Tag: "latest"},
						ObjectLevelIdentity: identity(""),
						AdditionalConfigurations: &v1alpha1.OCIRepositoryAdditionalConfigurations{
							AdditionalConfigurations: extra(t, `{ignore: "*.md", proxySecretRef: {name: proxy}}`)},
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
		{
			name: "kustomization-kubeconfig-remote-aks",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec = withKustomizations(spec,
					v1alpha1.KustomizationDefinition{Name: "local-apps", Path: "./apps/local", Prune: true},
					v1alpha1.KustomizationDefinition{
						Name: "remote-staging", Path: "./apps/staging", Prune: true, DependsOn: []string{"local-apps"},
						KubeConfig: &v1alpha1.KubeConfigDefinition{
							ClusterResourceID:   fakeAKS,
							ObjectLevelIdentity: v1alpha1.ObjectLevelIdentityDefinition{ClientID: fakeClientID, TenantID: fakeTenantID},
						},
					})
				return builder.Input{Config: fluxConfig(spec)}
			},
			opts: multiTenantEverywhere,
		},
	}
}

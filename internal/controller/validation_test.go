package controller

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

var _ = Describe("Admission", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace("fc-") })

	DescribeTable("rejects a bad FluxConfig with a message that names the field",
		func(name string, mutate func(*v1alpha1.FluxConfig), wants ...string) {
			fc := tutorialConfig(ns, name)
			mutate(fc)
			err := k8sClient.Create(ctx(), fc)
			Expect(err).To(HaveOccurred(), "the API server accepted it")
			for _, w := range wants {
				Expect(err.Error()).To(ContainSubstring(w))
			}
		},
		Entry("FluxConfig name that is not a DNS-1123 label", "bad.name", func(*v1alpha1.FluxConfig) {},
			"metadata.name must be a DNS-1123 label"),
		Entry("generated Kustomization name over 63 characters", strings.Repeat("c", 40), func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[0].Name = strings.Repeat("k", 25)
		}, "spec.kustomizations", "must be at most 63 characters"),
		Entry("kustomization name with capitals", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[0].Name = "Infra"
		}, "spec.kustomizations[0].name"),
		Entry("duplicate kustomization names", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[1].Name = "infra"
			fc.Spec.Kustomizations[1].DependsOn = nil
		}, "spec.kustomizations[1]", "Duplicate value"),
		Entry("dependsOn naming no sibling", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[1].DependsOn = []string{"infrastructure"}
		}, "spec.kustomizations", "every dependsOn entry must be the name of another kustomization"),
		Entry("a kustomization depending on itself", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[1].DependsOn = []string{"apps"}
		}, "spec.kustomizations[1].dependsOn", "cannot depend on itself"),
		Entry("the same dependsOn twice", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[1].DependsOn = []string{"infra", "infra"}
		}, "spec.kustomizations[1].dependsOn[1]", "Duplicate value"),
		Entry("sourceKind GitRepository without gitRepository", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository = nil
		}, "spec.gitRepository", "must be set when, and only when, spec.sourceKind is GitRepository"),
		Entry("sourceKind Bucket with a gitRepository body", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind = v1alpha1.SourceKindBucket
			fc.Spec.Bucket = &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "bucket"}
		}, "spec.gitRepository", "must be set when, and only when"),
		Entry("sourceKind OCIRepository with no body", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind = v1alpha1.SourceKindOCIRepository
			fc.Spec.GitRepository = nil
		}, "spec.ociRepository", "must be set when, and only when, spec.sourceKind is OCIRepository"),
		Entry("unknown sourceKind", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind = "HelmRepository"
		}, "spec.sourceKind", "Unsupported value"),
		Entry("unknown scope", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Scope = "global"
		}, "spec.scope", "Unsupported value"),
		Entry("two repository ref kinds", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.RepositoryRef.Tag = "v1.0.0"
		}, "spec.gitRepository.repositoryRef", "exactly one of branch, tag, semver or commit"),
		Entry("no repository ref", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{}
		}, "spec.gitRepository.repositoryRef", "exactly one of branch, tag, semver or commit"),
		Entry("a commit that is not a SHA", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Commit: "HEAD~1"}
		}, "spec.gitRepository.repositoryRef.commit"),
		Entry("a Git URL with an unknown scheme", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.URL = "ftp://example.com/repo"
		}, "spec.gitRepository.url", "must start with http://, https://, ssh:// or git@"),
		Entry("sshKnownHosts with an HTTPS URL", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.SSHKnownHosts = "github.com ssh-ed25519 AAAA"
		}, "spec.gitRepository.sshKnownHosts", "only for ssh:// or git@ URLs"),
		Entry("httpsUser with an SSH URL", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.URL = "ssh://git@github.com/org/repo"
			fc.Spec.GitRepository.HTTPSUser = "git"
		}, "spec.gitRepository.httpsUser", "only for http:// or https:// URLs"),
		Entry("httpsCACert with a plain http URL", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.URL = "http://git.example.com/repo"
			fc.Spec.GitRepository.HTTPSCACert = "-----BEGIN CERTIFICATE-----"
		}, "spec.gitRepository.httpsCACert", "only for https:// URLs"),
		Entry("localAuthRef and httpsUser together", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.LocalAuthRef = "creds"
			fc.Spec.GitRepository.HTTPSUser = "git"
		}, "spec.gitRepository.localAuthRef", "either localAuthRef or httpsUser"),
		Entry("provider azure with an SSH URL", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.URL = "ssh://git@ssh.dev.azure.com/v3/org/project/repo"
			fc.Spec.GitRepository.Provider = "azure"
		}, "spec.gitRepository.provider", "need an https:// URL"),
		Entry("a bucket URL without a scheme", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind, fc.Spec.GitRepository = v1alpha1.SourceKindBucket, nil
			fc.Spec.Bucket = &v1alpha1.BucketDefinition{URL: "s3.example.com", BucketName: "bucket"}
		}, "spec.bucket.url", "must start with http:// or https://"),
		Entry("bucket accessKey and localAuthRef together", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind, fc.Spec.GitRepository = v1alpha1.SourceKindBucket, nil
			fc.Spec.Bucket = &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "bucket", AccessKey: "id", LocalAuthRef: "creds"}
		}, "spec.bucket.localAuthRef", "either accessKey"),
		Entry("two Azure auth methods", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind, fc.Spec.GitRepository = v1alpha1.SourceKindAzureBlob, nil
			fc.Spec.AzureBlob = &v1alpha1.AzureBlobDefinition{
				URL: "https://account.blob.core.windows.net", ContainerName: "gitops",
				ServicePrincipal: &v1alpha1.ServicePrincipalDefinition{ClientID: "a", TenantID: "b"},
				ManagedIdentity:  &v1alpha1.ManagedIdentityDefinition{ClientID: "c"},
			}
		}, "spec.azureBlob", "at most one of servicePrincipal, managedIdentity and localAuthRef"),
		Entry("an OCI URL without oci://", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.SourceKind, fc.Spec.GitRepository = v1alpha1.SourceKindOCIRepository, nil
			fc.Spec.OCIRepository = &v1alpha1.OCIRepositoryDefinition{URL: "https://registry.example.com/manifests"}
		}, "spec.ociRepository.url", "must start with oci://"),
		Entry("substituteFrom of an unsupported kind", "x", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[0].PostBuild = &v1alpha1.PostBuildDefinition{
				SubstituteFrom: []v1alpha1.SubstituteReferenceDefinition{{Kind: "Deployment", Name: "vars"}},
			}
		}, "spec.kustomizations[0].postBuild.substituteFrom[0].kind", "Unsupported value"),
	)

	It("rejects a sync interval that is not a Go duration", func() {
		u := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal([]byte(`
apiVersion: clusterconfig.azure.com/v1alpha1
kind: FluxConfig
metadata: {name: interval, namespace: `+ns+`}
spec:
  gitRepository:
    url: https://github.com/org/repo
    repositoryRef: {branch: main}
    syncInterval: 10 minutes
`), &u.Object)).To(Succeed())
		err := k8sClient.Create(ctx(), u)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("spec.gitRepository.syncInterval"))
	})

	It("keeps scope immutable", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "fixed"))).To(Succeed())
		var err error
		Eventually(func() bool {
			fc := getFC(ns, "fixed")
			fc.Spec.Scope = v1alpha1.ScopeNamespace
			err = k8sClient.Update(ctx(), fc)
			return apierrors.IsConflict(err)
		}, timeout, interval).Should(BeFalse(), "retry while the controller adds its finalizer")
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("spec.scope"))
		Expect(err.Error()).To(ContainSubstring("immutable"))
	})

	It("accepts the tutorial's configuration and fills in the defaults", func() {
		fc := &v1alpha1.FluxConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "defaults", Namespace: ns},
			Spec: v1alpha1.FluxConfigSpec{
				GitRepository: &v1alpha1.GitRepositoryDefinition{
					URL:           "https://github.com/Azure/gitops-flux2-kustomize-helm-mt",
					RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
				},
				Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "infra", Path: "./infrastructure"}},
			},
		}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		fc = getFC(ns, "defaults")
		Expect(fc.Spec.Scope).To(Equal(v1alpha1.ScopeCluster))
		Expect(fc.Spec.SourceKind).To(Equal(v1alpha1.SourceKindGitRepository))
		Expect(fc.Spec.GitRepository.SyncInterval.Duration.String()).To(Equal("10m0s"))
		Expect(fc.Spec.Kustomizations[0].Timeout.Duration.String()).To(Equal("10m0s"))
		Expect(*fc.Spec.Kustomizations[0].Wait).To(BeTrue())
		Expect(fc.Spec.Kustomizations[0].Prune).To(BeFalse())
	})
})

package controller

import (
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

func expectOwnedChild(obj client.Object, fc *v1alpha1.FluxConfig) {
	ExpectWithOffset(1, obj.GetLabels()).To(HaveKeyWithValue(v1alpha1.ManagedLabel, "true"))
	ExpectWithOffset(1, obj.GetLabels()).To(HaveKeyWithValue(v1alpha1.NameLabel, fc.Name))
	ExpectWithOffset(1, obj.GetLabels()).To(HaveKeyWithValue(v1alpha1.NamespaceLabel, fc.Namespace))
	ExpectWithOffset(1, builder.IsControlledBy(obj, fc)).To(BeTrue(), "%s has no controller reference to the FluxConfig", obj.GetName())
}

// expectNoLeak checks that a secret value appears nowhere a user would see
// it: the FluxConfig (spec and status) and the events. AfterSuite checks the
// controller's logs for the same values.
func expectNoLeak(ns, name string, values ...string) {
	secretValues = append(secretValues, values...)
	fc := getFC(ns, name)
	out, err := yaml.Marshal(fc)
	Expect(err).NotTo(HaveOccurred())
	var events eventsv1.EventList
	Expect(k8sClient.List(ctx(), &events, client.InNamespace(ns))).To(Succeed())
	ev, err := yaml.Marshal(events)
	Expect(err).NotTo(HaveOccurred())
	for _, v := range values {
		ExpectWithOffset(1, strings.Contains(string(out), v)).To(BeFalse(), "a secret value is in the FluxConfig")
		ExpectWithOffset(1, strings.Contains(string(ev), v)).To(BeFalse(), "a secret value is in an event")
	}
}

var _ = Describe("Generated children", func() {
	It("creates the GitRepository, the Kustomizations with dependsOn and the managed-source patch, and the applier RBAC", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "cluster-config")
		fc.Spec.Kustomizations[0].RetryInterval = &metav1.Duration{Duration: 2 * time.Minute}
		fc.Spec.Kustomizations[1].PostBuild = &v1alpha1.PostBuildDefinition{
			Substitute:     map[string]string{"cluster_env": "staging"},
			SubstituteFrom: []v1alpha1.SubstituteReferenceDefinition{{Kind: "ConfigMap", Name: "vars", Optional: true}},
		}
		fc.Spec.Kustomizations[1].Wait = ptr.To(false)
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		fc = getFC(ns, fc.Name)

		repo := &sourcev1.GitRepository{}
		eventuallyGet(repo, ns, "cluster-config")
		expectOwnedChild(repo, fc)
		Expect(repo.Spec.URL).To(Equal("https://git.example.com/gitops-flux2-kustomize-helm-mt"))
		Expect(repo.Spec.Reference).To(Equal(&sourcev1.GitRepositoryRef{Branch: "main"}))
		Expect(repo.Spec.Interval.Duration).To(Equal(10 * time.Minute))
		Expect(repo.Spec.Timeout.Duration).To(Equal(10 * time.Minute))
		Expect(repo.Spec.SecretRef).To(BeNil(), "a public HTTPS repository needs no Secret")

		infra, apps := &kustomizev1.Kustomization{}, &kustomizev1.Kustomization{}
		eventuallyGet(infra, ns, "cluster-config-infra")
		eventuallyGet(apps, ns, "cluster-config-apps")
		expectOwnedChild(infra, fc)
		Expect(infra.Spec.SourceRef).To(Equal(kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "cluster-config"}))
		Expect(infra.Spec.Path).To(Equal("./infrastructure"))
		Expect(infra.Spec.Prune).To(BeTrue())
		Expect(infra.Spec.Wait).To(BeTrue(), "wait defaults to true")
		Expect(infra.Spec.Interval.Duration).To(Equal(10 * time.Minute))
		Expect(infra.Spec.RetryInterval.Duration).To(Equal(2 * time.Minute))
		Expect(infra.Spec.Timeout.Duration).To(Equal(10 * time.Minute))
		Expect(infra.Spec.ServiceAccountName).To(Equal("flux-applier"))
		Expect(infra.Spec.DependsOn).To(BeEmpty())

		Expect(apps.Spec.Path).To(Equal("./apps/staging"))
		Expect(apps.Spec.Wait).To(BeFalse())
		Expect(apps.Spec.DependsOn).To(HaveLen(1))
		Expect(apps.Spec.DependsOn[0].Name).To(Equal("cluster-config-infra"))
		Expect(apps.Spec.PostBuild.Substitute).To(Equal(map[string]string{"cluster_env": "staging"}))
		Expect(apps.Spec.PostBuild.SubstituteFrom).To(Equal([]kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "vars", Optional: true}}))

		for _, ks := range []*kustomizev1.Kustomization{infra, apps} {
			Expect(ks.Spec.Patches).To(HaveLen(1))
			p := ks.Spec.Patches[0]
			Expect(p.Target.Group).To(Equal("helm.toolkit.fluxcd.io"))
			Expect(p.Target.Kind).To(Equal("HelmRelease"))
			Expect(p.Target.AnnotationSelector).To(Equal("clusterconfig.azure.com/use-managed-source=true"))
			Expect(p.Patch).To(MatchJSON(`[{"op":"add","path":"/spec/chart/spec/sourceRef","value":{"kind":"GitRepository","name":"cluster-config","namespace":"` + ns + `"}}]`))
		}

		sa := &corev1.ServiceAccount{}
		eventuallyGet(sa, ns, "flux-applier")
		crb := &rbacv1.ClusterRoleBinding{}
		eventuallyGet(crb, "", "flux-applier-"+ns+"-cluster-config")
		Expect(crb.RoleRef.Name).To(Equal("cluster-admin"))
		Expect(crb.Subjects).To(ConsistOf(rbacv1.Subject{Kind: "ServiceAccount", Name: "flux-applier", Namespace: ns}))
		Expect(crb.Labels).To(HaveKeyWithValue(v1alpha1.NameLabel, "cluster-config"))

		Eventually(fcStatus(ns, fc.Name), timeout, interval).Should(And(
			HaveField("ProvisioningState", v1alpha1.ProvisioningSucceeded),
			HaveField("SourceURL", "https://git.example.com/gitops-flux2-kustomize-helm-mt"),
			HaveField("ObservedGeneration", fc.Generation),
		))
		Expect(getFC(ns, fc.Name).Finalizers).To(ContainElement(v1alpha1.FluxConfigFinalizer))
		Expect(getFC(ns, fc.Name).Generation).To(Equal(int64(1)), "the controller must never change the spec")
	})

	It("binds the applier to admin in its own namespace only, for scope namespace", func() {
		ns := newNamespace("tenant-")
		fc := tutorialConfig(ns, "team")
		fc.Spec.Scope = v1alpha1.ScopeNamespace
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		rb := &rbacv1.RoleBinding{}
		eventuallyGet(rb, ns, "flux-applier-team")
		Expect(rb.RoleRef).To(Equal(rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "admin"}))
		Expect(rb.Subjects).To(ConsistOf(rbacv1.Subject{Kind: "ServiceAccount", Name: "flux-applier", Namespace: ns}))
		var crbs rbacv1.ClusterRoleBindingList
		Expect(k8sClient.List(ctx(), &crbs, client.MatchingLabels{v1alpha1.NamespaceLabel: ns})).To(Succeed())
		Expect(crbs.Items).To(BeEmpty(), "scope namespace must never get a cluster-wide binding")
	})

	It("refuses scope cluster in a namespace the operator did not allow, naming the flag", func() {
		ns := newNamespace("tenant-")
		fc := tutorialConfig(ns, "sneaky")
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "sneaky"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.ComplianceNonCompliant),
			HaveField("ErrorMessage", And(ContainSubstring("spec.scope"), ContainSubstring("--cluster-scope-namespaces"))),
		))
		st := fcStatus(ns, "sneaky")()
		Expect(testkit.Condition(st, "Stalled").Status).To(Equal(metav1.ConditionTrue))
		Consistently(func() error {
			return k8sClient.Get(ctx(), client.ObjectKey{Name: "flux-applier-" + ns + "-sneaky"}, &rbacv1.ClusterRoleBinding{})
		}, "1s", interval).ShouldNot(Succeed(), "no cluster-admin binding may be created")
	})

	It("creates a generic Bucket with its access keys", func() {
		ns := newNamespace("fc-")
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"bucketSecretKey": "s3-secret-value-123"}))).To(Succeed())
		fc := &v1alpha1.FluxConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "bucket", Namespace: ns},
			Spec: v1alpha1.FluxConfigSpec{
				SourceKind: v1alpha1.SourceKindBucket,
				Bucket: &v1alpha1.BucketDefinition{
					URL: "http://minio.example.com:9000", BucketName: "manifests", AccessKey: "AKIAEXAMPLE",
					SyncInterval: &metav1.Duration{Duration: time.Minute},
				},
				ProtectedParametersSecretRef: &v1alpha1.LocalObjectReference{Name: "protected"},
				Kustomizations:               []v1alpha1.KustomizationDefinition{{Name: "all", Path: "./"}},
			},
		}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		b := &sourcev1.Bucket{}
		eventuallyGet(b, ns, "bucket")
		Expect(b.Spec.Provider).To(Equal("generic"))
		Expect(b.Spec.Endpoint).To(Equal("minio.example.com:9000"))
		Expect(b.Spec.Insecure).To(BeTrue(), "an http:// URL is insecure")
		Expect(b.Spec.BucketName).To(Equal("manifests"))
		Expect(b.Spec.Interval.Duration).To(Equal(time.Minute))
		Expect(b.Spec.SecretRef.Name).To(Equal("bucket-auth"))
		secret := &corev1.Secret{}
		eventuallyGet(secret, ns, "bucket-auth")
		Expect(secret.Data).To(Equal(map[string][]byte{"accesskey": []byte("AKIAEXAMPLE"), "secretkey": []byte("s3-secret-value-123")}))
		ks := &kustomizev1.Kustomization{}
		eventuallyGet(ks, ns, "bucket-all")
		Expect(ks.Spec.SourceRef.Kind).To(Equal("Bucket"))
		Expect(ks.Spec.Patches).To(BeEmpty(), "the managed Helm source is a GitRepository feature")
		Eventually(fcStatus(ns, "bucket"), timeout, interval).Should(HaveField("ProvisioningState", v1alpha1.ProvisioningSucceeded))
		expectNoLeak(ns, "bucket", "s3-secret-value-123")
	})

	It("creates an Azure Blob source as a Bucket with provider azure and the service principal keys", func() {
		ns := newNamespace("fc-")
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"clientSecret": "sp-secret-value-456"}))).To(Succeed())
		fc := &v1alpha1.FluxConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "blob", Namespace: ns},
			Spec: v1alpha1.FluxConfigSpec{
				SourceKind: v1alpha1.SourceKindAzureBlob,
				AzureBlob: &v1alpha1.AzureBlobDefinition{
					URL: "https://account.blob.core.windows.net", ContainerName: "gitops",
					ServicePrincipal: &v1alpha1.ServicePrincipalDefinition{ClientID: "client-1", TenantID: "tenant-1"},
				},
				ProtectedParametersSecretRef: &v1alpha1.LocalObjectReference{Name: "protected"},
				Kustomizations:               []v1alpha1.KustomizationDefinition{{Name: "all"}},
			},
		}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		b := &sourcev1.Bucket{}
		eventuallyGet(b, ns, "blob")
		Expect(b.Spec.Provider).To(Equal("azure"))
		Expect(b.Spec.Endpoint).To(Equal("https://account.blob.core.windows.net"))
		Expect(b.Spec.BucketName).To(Equal("gitops"))
		secret := &corev1.Secret{}
		eventuallyGet(secret, ns, "blob-auth")
		Expect(secret.Data).To(Equal(map[string][]byte{
			"clientId": []byte("client-1"), "tenantId": []byte("tenant-1"), "clientSecret": []byte("sp-secret-value-456"),
		}))
		ks := &kustomizev1.Kustomization{}
		eventuallyGet(ks, ns, "blob-all")
		Expect(ks.Spec.SourceRef.Kind).To(Equal("Bucket"))
		expectNoLeak(ns, "blob", "sp-secret-value-456")
	})

	It("creates an OCIRepository whose digest wins over semver and tag", func() {
		ns := newNamespace("fc-")
		fc := &v1alpha1.FluxConfig{
			ObjectMeta: metav1.ObjectMeta{Name: "oci", Namespace: ns},
			Spec: v1alpha1.FluxConfigSpec{
				SourceKind: v1alpha1.SourceKindOCIRepository,
				OCIRepository: &v1alpha1.OCIRepositoryDefinition{
					URL: "oci://registry.example.com/manifests",
					RepositoryRef: &v1alpha1.OCIRepositoryRefDefinition{
						Tag: "v1", Semver: ">=1.0.0", Digest: "sha256:" + strings.Repeat("ab", 32),
					},
					LayerSelector:       &v1alpha1.LayerSelectorDefinition{MediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", Operation: "copy"},
					UseWorkloadIdentity: true,
					ServiceAccountName:  "oci-reader",
					LocalAuthRef:        "registry-creds",
				},
				Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "all"}},
			},
		}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		o := &sourcev1.OCIRepository{}
		eventuallyGet(o, ns, "oci")
		Expect(o.Spec.URL).To(Equal("oci://registry.example.com/manifests"))
		Expect(o.Spec.Reference).To(Equal(&sourcev1.OCIRepositoryRef{Digest: "sha256:" + strings.Repeat("ab", 32)}))
		Expect(o.Spec.LayerSelector).To(Equal(&sourcev1.OCILayerSelector{MediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", Operation: "copy"}))
		Expect(o.Spec.Provider).To(Equal("azure"))
		Expect(o.Spec.ServiceAccountName).To(Equal("oci-reader"))
		Expect(o.Spec.SecretRef.Name).To(Equal("registry-creds"), "localAuthRef is used as it is")
		ks := &kustomizev1.Kustomization{}
		eventuallyGet(ks, ns, "oci-all")
		Expect(ks.Spec.SourceRef.Kind).To(Equal("OCIRepository"))
	})
})

var _ = Describe("Auth Secrets", func() {
	It("builds the HTTPS Secret from httpsUser, the protected httpsKey and the CA, without leaking the key", func() {
		ns := newNamespace("fc-")
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"httpsKey": "ghp_token-value-789"}))).To(Succeed())
		fc := tutorialConfig(ns, "https")
		fc.Spec.GitRepository.HTTPSUser = "git"
		fc.Spec.GitRepository.HTTPSCACert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "protected"}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		repo := &sourcev1.GitRepository{}
		eventuallyGet(repo, ns, "https")
		Expect(repo.Spec.SecretRef.Name).To(Equal("https-auth"))
		secret := &corev1.Secret{}
		eventuallyGet(secret, ns, "https-auth")
		expectOwnedChild(secret, getFC(ns, "https"))
		Expect(secret.Data).To(Equal(map[string][]byte{
			"username": []byte("git"), "password": []byte("ghp_token-value-789"),
			"ca.crt": []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
		}))
		Eventually(fcStatus(ns, "https"), timeout, interval).Should(HaveField("ProvisioningState", v1alpha1.ProvisioningSucceeded))
		expectNoLeak(ns, "https", "ghp_token-value-789")
	})

	It("builds the SSH Secret from the protected sshPrivateKey and known_hosts", func() {
		ns := newNamespace("fc-")
		key, err := builder.GenerateSSHKeyPair(builder.KeyAlgorithmEd25519)
		Expect(err).NotTo(HaveOccurred())
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"sshPrivateKey": string(key.PrivateKey)}))).To(Succeed())
		fc := tutorialConfig(ns, "ssh")
		fc.Spec.GitRepository.URL = "ssh://git@github.com/org/repo"
		fc.Spec.GitRepository.SSHKnownHosts = "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "protected"}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		secret := &corev1.Secret{}
		eventuallyGet(secret, ns, "ssh-auth")
		Expect(secret.Data["identity"]).To(Equal(key.PrivateKey))
		Expect(secret.Data["identity.pub"]).To(Equal(key.PublicKey))
		Expect(string(secret.Data["known_hosts"])).To(HavePrefix("github.com ssh-ed25519"))
		Eventually(fcStatus(ns, "ssh"), timeout, interval).Should(HaveField("ProvisioningState", v1alpha1.ProvisioningSucceeded))
		Expect(fcStatus(ns, "ssh")().RepositoryPublicKey).To(BeEmpty(), "the user's own key is not published")
		expectNoLeak(ns, "ssh", strings.Split(string(key.PrivateKey), "\n")[1])
	})

	It("generates an SSH key pair for an SSH URL with no key, publishes the public key and keeps it", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "deploykey")
		fc.Spec.GitRepository.URL = "git@github.com:org/repo.git"
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(func() string { return fcStatus(ns, "deploykey")().RepositoryPublicKey }, timeout, interval).Should(HavePrefix("ssh-rsa "), "RSA by default: Azure DevOps accepts only RSA keys")
		secret := &corev1.Secret{}
		eventuallyGet(secret, ns, "deploykey-auth")
		pub := fcStatus(ns, "deploykey")().RepositoryPublicKey
		Expect(strings.TrimSpace(string(secret.Data["identity.pub"]))).To(Equal(pub))

		By("a spec change does not rotate the key")
		fcNow := getFC(ns, "deploykey")
		fcNow.Spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Tag: "v1.0.0"}
		Expect(k8sClient.Update(ctx(), fcNow)).To(Succeed())
		Eventually(fcStatus(ns, "deploykey"), timeout, interval).Should(HaveField("ObservedGeneration", fcNow.Generation))
		Expect(fcStatus(ns, "deploykey")().RepositoryPublicKey).To(Equal(pub))
		expectNoLeak(ns, "deploykey", strings.Split(string(secret.Data["identity"]), "\n")[1])
	})

	It("uses localAuthRef as it is and creates no Secret", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "local")
		fc.Spec.GitRepository.LocalAuthRef = "my-git-creds"
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		repo := &sourcev1.GitRepository{}
		eventuallyGet(repo, ns, "local")
		Expect(repo.Spec.SecretRef.Name).To(Equal("my-git-creds"))
		Consistently(func() error {
			return k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "local-auth"}, &corev1.Secret{})
		}, "1s", interval).ShouldNot(Succeed())
	})

	It("stalls with a message naming the missing protected key, and recovers when the Secret is fixed", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "nokey")
		fc.Spec.GitRepository.HTTPSUser = "git"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "protected"}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "nokey"), timeout, interval).Should(HaveField("ErrorMessage",
			ContainSubstring("spec.protectedParametersSecretRef.name: Secret "+ns+"/protected does not exist")))
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"other": "x"}))).To(Succeed())
		Eventually(fcStatus(ns, "nokey"), timeout, interval).Should(HaveField("ErrorMessage",
			ContainSubstring("spec.gitRepository.httpsUser: is set but the Secret of spec.protectedParametersSecretRef has no httpsKey")))
		Expect(testkit.Condition(fcStatus(ns, "nokey")(), "Stalled").Status).To(Equal(metav1.ConditionTrue))
	})
})

package controller

import (
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

var _ = Describe("Lifecycle", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace("fc-") })

	It("updates the children in place when the spec changes", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "cluster-config"))).To(Succeed())
		ks := &kustomizev1.Kustomization{}
		eventuallyGet(ks, ns, "cluster-config-apps")
		uid := ks.UID

		fc := getFC(ns, "cluster-config")
		fc.Spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Branch: "release"}
		fc.Spec.Kustomizations[1].Path = "./apps/production"
		fc.Spec.Kustomizations[1].DependsOn = nil
		Expect(k8sClient.Update(ctx(), fc)).To(Succeed())

		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config-apps"}, ks)).To(Succeed())
			g.Expect(ks.Spec.Path).To(Equal("./apps/production"))
			g.Expect(ks.Spec.DependsOn).To(BeEmpty(), "a dependsOn removed from the spec is removed from the child")
		}, timeout, interval).Should(Succeed())
		Expect(ks.UID).To(Equal(uid), "updated in place, not recreated")
		repo := &sourcev1.GitRepository{}
		Eventually(func() string {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config"}, repo)
			return repo.Spec.Reference.Branch
		}, timeout, interval).Should(Equal("release"))
	})

	It("deletes the Kustomization of a kustomization removed from the spec", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "cluster-config"))).To(Succeed())
		eventuallyGet(&kustomizev1.Kustomization{}, ns, "cluster-config-apps")
		fc := getFC(ns, "cluster-config")
		fc.Spec.Kustomizations = fc.Spec.Kustomizations[:1]
		Expect(k8sClient.Update(ctx(), fc)).To(Succeed())
		eventuallyGone(&kustomizev1.Kustomization{}, ns, "cluster-config-apps")
		Consistently(func() error {
			return k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config-infra"}, &kustomizev1.Kustomization{})
		}, "1s", interval).Should(Succeed())
	})

	It("replaces the source when sourceKind changes", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "switch"))).To(Succeed())
		eventuallyGet(&sourcev1.GitRepository{}, ns, "switch")
		fc := getFC(ns, "switch")
		fc.Spec.SourceKind = v1alpha1.SourceKindOCIRepository
		fc.Spec.GitRepository = nil
		fc.Spec.OCIRepository = &v1alpha1.OCIRepositoryDefinition{URL: "oci://registry.example.com/manifests"}
		Expect(k8sClient.Update(ctx(), fc)).To(Succeed())
		eventuallyGet(&sourcev1.OCIRepository{}, ns, "switch")
		eventuallyGone(&sourcev1.GitRepository{}, ns, "switch")
		ks := &kustomizev1.Kustomization{}
		Eventually(func() string {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "switch-infra"}, ks)
			return ks.Spec.SourceRef.Kind
		}, timeout, interval).Should(Equal("OCIRepository"))
		Expect(ks.Spec.Patches).To(BeEmpty())
	})

	It("restores a child edited by someone else, and one deleted by someone else", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "cluster-config"))).To(Succeed())
		ks := &kustomizev1.Kustomization{}
		eventuallyGet(ks, ns, "cluster-config-infra")
		ks.Spec.Path = "./somewhere-else"
		ks.Spec.Prune = false
		Expect(k8sClient.Update(ctx(), ks)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(ks), ks)).To(Succeed())
			g.Expect(ks.Spec.Path).To(Equal("./infrastructure"))
			g.Expect(ks.Spec.Prune).To(BeTrue())
		}, timeout, interval).Should(Succeed())

		// Restoring is news once the FluxConfig has a status of its own.
		Eventually(compliance(ns, "cluster-config"), timeout, interval).ShouldNot(BeEmpty())
		repo := &sourcev1.GitRepository{}
		eventuallyGet(repo, ns, "cluster-config")
		oldUID := repo.UID
		Expect(k8sClient.Delete(ctx(), repo)).To(Succeed())
		Eventually(func() bool {
			err := k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config"}, repo)
			return err == nil && repo.UID != oldUID
		}, timeout, interval).Should(BeTrue(), "the deleted GitRepository comes back")
		Eventually(func() []string { return eventReasons(ns, "cluster-config") }, timeout, interval).Should(
			ContainElement(ReasonCreated), "a restored child is announced")

		crb := &rbacv1.ClusterRoleBinding{}
		eventuallyGet(crb, "", "flux-applier-"+ns+"-cluster-config")
		Expect(k8sClient.Delete(ctx(), crb)).To(Succeed())
		Eventually(func() error {
			return k8sClient.Get(ctx(), client.ObjectKey{Name: "flux-applier-" + ns + "-cluster-config"}, crb)
		}, timeout, interval).Should(Succeed(), "the deleted binding comes back")
	})

	It("leaves a foreign object with a child's name untouched and reports the conflict", func() {
		foreign := &sourcev1.GitRepository{
			ObjectMeta: metav1.ObjectMeta{Name: "cluster-config", Namespace: ns, Labels: map[string]string{"team": "someone-else"}},
			Spec: sourcev1.GitRepositorySpec{
				URL:      "https://example.com/theirs",
				Interval: metav1.Duration{Duration: 5 * 60e9},
			},
		}
		Expect(k8sClient.Create(ctx(), foreign)).To(Succeed())
		foreignSecret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "other-auth", Namespace: ns},
			StringData: map[string]string{"password": "theirs"},
		}
		Expect(k8sClient.Create(ctx(), foreignSecret)).To(Succeed())
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "cluster-config"))).To(Succeed())

		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ProvisioningState", v1alpha1.ProvisioningFailed),
			HaveField("ErrorMessage", ContainSubstring("GitRepository "+ns+"/cluster-config already exists and was not created by this FluxConfig")),
		))
		live := &sourcev1.GitRepository{}
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreign), live)).To(Succeed())
		Expect(live.Spec.URL).To(Equal("https://example.com/theirs"))
		Expect(live.OwnerReferences).To(BeEmpty())
		Expect(live.Labels).To(Equal(map[string]string{"team": "someone-else"}))

		By("a foreign Secret named like the auth Secret, invisible to the label-filtered cache, is not overwritten either")
		fc2 := tutorialConfig(ns, "other")
		fc2.Spec.GitRepository.HTTPSUser = "me"
		Expect(k8sClient.Create(ctx(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "pp", Namespace: ns}, StringData: map[string]string{"httpsKey": "mine"},
		})).To(Succeed())
		fc2.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "pp"}
		Expect(k8sClient.Create(ctx(), fc2)).To(Succeed())
		Eventually(fcStatus(ns, "other"), timeout, interval).Should(
			HaveField("ErrorMessage", ContainSubstring("Secret "+ns+"/other-auth already exists and was not created by this FluxConfig")))
		s := &corev1.Secret{}
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreignSecret), s)).To(Succeed())
		Expect(s.Data).To(Equal(map[string][]byte{"password": []byte("theirs")}))

		By("the FluxConfig's deletion leaves the foreign objects alone")
		Expect(k8sClient.Delete(ctx(), getFC(ns, "cluster-config"))).To(Succeed())
		Expect(k8sClient.Delete(ctx(), getFC(ns, "other"))).To(Succeed())
		eventuallyGone(&v1alpha1.FluxConfig{}, ns, "cluster-config")
		eventuallyGone(&v1alpha1.FluxConfig{}, ns, "other")
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreign), live)).To(Succeed())
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreignSecret), s)).To(Succeed())
	})

	It("suspends the children and reports Suspended, then resumes", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "cluster-config"))).To(Succeed())
		setGitRepositoryReady(ns, "cluster-config", "main@sha1:1111111111111111111111111111111111111111")
		ksReady(ns, "cluster-config-infra", "main@sha1:1111111111111111111111111111111111111111")
		ksReady(ns, "cluster-config-apps", "main@sha1:1111111111111111111111111111111111111111")
		Eventually(compliance(ns, "cluster-config"), timeout, interval).Should(Equal(v1alpha1.ComplianceCompliant))

		fc := getFC(ns, "cluster-config")
		fc.Spec.Suspend = true
		Expect(k8sClient.Update(ctx(), fc)).To(Succeed())
		Eventually(compliance(ns, "cluster-config"), timeout, interval).Should(Equal(v1alpha1.ComplianceSuspended))
		for _, name := range []string{"cluster-config-infra", "cluster-config-apps"} {
			ks := &kustomizev1.Kustomization{}
			Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, ks)).To(Succeed())
			Expect(ks.Spec.Suspend).To(BeTrue())
		}
		repo := &sourcev1.GitRepository{}
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config"}, repo)).To(Succeed())
		Expect(repo.Spec.Suspend).To(BeTrue())
		Expect(testkit.Condition(fcStatus(ns, "cluster-config")(), "Ready").Reason).To(Equal("Suspended"))

		fc = getFC(ns, "cluster-config")
		fc.Spec.Suspend = false
		Expect(k8sClient.Update(ctx(), fc)).To(Succeed())
		// Flux would reconcile the new generations; do as it does.
		Eventually(func() bool {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config"}, repo)
			return repo.Spec.Suspend
		}, timeout, interval).Should(BeFalse())
		setGitRepositoryReady(ns, "cluster-config", "main@sha1:1111111111111111111111111111111111111111")
		ksReady(ns, "cluster-config-infra", "main@sha1:1111111111111111111111111111111111111111")
		ksReady(ns, "cluster-config-apps", "main@sha1:1111111111111111111111111111111111111111")
		Eventually(compliance(ns, "cluster-config"), timeout, interval).Should(Equal(v1alpha1.ComplianceCompliant))
	})

	It("deletes in order: Kustomizations first, the source and Secrets after they are finalized, then the finalizer", func() {
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"httpsKey": "token"}))).To(Succeed())
		fc := tutorialConfig(ns, "cluster-config")
		fc.Spec.GitRepository.HTTPSUser = "git"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "protected"}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		infra := &kustomizev1.Kustomization{}
		eventuallyGet(infra, ns, "cluster-config-infra")
		eventuallyGet(&corev1.Secret{}, ns, "cluster-config-auth")
		eventuallyGet(&corev1.ServiceAccount{}, ns, "flux-applier")
		// kustomize-controller holds a Kustomization with its finalizer while
		// it prunes; stand in for it.
		infra.Finalizers = append(infra.Finalizers, "finalizers.fluxcd.io")
		Expect(k8sClient.Update(ctx(), infra)).To(Succeed())

		Expect(k8sClient.Delete(ctx(), getFC(ns, "cluster-config"))).To(Succeed())
		eventuallyGone(&kustomizev1.Kustomization{}, ns, "cluster-config-apps")
		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ProvisioningState", v1alpha1.ProvisioningDeleting),
			HaveField("Conditions", ContainElement(And(
				HaveField("Type", "Ready"),
				HaveField("Message", ContainSubstring("waiting for kustomize-controller to finalize the Kustomizations cluster-config-infra")))))))
		Consistently(func() error {
			return k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "cluster-config"}, &sourcev1.GitRepository{})
		}, "2s", interval).Should(Succeed(), "the source stays while a Kustomization is being finalized")

		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(infra), infra)).To(Succeed())
		infra.Finalizers = nil
		Expect(k8sClient.Update(ctx(), infra)).To(Succeed())

		eventuallyGone(&sourcev1.GitRepository{}, ns, "cluster-config")
		eventuallyGone(&corev1.Secret{}, ns, "cluster-config-auth")
		eventuallyGone(&rbacv1.ClusterRoleBinding{}, "", "flux-applier-"+ns+"-cluster-config")
		eventuallyGone(&corev1.ServiceAccount{}, ns, "flux-applier")
		eventuallyGone(&v1alpha1.FluxConfig{}, ns, "cluster-config")
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "protected"}, &corev1.Secret{})).To(Succeed(),
			"the user's protected parameters Secret is not the controller's to delete")
	})

	It("keeps the shared flux-applier ServiceAccount while another FluxConfig of the namespace needs it", func() {
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "one"))).To(Succeed())
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "two"))).To(Succeed())
		eventuallyGet(&rbacv1.ClusterRoleBinding{}, "", "flux-applier-"+ns+"-two")
		Expect(k8sClient.Delete(ctx(), getFC(ns, "one"))).To(Succeed())
		eventuallyGone(&v1alpha1.FluxConfig{}, ns, "one")
		eventuallyGone(&rbacv1.ClusterRoleBinding{}, "", "flux-applier-"+ns+"-one")
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "flux-applier"}, &corev1.ServiceAccount{})).To(Succeed())
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Name: "flux-applier-" + ns + "-two"}, &rbacv1.ClusterRoleBinding{})).To(Succeed())
	})
})

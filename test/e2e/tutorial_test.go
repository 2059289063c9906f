package e2e

import (
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
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

// The tutorial: FluxConfig cluster-config in namespace cluster-config, scope
// cluster, infra (./infrastructure) then apps (./apps/staging), both pruned.
var _ = Describe("The tutorial's FluxConfig", Ordered, func() {
	const ns, name = "cluster-config", "cluster-config"
	st := status(ns, name)
	infraReleases := []string{"nginx", "redis"}
	appReleases := []string{"podinfo", "hello"}

	BeforeAll(func() {
		createNamespace(ns)
		fc := fluxConfig(ns, name, v1alpha1.ScopeCluster, content.GitURL,
			kustomization("infra", "./infrastructure"),
			kustomization("apps", "./apps/staging", "infra"))
		Expect(k8s.Create(ctx, fc)).To(Succeed())
	})

	It("is Pending while Flux reconciles, then Compliant at the pushed commit with every object listed", func() {
		By("reporting Pending (not Non-Compliant) before Flux has caught up")
		Eventually(st).Should(WithTransform(func(s v1alpha1.FluxConfigStatus) string { return s.ProvisioningState }, Equal(v1alpha1.ProvisioningSucceeded)))
		Expect(st().ComplianceState).To(BeElementOf(v1alpha1.CompliancePending, v1alpha1.ComplianceCompliant))

		By("becoming Compliant")
		Eventually(st, "3m").Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		s := st()
		Expect(s.SourceSyncedCommitID).To(Equal("main@sha1:" + content.Commit))
		Expect(s.SourceURL).To(Equal(content.GitURL))
		Expect(s.ErrorMessage).To(BeEmpty())

		Expect(testkit.Entry(s, "GitRepository", name)).NotTo(BeNil())
		for _, k := range []string{"cluster-config-infra", "cluster-config-apps"} {
			e := testkit.Entry(s, "Kustomization", k)
			Expect(e).NotTo(BeNil(), k)
			Expect(e.ComplianceState).To(Equal(v1alpha1.ComplianceCompliant))
		}
		for _, hr := range append(infraReleases, appReleases...) {
			e := testkit.Entry(s, "HelmRelease", hr)
			Expect(e).NotTo(BeNil(), "statuses[] lists HelmRelease "+hr)
			Expect(e.ComplianceState).To(Equal(v1alpha1.ComplianceCompliant), hr)
			Expect(e.HelmReleaseProperties).NotTo(BeNil(), hr)
			Expect(e.HelmReleaseProperties.LastRevisionApplied).To(BeNumerically(">=", 1), hr)
			Expect(e.HelmReleaseProperties.HelmChartRef).NotTo(BeNil(), hr)
			Expect(e.HelmReleaseProperties.HelmChartRef.Name).To(Equal(ns+"-"+hr), hr)
			Expect(e.AppliedBy).NotTo(BeNil(), hr)
		}
		Expect(testkit.Entry(s, "HelmRelease", "hello").AppliedBy.Name).To(Equal("cluster-config-apps"))

		By("installing hello from the managed GitRepository: the patch worked")
		hr := &helmv2.HelmRelease{}
		Expect(k8s.Get(ctx, key(ns, "hello"), hr)).To(Succeed())
		Expect(hr.Spec.Chart.Spec.SourceRef.Kind).To(Equal(sourcev1.GitRepositoryKind))
		Expect(hr.Spec.Chart.Spec.SourceRef.Name).To(Equal(name))
		chart := &sourcev1.HelmChart{}
		Expect(k8s.Get(ctx, key(ns, ns+"-hello"), chart)).To(Succeed())
		Expect(chart.Spec.SourceRef.Kind).To(Equal(sourcev1.GitRepositoryKind))
		Expect(chart.Spec.Chart).To(Equal("./charts/hello"))
		cm := &corev1.ConfigMap{}
		Expect(k8s.Get(ctx, key("hello", "hello-config"), cm)).To(Succeed())
		Expect(cm.Data).To(HaveKeyWithValue("greeting", "hello-from-the-managed-source"))

		By("creating the workloads of every release in its target namespace")
		for ns, svc := range map[string]string{"nginx": "nginx-ingress-controller", "redis": "redis", "podinfo": "podinfo", "hello": "hello"} {
			Expect(k8s.Get(ctx, key(ns, svc), &corev1.Service{})).To(Succeed(), ns+"/"+svc)
		}
		cm = &corev1.ConfigMap{}
		Expect(k8s.Get(ctx, key("podinfo", "podinfo-config"), cm)).To(Succeed())
		Expect(cm.Data).To(HaveKeyWithValue("chart", "podinfo-6.5.0"))
	})

	It("reports a broken commit with Flux's own error and apps Pending on infra, then recovers at the fix", func() {
		By("pushing a commit that breaks a manifest under ./infrastructure")
		Expect(content.Repo.WriteFile("infrastructure/nginx/namespace.yaml",
			"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: nginx\n  labels: [this is not a map\n")).To(Succeed())
		broken, err := content.Repo.Commit("break the nginx namespace")
		Expect(err).NotTo(HaveOccurred())

		Eventually(st).Should(And(
			HaveCompliance(v1alpha1.ComplianceNonCompliant),
			WithTransform(func(s v1alpha1.FluxConfigStatus) string { return s.SourceSyncedCommitID }, Equal("main@sha1:"+broken)),
		))
		infra := &kustomizev1.Kustomization{}
		Expect(k8s.Get(ctx, key(ns, "cluster-config-infra"), infra)).To(Succeed())
		fluxMsg := readyMessage(infra.Status.Conditions)
		Expect(fluxMsg).To(ContainSubstring("kustomize build failed"))
		s := st()
		// Flux's message, naming infra: on its own, or at the end of the
		// chain once apps waits on it.
		Expect(s.ErrorMessage).To(Or(
			ContainSubstring("Kustomization cluster-config/cluster-config-infra: kustomize build failed"),
			ContainSubstring("infra failed: kustomize build failed")))
		Expect(testkit.Entry(s, "Kustomization", "cluster-config-infra").ComplianceState).To(Equal(v1alpha1.ComplianceNonCompliant))

		By("reporting apps Pending because infra is not ready, with the reason")
		Eventually(func() *v1alpha1.ObjectStatusDefinition {
			return testkit.Entry(st(), "Kustomization", "cluster-config-apps")
		}).Should(And(
			Not(BeNil()),
			WithTransform(func(e *v1alpha1.ObjectStatusDefinition) string { return e.ComplianceState }, Equal(v1alpha1.CompliancePending)),
			WithTransform(conditionText, And(ContainSubstring("DependencyNotReady"), ContainSubstring("cluster-config-infra"))),
		))
		Eventually(func() string { return st().ErrorMessage }).Should(HavePrefix("apps waits for infra; infra failed: kustomize build failed"),
			"errorMessage names the root cause, not the symptom")
		expectCLIExplainsBrokenCommit(ns, name)

		By("pushing the fix")
		Expect(content.Repo.WriteFile("infrastructure/nginx/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: nginx\n")).To(Succeed())
		fixed, err := content.Repo.Commit("fix the nginx namespace")
		Expect(err).NotTo(HaveOccurred())
		Eventually(st, "2m").Should(And(
			HaveCompliance(v1alpha1.ComplianceCompliant),
			WithTransform(func(s v1alpha1.FluxConfigStatus) string { return s.SourceSyncedCommitID }, Equal("main@sha1:"+fixed)),
		))
		Expect(st().ErrorMessage).To(BeEmpty())
		expectCLIReconcilesCompliant(ns, name)
	})

	It("suspends Flux with spec.suspend and resumes it", func() {
		patchSuspend(ns, name, true)
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceSuspended))
		repo := &sourcev1.GitRepository{}
		Expect(k8s.Get(ctx, key(ns, name), repo)).To(Succeed())
		Expect(repo.Spec.Suspend).To(BeTrue())
		for _, k := range []string{"cluster-config-infra", "cluster-config-apps"} {
			ks := &kustomizev1.Kustomization{}
			Expect(k8s.Get(ctx, key(ns, k), ks)).To(Succeed())
			Expect(ks.Spec.Suspend).To(BeTrue(), k)
		}

		patchSuspend(ns, name, false)
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		Expect(k8s.Get(ctx, key(ns, name), repo)).To(Succeed())
		Expect(repo.Spec.Suspend).To(BeFalse())
	})

	It("deletes a removed kustomization's Kustomization and, with prune, what it applied", func() {
		fc := &v1alpha1.FluxConfig{}
		Expect(k8s.Get(ctx, key(ns, name), fc)).To(Succeed())
		patch := client.MergeFrom(fc.DeepCopy())
		fc.Spec.Kustomizations = fc.Spec.Kustomizations[:1] // infra only
		Expect(k8s.Patch(ctx, fc, patch)).To(Succeed())

		Eventually(gone(&kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cluster-config-apps"}})).Should(BeTrue())
		for _, hr := range appReleases {
			Eventually(gone(&helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: hr}})).Should(BeTrue(), hr)
		}
		Eventually(gone(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "hello", Name: "hello-config"}})).Should(BeTrue())
		Eventually(goneOrTerminating("podinfo")).Should(BeTrue())
		Eventually(goneOrTerminating("hello")).Should(BeTrue())
		Eventually(st).Should(And(HaveCompliance(v1alpha1.ComplianceCompliant),
			WithTransform(func(s v1alpha1.FluxConfigStatus) *v1alpha1.ObjectStatusDefinition {
				return testkit.Entry(s, "Kustomization", "cluster-config-apps")
			}, BeNil())))
		// infra and its releases are untouched.
		Expect(k8s.Get(ctx, key("nginx", "nginx-ingress-controller"), &corev1.Service{})).To(Succeed())
	})

	It("prunes everything and releases its finalizer when deleted", func() {
		fc := &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		Expect(k8s.Delete(ctx, fc)).To(Succeed())
		Eventually(gone(fc), "2m").Should(BeTrue())

		for _, o := range []client.Object{
			&sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}},
			&kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cluster-config-infra"}},
			&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "flux-applier-cluster-config-cluster-config"}},
			&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "flux-applier"}},
		} {
			Expect(gone(o)()).To(BeTrue(), "%T %s", o, o.GetName())
		}
		for _, hr := range infraReleases {
			Eventually(gone(&helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: hr}})).Should(BeTrue(), hr)
		}
		for _, repo := range []string{"bitnami", "ingress-nginx", "podinfo"} {
			Eventually(gone(&sourcev1.HelmRepository{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: repo}})).Should(BeTrue(), repo)
		}
		Eventually(gone(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "redis", Name: "redis"}})).Should(BeTrue())
		Eventually(goneOrTerminating("nginx")).Should(BeTrue())
		Eventually(goneOrTerminating("redis")).Should(BeTrue())
	})
})

func patchSuspend(ns, name string, suspend bool) {
	fc := &v1alpha1.FluxConfig{}
	Expect(k8s.Get(ctx, key(ns, name), fc)).To(Succeed())
	patch := client.MergeFrom(fc.DeepCopy())
	fc.Spec.Suspend = suspend
	Expect(k8s.Patch(ctx, fc, patch)).To(Succeed())
}

// conditionText is an entry's conditions as "Type=Status Reason: message" lines.
func conditionText(e *v1alpha1.ObjectStatusDefinition) string {
	var b strings.Builder
	for _, c := range e.StatusConditions {
		b.WriteString(c.Type + "=" + c.Status + " " + c.Reason + ": " + c.Message + "\n")
	}
	return b.String()
}

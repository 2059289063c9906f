package controller

import (
	"context"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

var _ = Describe("A cluster without Flux", Ordered, func() {
	var (
		env    *envtest.Environment
		c      client.Client
		cancel context.CancelFunc
	)
	BeforeAll(func() {
		var restCfg *rest.Config
		env, restCfg = startEnv()
		var err error
		c, err = client.New(restCfg, client.Options{Scheme: testScheme})
		Expect(err).NotTo(HaveOccurred())
		var mgrCtx context.Context
		mgrCtx, cancel = context.WithCancel(suiteCtx)
		startManager(mgrCtx, restCfg, nil, builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"cluster-config"}}, "fluxconfig-noflux")
		DeferCleanup(func() {
			cancel()
			Expect(env.Stop()).To(Succeed())
		})
	})

	It("says which Flux API is missing, without crashing, and carries on once Flux is installed", func() {
		Expect(c.Create(ctx(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "cluster-config"}})).To(Succeed())
		Expect(c.Create(ctx(), tutorialConfig("cluster-config", "cluster-config"))).To(Succeed())
		get := func() v1alpha1.FluxConfigStatus {
			fc := &v1alpha1.FluxConfig{}
			_ = c.Get(ctx(), client.ObjectKey{Namespace: "cluster-config", Name: "cluster-config"}, fc)
			return fc.Status
		}
		Eventually(get, timeout, interval).Should(HaveField("ErrorMessage",
			And(ContainSubstring("GitRepository (source.toolkit.fluxcd.io/v1)"), ContainSubstring("Kustomization (kustomize.toolkit.fluxcd.io/v1)"),
				ContainSubstring("is not installed in this cluster: install Flux"))))
		Expect(testkit.Condition(get(), "Ready").Status).To(Equal(metav1.ConditionFalse))

		By("installing the Flux CRDs")
		_, err := envtest.InstallCRDs(env.Config, envtest.CRDInstallOptions{Paths: []string{fluxCRDs()}})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() error {
			return c.Get(ctx(), client.ObjectKey{Namespace: "cluster-config", Name: "cluster-config"}, &sourcev1.GitRepository{})
		}, timeout, interval).Should(Succeed())
		Eventually(get, timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.CompliancePending),
			HaveField("ErrorMessage", ""),
		))

		By("the new watches work: a Ready source shows in the status")
		repo := &sourcev1.GitRepository{}
		Expect(c.Get(ctx(), client.ObjectKey{Namespace: "cluster-config", Name: "cluster-config"}, repo)).To(Succeed())
		repo.Status.ObservedGeneration = repo.Generation
		repo.Status.Conditions = ready(metav1.ConditionTrue, "Succeeded", "stored artifact", repo.Generation)
		Expect(c.Status().Update(ctx(), repo)).To(Succeed())
		Eventually(func() string {
			e := testkit.Entry(get(), "GitRepository", "cluster-config")
			if e == nil {
				return ""
			}
			return e.ComplianceState
		}, timeout, interval).Should(Equal(v1alpha1.ComplianceCompliant))
	})
})

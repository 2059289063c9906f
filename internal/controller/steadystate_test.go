package controller

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/labels"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// reconcileTotal reads controller-runtime's reconcile counter of one
// controller.
func reconcileTotal(controllerName string) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	total := 0.0
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == controllerName {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

var _ = Describe("Steady state", func() {
	It("makes no write request when a fresh controller resyncs converged FluxConfigs", func() {
		const n = 5
		ns := newNamespace("fc-")
		shard, err := labels.Parse(shardLabel + "=steady")
		Expect(err).NotTo(HaveOccurred())

		By("a first controller converges the FluxConfigs of its shard")
		firstCtx, stopFirst := context.WithCancel(suiteCtx)
		first := startManager(firstCtx, cfg, shard, suiteOptions, "fluxconfig-steady-1")
		for i := range n {
			fc := tutorialConfig(ns, fmt.Sprintf("steady-%d", i))
			fc.Labels = map[string]string{shardLabel: "steady"}
			if i%2 == 1 {
				fc.Spec.GitRepository.HTTPSUser = "git"
				fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "protected"}
			}
			Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		}
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "protected", map[string]string{"httpsKey": "token"}))).To(Succeed())
		for i := range n {
			name := fmt.Sprintf("steady-%d", i)
			setGitRepositoryReady(ns, name, rev1)
			ksReady(ns, name+"-infra", rev1)
			ksReady(ns, name+"-apps", rev1)
			Eventually(compliance(ns, name), timeout, interval).Should(Equal(v1alpha1.ComplianceCompliant))
		}
		stopFirst()
		Eventually(first.done, timeout).Should(BeClosed(), "the first controller stops")

		By("a second controller starts from scratch: every FluxConfig is reconciled again")
		before := reconcileTotal("fluxconfig-steady-2")
		counter := startManager(suiteCtx, cfg, shard, suiteOptions, "fluxconfig-steady-2")
		Eventually(func() float64 { return reconcileTotal("fluxconfig-steady-2") - before }, timeout, interval).
			Should(BeNumerically(">=", n))
		Consistently(func() int64 { return counter.writes.Load() }, "3s", interval).Should(BeZero(),
			"a converged FluxConfig must cost no write request")
		GinkgoWriter.Printf("steady state: %v reconciles, %d writes\n", reconcileTotal("fluxconfig-steady-2")-before, counter.writes.Load())
	})
})

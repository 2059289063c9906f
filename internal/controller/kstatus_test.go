package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// kstatus judges an object without status.observedGeneration and without
// conditions as Current: a parent Kustomization with wait: true would be
// Ready before the controller has looked at a new FluxConfig. The CRD's
// default makes the API server read it with observedGeneration -1.
var _ = Describe("A FluxConfig no controller has seen yet", func() {
	It("reads with status.observedGeneration -1, which kstatus counts as in progress", func() {
		ns := newNamespace("fc-kstatus-")
		fc := tutorialConfig(ns, "unseen")
		fc.Labels = map[string]string{shardLabel: "nobody"} // no manager of the suite watches this shard
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		got := &v1alpha1.FluxConfig{}
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(fc), got)).To(Succeed())
		Expect(got.Generation).To(Equal(int64(1)))
		Expect(got.Status.ObservedGeneration).To(Equal(int64(-1)))
		Expect(got.Status.Conditions).To(BeEmpty())
	})
})

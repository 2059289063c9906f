package controller

import (
	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// kstatus judges an object without status.observedGeneration and without
// conditions as Current: a parent Kustomization with wait: true would be
// Ready before the controller has looked at a new FluxConfig. The CRD's
// default makes the API server read it with observedGeneration -1. The
// other phases are checked against the kstatus library in
// internal/status's TestKstatus.
var _ = Describe("A FluxConfig no controller has seen yet", func() {
	It("reads with status.observedGeneration -1, which kstatus counts as in progress", func() {
		ns := newNamespace("fc-kstatus-")
		fc := tutorialConfig(ns, "unseen")
		fc.Labels = map[string]string{shardLabel: "nobody"} // no manager of the suite watches this shard
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("FluxConfig"))
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(fc), got)).To(Succeed())
		Expect(got.GetGeneration()).To(Equal(int64(1)))
		Expect(got.Object).To(HaveKeyWithValue("status", HaveKeyWithValue("observedGeneration", int64(-1))))
		res, err := kstatus.Compute(got)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Status).To(Equal(kstatus.InProgressStatus), res.Message)
	})
})

package fault

import (
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// notReadyFor is how long the controller runs where it cannot fill its
// caches; /readyz is polled every 100 ms meanwhile.
const notReadyFor = 8 * time.Second

var _ = Describe("Readiness", func() {
	It("does not answer /readyz ok while its caches cannot sync (its RBAC not bound yet)", func() {
		ns := newNamespace(trustedPrefix+"readyz-", nil)
		DeferCleanup(deleteConfigs, ns)
		binding := &rbacv1.ClusterRoleBinding{}
		Expect(k8s.Get(bg(), client.ObjectKey{Name: "fluxconfig-controller"}, binding)).To(Succeed())
		restore := func() {
			again := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: binding.Name}, RoleRef: binding.RoleRef, Subjects: binding.Subjects}
			Expect(client.IgnoreAlreadyExists(k8s.Create(bg(), again))).To(Succeed())
		}
		DeferCleanup(func() {
			restore()
			Expect(ctrlProc.ensureRunning()).To(Succeed())
		})

		By("starting the controller while its ClusterRoleBinding is missing: it can discover the APIs, not list them")
		ctrlProc.stop()
		Expect(k8s.Delete(bg(), binding)).To(Succeed())
		Expect(ctrlProc.start()).To(Succeed())
		expectNotReady("the controller cannot list anything")

		By("once the binding exists, the controller becomes ready and serves")
		restore()
		expectReadyAndServing(ns, "after-rbac")
	})

	It("does not answer /readyz ok while kube-apiserver is unreachable, and serves once it is back", func() {
		ns := newNamespace(trustedPrefix+"readyz-", nil)
		DeferCleanup(deleteConfigs, ns)
		// Cleanups run last first: the API server is up again before the
		// FluxConfigs are deleted.
		DeferCleanup(func() {
			Expect(pl.ensureUp()).To(Succeed())
			Expect(ctrlProc.ensureRunning()).To(Succeed())
		})
		By("starting the controller while kube-apiserver is stopped")
		ctrlProc.stop()
		Expect(pl.stopAPIServer()).To(Succeed())
		Expect(ctrlProc.start()).To(Succeed())
		expectNotReady("kube-apiserver is unreachable")

		By("once kube-apiserver is back, the controller (restarted if it gave up, as the kubelet would) becomes ready and serves")
		Expect(pl.startAPIServer()).To(Succeed())
		if !ctrlProc.running() {
			AddReportEntry("readyz", "the controller exited while kube-apiserver was unreachable at its start; it was started again")
			Expect(ctrlProc.start()).To(Succeed())
		}
		expectReadyAndServing(ns, "after-outage")
	})
})

// expectNotReady polls /readyz of the controller just started for
// notReadyFor: it must never say ok, because why says it cannot have
// synced its caches.
func expectNotReady(why string) {
	started := time.Now()
	var firstOK time.Duration
	Consistently(func() int {
		code := ctrlProc.readyz()
		if code == http.StatusOK && firstOK == 0 {
			firstOK = time.Since(started)
		}
		return code
	}, notReadyFor, 100*time.Millisecond).ShouldNot(Equal(http.StatusOK), func() string {
		return fmt.Sprintf("/readyz said ok %s after the controller started, while %s: no cache could have synced", firstOK.Round(time.Millisecond), why)
	})
}

// expectReadyAndServing waits for /readyz ok, then for a new FluxConfig to
// converge.
func expectReadyAndServing(ns, name string) {
	Eventually(ctrlProc.readyz, 2*time.Minute, 100*time.Millisecond).Should(Equal(http.StatusOK))
	fc := gitConfig(ns, name, httpsPublic, v1alpha1.ScopeNamespace)
	Expect(k8s.Create(bg(), fc.DeepCopy())).To(Succeed())
	f := &fleet{}
	f.add(fc, httpsPublic)
	Eventually(func() []string { return convergedProblems(f, ns) }, 2*time.Minute).Should(BeEmpty())
}

package controller

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// authSecretData reads a key of a FluxConfig's generated auth Secret.
func authSecretData(ns, name, key string) func() string {
	return func() string {
		s := &corev1.Secret{}
		if err := k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name + "-auth"}, s); err != nil {
			return ""
		}
		return string(s.Data[key])
	}
}

var _ = Describe("Credentials", func() {
	It("carries a rotated protected parameter into the auth Secret at once, and asks the source to fetch again", func() {
		ns := newNamespace("fc-")
		secretValues = append(secretValues, "rotation-token-one", "rotation-token-two")
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "git-token", map[string]string{v1alpha1.ProtectedHTTPSKey: "rotation-token-one"}))).To(Succeed())
		fc := tutorialConfig(ns, "rotate")
		fc.Spec.GitRepository.HTTPSUser = "git"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "git-token"}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(authSecretData(ns, "rotate", "password"), timeout, interval).Should(Equal("rotation-token-one"))
		Eventually(fcStatus(ns, "rotate"), timeout, interval).Should(HaveField("ProvisioningState", v1alpha1.ProvisioningSucceeded))

		By("changing the password in the protected parameters Secret")
		secret := &corev1.Secret{}
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "git-token"}, secret)).To(Succeed())
		secret.Data[v1alpha1.ProtectedHTTPSKey] = []byte("rotation-token-two")
		start := time.Now()
		Expect(k8sClient.Update(ctx(), secret)).To(Succeed())
		// The resync is 10 minutes and a stalled pass is not retried:
		// only the watch of the Secret can bring the change within timeout.
		Eventually(authSecretData(ns, "rotate", "password"), timeout, 50*time.Millisecond).Should(Equal("rotation-token-two"))
		took := time.Since(start)
		AddReportEntry("protected Secret change to auth Secret (envtest, measured under load)", took.String())
		GinkgoWriter.Printf("rotation: the auth Secret had the new password %v after the protected Secret changed\n", took)

		repo := &sourcev1.GitRepository{}
		Eventually(func() map[string]string {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "rotate"}, repo)
			return repo.GetAnnotations()
		}, timeout, interval).Should(HaveKey(meta.ReconcileRequestAnnotation), "source-controller does not watch Secrets: the source is asked to fetch again")
		expectNoLeak(ns, "rotate", "rotation-token-one", "rotation-token-two")
	})

	It("wakes a FluxConfig whose protected parameters Secret is created after it, without polling", func() {
		ns := newNamespace("fc-")
		secretValues = append(secretValues, "late-token-value")
		stop := startShard("late", "fluxconfig-late", suiteOptions)
		defer stop()
		fc := tutorialConfig(ns, "late")
		fc.Labels = map[string]string{shardLabel: "late"}
		fc.Spec.GitRepository.HTTPSUser = "git"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "late-protected"}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "late"), timeout, interval).Should(HaveField("ErrorMessage", ContainSubstring("does not exist")))
		// A configuration error is not retried on a timer: the passes of
		// the manager of this FluxConfig alone show no polling.
		passes := reconcileTotal("fluxconfig-late")
		Consistently(func() float64 { return reconcileTotal("fluxconfig-late") - passes }, "5s", interval).Should(BeNumerically("<=", 1),
			"the stalled FluxConfig is not polled every --requeue-dependency (2s here)")

		start := time.Now()
		Expect(k8sClient.Create(ctx(), protectedSecret(ns, "late-protected", map[string]string{v1alpha1.ProtectedHTTPSKey: "late-token-value"}))).To(Succeed())
		Eventually(authSecretData(ns, "late", "password"), timeout, 50*time.Millisecond).Should(Equal("late-token-value"))
		GinkgoWriter.Printf("a protected Secret created later reached the auth Secret after %v\n", time.Since(start))
		Eventually(fcStatus(ns, "late"), timeout, interval).Should(HaveField("ErrorMessage", BeEmpty()))
	})

	It("keeps an ed25519 deploy key generated before when the algorithm flag switches to RSA", func() {
		ns := newNamespace("fc-")
		ed := suiteOptions
		ed.SSHKeyAlgorithm = builder.KeyAlgorithmEd25519
		stop := startShard("keys", "fluxconfig-keys-ed25519", ed)
		fc := tutorialConfig(ns, "keep")
		fc.Labels = map[string]string{shardLabel: "keys"}
		fc.Spec.GitRepository.URL = "ssh://git@git.example.com/org/repo.git"
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(func() string { return fcStatus(ns, "keep")().RepositoryPublicKey }, timeout, interval).Should(HavePrefix("ssh-ed25519 "))
		before := fcStatus(ns, "keep")().RepositoryPublicKey
		private := authSecretData(ns, "keep", "identity")()
		stop()

		By("a controller started with --ssh-key-algorithm=rsa reconciles the same FluxConfig")
		stop = startShard("keys", "fluxconfig-keys-rsa", suiteOptions)
		defer stop()
		requested := time.Now().UTC().Format(time.RFC3339Nano)
		updateFC(ns, "keep", func(fc *v1alpha1.FluxConfig) {
			fc.Annotations = map[string]string{meta.ReconcileRequestAnnotation: requested}
		})
		Eventually(fcStatus(ns, "keep"), timeout, interval).Should(HaveField("LastHandledReconcileAt", requested))
		Expect(fcStatus(ns, "keep")().RepositoryPublicKey).To(Equal(before))
		Expect(authSecretData(ns, "keep", "identity")()).To(Equal(private), "the stored key is never replaced")

		By("a new FluxConfig gets an RSA key")
		other := tutorialConfig(ns, "fresh")
		other.Labels = map[string]string{shardLabel: "keys"}
		other.Spec.GitRepository.URL = "ssh://git@git.example.com/org/repo.git"
		Expect(k8sClient.Create(ctx(), other)).To(Succeed())
		Eventually(func() string { return fcStatus(ns, "fresh")().RepositoryPublicKey }, timeout, interval).Should(HavePrefix("ssh-rsa "))
	})
})

package fault

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// stalledCase is a FluxConfig that reconciles into a configuration error:
// only a change of its spec or of the Secret it names can fix it.
type stalledCase struct {
	fc *v1alpha1.FluxConfig
	// protected is the data of the protected parameters Secret to make
	// first, nil for none.
	protected map[string]string
	// want are the words the errorMessage must hold: the field, the name.
	want []string
}

var _ = Describe("Bad input at reconcile time", func() {
	It("stalls with a status naming the problem, without a hot loop, and never shows a secret byte", func() {
		Expect(ctrlProc.ensureRunning()).To(Succeed())
		ns := newNamespace(trustedPrefix+"bad-", nil)
		tenant := newNamespace(tenantPrefix, nil)
		DeferCleanup(deleteConfigs, ns, tenant)
		cases := stalledCases(ns, tenant)
		for _, c := range cases {
			if c.protected != nil {
				Expect(k8s.Create(bg(), &corev1.Secret{ObjectMeta: objectMeta(ns, c.fc.Name+"-protected"), StringData: c.protected})).To(Succeed())
			}
			Expect(k8s.Create(bg(), c.fc.DeepCopy())).To(Succeed())
		}

		By("each one is Failed, Ready=False and Stalled=True at its generation, its errorMessage naming the field")
		for _, c := range cases {
			Eventually(func() v1alpha1.FluxConfigStatus { return statusOf(c.fc) }, 30*time.Second).Should(stalledNaming(c.want...), "FluxConfig %s", id(c.fc))
		}
		for _, c := range cases {
			Expect(authSecretData(c.fc.Namespace, c.fc.Name)).To(BeNil(), "%s: no auth Secret is made from bad input", id(c.fc))
		}

		By("no hot loop: no write (no event either) and no status change through several retries and a resync")
		expectQuiet(7*time.Second, ns, tenant)

		By("a protected parameters Secret created later is picked up")
		token := newSecret("the httpsKey created later for missing-secret")
		Expect(k8s.Create(bg(), &corev1.Secret{ObjectMeta: objectMeta(ns, "absent-credentials"),
			StringData: map[string]string{v1alpha1.ProtectedHTTPSKey: token}})).To(Succeed())
		f := &fleet{}
		f.add(cases[0].fc, httpsWithCredentials)
		Eventually(func() []string { return convergedProblems(f, ns) }, 30*time.Second).Should(BeEmpty())

		By("no secret value in the controller's log, an event, a status or a generated object")
		Expect(leaksIn(ns, tenant)).To(BeEmpty())
	})

	It("refuses at admission, or stalls on, a reference that can never resolve", func() {
		Expect(ctrlProc.ensureRunning()).To(Succeed())
		ns := newNamespace(trustedPrefix+"bad-ref-", nil)
		DeferCleanup(deleteConfigs, ns)
		fc := gitConfig(ns, "cross-namespace-ref", httpsWithCredentials, v1alpha1.ScopeNamespace)
		fc.Spec.ProtectedParametersSecretRef.Name = "other-namespace/credentials"
		if err := k8s.Create(bg(), fc.DeepCopy()); err != nil {
			Expect(err.Error()).To(ContainSubstring("protectedParametersSecretRef"), "refused at admission, the field named")
			return
		}
		Eventually(func() v1alpha1.FluxConfigStatus { return statusOf(fc) }, 30*time.Second).Should(
			stalledNaming("spec.protectedParametersSecretRef", "other-namespace/credentials"))
		expectQuiet(5*time.Second, ns)
	})
})

// stalledCases: a missing Secret, garbage and a passphrase-protected key in
// it, a Secret without the key the spec needs, and scope cluster where
// this controller refuses it.
func stalledCases(ns, tenant string) []stalledCase {
	https := func(name, secret string) *v1alpha1.FluxConfig {
		fc := gitConfig(ns, name, httpsWithCredentials, v1alpha1.ScopeNamespace)
		fc.Spec.ProtectedParametersSecretRef.Name = secret
		return fc
	}
	sshWith := func(name string) *v1alpha1.FluxConfig {
		fc := gitConfig(ns, name, generatedSSHKey, v1alpha1.ScopeNamespace)
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: name + "-protected"}
		return fc
	}
	garbage := "-----BEGIN OPENSSH PRIVATE KEY-----\n" + newSecret("the garbage sshPrivateKey") + "\n-----END OPENSSH PRIVATE KEY-----\n"
	protectedKey := passphraseKey()
	planted.add("the passphrase-protected sshPrivateKey", protectedKey)
	return []stalledCase{
		{fc: https("missing-secret", "absent-credentials"), want: []string{"spec.protectedParametersSecretRef", "absent-credentials"}},
		{fc: sshWith("garbage-key"), protected: map[string]string{v1alpha1.ProtectedSSHPrivateKey: garbage}, want: []string{"sshPrivateKey", "PEM"}},
		{fc: sshWith("passphrase-key"), protected: map[string]string{v1alpha1.ProtectedSSHPrivateKey: protectedKey}, want: []string{"sshPrivateKey", "passphrase"}},
		{fc: https("no-https-key", "no-https-key-protected"), protected: map[string]string{"token": newSecret("a token under the wrong key")},
			want: []string{"spec.gitRepository.httpsUser", "httpsKey"}},
		{fc: gitConfig(tenant, "cluster-scope", httpsPublic, v1alpha1.ScopeCluster), want: []string{"spec.scope", "--cluster-scope-namespaces"}},
	}
}

// stalledNaming: Failed, Ready=False and Stalled=True (reason
// InvalidConfiguration), the status at a new config's generation (1) so
// kstatus reads it as failed rather than in progress, the errorMessage
// holding want.
func stalledNaming(want ...string) OmegaMatcher {
	message := []OmegaMatcher{Not(BeEmpty())}
	for _, w := range want {
		message = append(message, ContainSubstring(w))
	}
	return And(
		HaveField("ProvisioningState", v1alpha1.ProvisioningFailed),
		HaveField("ErrorMessage", And(message...)),
		HaveField("ObservedGeneration", int64(1)), // a new FluxConfig's generation
		WithTransform(func(st v1alpha1.FluxConfigStatus) metav1.ConditionStatus {
			return testkit.Condition(st, "Ready").Status
		}, Equal(metav1.ConditionFalse)),
		WithTransform(func(st v1alpha1.FluxConfigStatus) metav1.ConditionStatus {
			return testkit.Condition(st, "Stalled").Status
		}, Equal(metav1.ConditionTrue)),
	)
}

// passphraseKey is an ed25519 key in OpenSSH PEM, encrypted with a
// passphrase the controller is never given.
func passphraseKey() string {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "fault-suite", []byte("a passphrase Flux cannot type"))
	Expect(err).NotTo(HaveOccurred())
	return string(pem.EncodeToMemory(block))
}

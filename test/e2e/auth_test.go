package e2e

import (
	"fmt"
	"net"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/testca"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// basicAuthConfig serves a new repository, ns, holding a ConfigMap ns-config
// over HTTPS with a CA of its own and basic auth (user flux, password
// right), and creates the protected parameters Secret git-credentials with
// the password stored. It returns that Secret and the FluxConfig ns/ns,
// not created yet, that reaches the repository with them.
func basicAuthConfig(ns, right, stored string) (*corev1.Secret, *v1alpha1.FluxConfig) {
	createNamespace(ns)
	newRepo(ns, map[string]string{"app/cm.yaml": sprintf(tenantConfigMap, ns+"-config", ns, ns)})
	ca, err := testca.NewCA()
	Expect(err).NotTo(HaveOccurred())
	base, err := content.Git.ServeTLS(ca, "flux", right)
	Expect(err).NotTo(HaveOccurred())
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "git-credentials"},
		StringData: map[string]string{v1alpha1.ProtectedHTTPSKey: stored},
	}
	Expect(k8s.Create(ctx, secret)).To(Succeed())
	fc := fluxConfig(ns, ns, v1alpha1.ScopeNamespace, base+"/"+ns+".git", kustomization("app", "./app"))
	fc.Spec.GitRepository.HTTPSUser = "flux"
	fc.Spec.GitRepository.HTTPSCACert = string(ca.PEM)
	fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: secret.Name}
	return secret, fc
}

// Source access: HTTPS with a private CA and basic auth through the
// protected parameters, and a URL nothing listens on.
var _ = Describe("Source credentials", func() {
	It("reports wrong credentials with an actionable message, and goes Compliant with the right ones", func() {
		const ns = "secure"
		secret, fc := basicAuthConfig(ns, "right-password-e2e", "wrong-password-e2e")
		Expect(k8s.Create(ctx, fc)).To(Succeed())

		st := status(ns, "secure")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		msg := st().ErrorMessage
		Expect(msg).To(ContainSubstring("GitRepository secure/secure"))
		Expect(msg).To(ContainSubstring("authentication required"))
		Expect(msg).NotTo(ContainSubstring("wrong-password-e2e"))

		By("putting the right password in the Secret and asking for a reconcile, as `flux reconcile` does")
		patch := client.MergeFrom(secret.DeepCopy())
		secret.StringData = map[string]string{v1alpha1.ProtectedHTTPSKey: "right-password-e2e"}
		Expect(k8s.Patch(ctx, secret, patch)).To(Succeed())
		requestReconcile(ns, "secure")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		Expect(k8s.Get(ctx, key(ns, "secure-config"), &corev1.ConfigMap{})).To(Succeed())
		for _, s := range st().Statuses {
			for _, c := range s.StatusConditions {
				Expect(c.Message).NotTo(ContainSubstring("right-password-e2e"))
			}
		}
	})

	It("publishes a generated SSH deploy key, fails until the Git server trusts it, then goes Compliant", func() {
		const ns = "deploykey"
		createNamespace(ns)
		newRepo("deploykey", map[string]string{"app/cm.yaml": sprintf(tenantConfigMap, "deploykey-config", ns, "deploykey")})
		sshd, err := content.Git.ServeSSH()
		Expect(err).NotTo(HaveOccurred())

		fc := fluxConfig(ns, "deploykey", v1alpha1.ScopeNamespace, sshd.URL+"/deploykey.git", kustomization("app", "./app"))
		fc.Spec.GitRepository.SSHKnownHosts = sshd.KnownHosts
		Expect(k8s.Create(ctx, fc)).To(Succeed())

		st := status(ns, "deploykey")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		s := st()
		Expect(s.RepositoryPublicKey).To(HavePrefix("ssh-rsa "), "RSA by default")
		Expect(s.ErrorMessage).To(And(ContainSubstring("GitRepository deploykey/deploykey"), ContainSubstring("unable to authenticate")))

		By("adding status.repositoryPublicKey to the Git server, as a user adds a deploy key")
		Expect(sshd.Authorize(s.RepositoryPublicKey)).To(Succeed())
		requestReconcile(ns, "deploykey")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		Expect(k8s.Get(ctx, key(ns, "deploykey-config"), &corev1.ConfigMap{})).To(Succeed())
	})

	It("reports an unreachable URL with the connection error", func() {
		const ns = "unreachable"
		createNamespace(ns)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		closed := ln.Addr().String()
		Expect(ln.Close()).To(Succeed()) // nothing listens there now
		fc := fluxConfig(ns, "nowhere", v1alpha1.ScopeNamespace, "http://"+closed+"/nothing.git", kustomization("app", "./app"))
		Expect(k8s.Create(ctx, fc)).To(Succeed())
		st := status(ns, "nowhere")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		Expect(st().ErrorMessage).To(And(ContainSubstring("GitRepository unreachable/nowhere"), ContainSubstring("connection refused")))
	})
})

// requestReconcile sets the annotation `flux reconcile` sets.
func requestReconcile(ns, name string) {
	fc := &v1alpha1.FluxConfig{}
	Expect(k8s.Get(ctx, key(ns, name), fc)).To(Succeed())
	patch := client.MergeFrom(fc.DeepCopy())
	if fc.Annotations == nil {
		fc.Annotations = map[string]string{}
	}
	fc.Annotations["reconcile.fluxcd.io/requestedAt"] = metav1.Now().Format("2006-01-02T15:04:05.000000000Z07:00")
	Expect(k8s.Patch(ctx, fc, patch)).To(Succeed())
}

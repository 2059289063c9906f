package e2e

import (
	"strings"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/ociregistry"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/testca"
)

// ociSource is the source of a FluxConfig of sourceKind OCIRepository: url,
// then the lines that select the artifact and authenticate.
const ociSource = `  sourceKind: OCIRepository
  ociRepository:
    url: %s
    syncInterval: 5s
    timeout: 20s
%s`

// OCIRepository sources: the real source-controller pulls artifacts the test
// pushed in Flux's format to go-containerregistry's registry on 127.0.0.1.
var _ = Describe("An OCIRepository source", func() {
	It("pulls an artifact by tag, by semver range and by digest", ociReferences)
	It("logs in with basic auth from localAuthRef, reporting a wrong password with the registry's error", ociBasicAuth)
	It("trusts the registry's CA from spec.ociRepository.tlsConfig.caCertificate, and reports an unknown one", ociTLS)
})

// serveRegistry starts a registry for one spec.
func serveRegistry(opts ociregistry.Options) *ociregistry.Server {
	reg, err := ociregistry.Serve(opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(reg.Close)
	return reg
}

// pushVersions stores ns's manifests, with data.owner set to the version,
// under each version as a tag of repository <ns>/manifests, and returns the
// digests by version.
func pushVersions(reg *ociregistry.Server, ns string, versions ...string) map[string]string {
	digests := map[string]string{}
	for _, v := range versions {
		a := ociregistry.Artifact{Dir: manifests(ns, ns+"-config", v), Source: content.GitURL, Revision: v + "@sha1:" + content.Commit}
		d, err := reg.Push(ns+"/manifests", a, v)
		Expect(err).NotTo(HaveOccurred())
		digests[v] = d
	}
	return digests
}

func ociReferences() {
	reg := serveRegistry(ociregistry.Options{})
	refs := map[string]string{ // namespace: repositoryRef lines
		"oci-tag":    "      tag: 1.0.0",
		"oci-semver": `      semver: ">=1.0.0 <2.0.0"`,
		"oci-digest": "      digest: %s",
	}
	for ns, ref := range refs {
		createNamespace(ns)
		digests := pushVersions(reg, ns, "1.0.0", "1.1.0", "2.0.0")
		if strings.Contains(ref, "%s") {
			ref = sprintf(ref, digests["1.0.0"])
		}
		applyFluxConfig("refs", ns, sprintf(ociSource, reg.URL(ns+"/manifests"), "    insecure: true\n    repositoryRef:\n"+ref))
	}
	want := map[string]string{"oci-tag": "1.0.0", "oci-semver": "1.1.0", "oci-digest": "1.0.0"}
	for ns, version := range want {
		Eventually(status(ns, "refs")).Should(HaveCompliance(v1alpha1.ComplianceCompliant), ns)
		Expect(configMapOwner(ns, ns+"-config")()).To(Equal(version), ns)
	}
}

func ociBasicAuth() {
	const ns, password = "oci-auth", "registry-password-e2e"
	createNamespace(ns)
	reg := serveRegistry(ociregistry.Options{Username: "flux", Password: password})
	pushVersions(reg, ns, "1.0.0")
	secret := createSecret(ns, "registry-login", corev1.SecretTypeDockerConfigJson,
		map[string]string{corev1.DockerConfigJsonKey: string(reg.DockerConfigJSON("flux", "wrong-password-e2e"))})
	fc := applyFluxConfig("auth", ns, sprintf(ociSource, reg.URL(ns+"/manifests"),
		"    insecure: true\n    localAuthRef: registry-login\n    repositoryRef:\n      tag: 1.0.0"))

	st := status(ns, "auth")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
	Expect(st().ErrorMessage).To(And(ContainSubstring("OCIRepository oci-auth/auth"), ContainSubstring("UNAUTHORIZED")))
	expectNoSecret(statusText(st()), "wrong-password-e2e")

	By("putting the right password in the Secret")
	rotateSecret(secret, map[string]string{corev1.DockerConfigJsonKey: string(reg.DockerConfigJSON("flux", password))}, fc, &sourcev1.OCIRepository{})
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
	Expect(configMapOwner(ns, ns+"-config")()).To(Equal("1.0.0"))
	expectNoSecret(statusText(st()), password)
}

// ociTLS: the registry is registry.fluxconfig.test (the suite's NameProxy
// takes source-controller there), since go-containerregistry speaks plain
// HTTP to 127.0.0.1.
func ociTLS() {
	const ns = "oci-tls"
	createNamespace(ns)
	ca, err := testca.NewCA()
	Expect(err).NotTo(HaveOccurred())
	reg := serveRegistry(ociregistry.Options{CA: ca, Hostname: "registry.fluxconfig.test"})
	pushVersions(reg, ns, "1.0.0")
	fc := applyFluxConfig("tls", ns, sprintf(ociSource, reg.URL(ns+"/manifests"), "    repositoryRef:\n      tag: 1.0.0"))

	st := status(ns, "tls")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
	Expect(st().ErrorMessage).To(And(ContainSubstring("OCIRepository oci-tls/tls"), ContainSubstring("certificate signed by unknown authority")))

	By("adding the CA to spec.ociRepository.tlsConfig.caCertificate")
	patch := client.MergeFrom(fc.DeepCopy())
	fc.Spec.OCIRepository.TLSConfig = &v1alpha1.TLSConfigDefinition{CACertificate: string(ca.PEM)}
	Expect(k8s.Patch(ctx, fc, patch)).To(Succeed())
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
	Expect(configMapOwner(ns, ns+"-config")()).To(Equal("1.0.0"))
}

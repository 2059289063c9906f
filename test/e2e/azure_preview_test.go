package e2e

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// A ConfigMap without a namespace: the Kustomization's targetNamespace
// places it.
const plainConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
data:
  value: %s
`

// artifactFiles lists the regular files in a source's artifact, fetched
// from source-controller's storage as kustomize-controller fetches it.
func artifactFiles(url string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	gz, err := gzip.NewReader(resp.Body)
	if err != nil {
		return nil, err
	}
	var files []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			files = append(files, h.Name)
		}
	}
}

func jsonFields(kv map[string]string) v1alpha1.AdditionalConfigurations {
	out := v1alpha1.AdditionalConfigurations{Fields: map[string]apiextensionsv1.JSON{}}
	for k, v := range kv {
		out.Fields[k] = apiextensionsv1.JSON{Raw: []byte(v)}
	}
	return out
}

// atRevision matches a Compliant status at a commit of main.
func atRevision(sha string) OmegaMatcher {
	return And(HaveCompliance(v1alpha1.ComplianceCompliant),
		WithTransform(func(s v1alpha1.FluxConfigStatus) string { return s.SourceSyncedCommitID }, Equal("main@sha1:"+sha)))
}

// setProtected writes one key of a protected parameters Secret.
func setProtected(secret *corev1.Secret, key, value string) {
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(secret), secret)).To(Succeed())
	patch := client.MergeFrom(secret.DeepCopy())
	secret.Data[key] = []byte(value)
	Expect(k8s.Patch(ctx, secret, patch)).To(Succeed())
}

var _ = Describe("Azure's 2026-07-01-preview fields with the real Flux controllers", func() {
	It("applies additionalConfigurations (targetNamespace, commonMetadata) and fetches only the sparseCheckout directories", func() {
		const ns = "fleet" // may hold scope cluster in this suite
		createNamespace(ns)
		createNamespace("extras-target")
		_, url, sha := newRepo("extras", map[string]string{
			"apps/cm.yaml":     sprintf(plainConfigMap, "extras-config", "from-apps"),
			"excluded/cm.yaml": sprintf(plainConfigMap, "excluded-config", "never-fetched"),
		})
		ks := kustomization("apps", "./apps")
		ks.AdditionalConfigurations = &v1alpha1.KustomizationAdditionalConfigurations{AdditionalConfigurations: jsonFields(map[string]string{
			"targetNamespace": `"extras-target"`,
			"commonMetadata":  `{"labels":{"team":"extras"}}`,
		})}
		fc := fluxConfig(ns, "extras", v1alpha1.ScopeCluster, url, ks)
		fc.Spec.GitRepository.SparseCheckout = []string{"apps"}
		Expect(k8s.Create(ctx, fc)).To(Succeed())

		Eventually(status(ns, "extras"), "2m").Should(atRevision(sha))
		cm := &corev1.ConfigMap{}
		Expect(k8s.Get(ctx, key("extras-target", "extras-config"), cm)).To(Succeed(), "targetNamespace placed the ConfigMap")
		Expect(cm.Labels).To(HaveKeyWithValue("team", "extras"), "commonMetadata labeled it")

		By("reading the artifact source-controller made: the directory outside sparseCheckout is not in it")
		repo := &sourcev1.GitRepository{}
		Expect(k8s.Get(ctx, key(ns, "extras"), repo)).To(Succeed())
		Expect(repo.Status.Artifact).NotTo(BeNil())
		files, err := artifactFiles(repo.Status.Artifact.URL)
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(ContainElement("apps/cm.yaml"))
		Expect(files).NotTo(ContainElement("excluded/cm.yaml"))
	})

	It("syncs now: a pushed commit is fetched and applied in seconds when the FluxConfig is annotated requestedAt", func() {
		const ns = "syncnow"
		createNamespace(ns)
		repo, url, first := newRepo("syncnow", map[string]string{"app/cm.yaml": sprintf(tenantConfigMap, "sync-config", ns, "first")})
		fc := fluxConfig(ns, "syncnow", v1alpha1.ScopeNamespace, url, kustomization("app", "./app"))
		fc.Spec.GitRepository.SyncInterval = &metav1.Duration{Duration: 10 * time.Minute}
		Expect(k8s.Create(ctx, fc)).To(Succeed())
		st := status(ns, "syncnow")
		Eventually(st, "2m").Should(atRevision(first))

		Expect(repo.WriteFile("app/cm.yaml", sprintf(tenantConfigMap, "sync-config", ns, "second"))).To(Succeed())
		second, err := repo.Commit("second")
		Expect(err).NotTo(HaveOccurred())
		Consistently(st, "3s").Should(atRevision(first), "with a 10m sync interval nothing fetches the push by itself")

		start := time.Now()
		requestReconcile(ns, "syncnow")
		Eventually(st, "1m", "100ms").Should(atRevision(second))
		took := time.Since(start)
		cm := &corev1.ConfigMap{}
		Expect(k8s.Get(ctx, key(ns, "sync-config"), cm)).To(Succeed())
		Expect(cm.Data).To(HaveKeyWithValue("owner", "second"))
		AddReportEntry("sync now: requestedAt to Compliant at the pushed commit (measured under load)", took.String())
		GinkgoWriter.Printf("sync now: Compliant at the pushed commit %v after requestedAt was set\n", took)
	})

	It("follows a rotated password in the protected parameters Secret within seconds, without a reconcile request", func() {
		const ns = "rotation"
		secret, fc := basicAuthConfig(ns, "rotation-right-e2e", "rotation-right-e2e")
		fc.Spec.GitRepository.SyncInterval = &metav1.Duration{Duration: 10 * time.Minute}
		Expect(k8s.Create(ctx, fc)).To(Succeed())
		st := status(ns, "rotation")
		Eventually(st, "2m").Should(HaveCompliance(v1alpha1.ComplianceCompliant))

		By("putting a revoked password in the Secret")
		start := time.Now()
		setProtected(secret, v1alpha1.ProtectedHTTPSKey, "rotation-revoked-e2e")
		Eventually(st, "1m", "100ms").Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		toNonCompliant := time.Since(start)
		// The root cause, whatever waits on it: "GitRepository rotation[/rotation]".
		Expect(st().ErrorMessage).To(And(ContainSubstring("GitRepository rotation"), ContainSubstring("authentication required")))

		By("putting the right password back")
		start = time.Now()
		setProtected(secret, v1alpha1.ProtectedHTTPSKey, "rotation-right-e2e")
		Eventually(st, "1m", "100ms").Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		toCompliant := time.Since(start)
		for _, v := range []string{"rotation-right-e2e", "rotation-revoked-e2e"} {
			Expect(st().ErrorMessage).NotTo(ContainSubstring(v))
		}
		AddReportEntry("rotation: revoked password to Non-Compliant (measured under load)", toNonCompliant.String())
		AddReportEntry("rotation: right password to Compliant (measured under load)", toCompliant.String())
		GinkgoWriter.Printf("rotation: Non-Compliant %v after the revoked password, Compliant %v after the right one\n", toNonCompliant, toCompliant)
	})
})

package e2e

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Helpers of the Bucket, AzureBlob and OCIRepository specs.

// fluxConfigYAML is a FluxConfig as a user writes it: name, namespace, then
// the source (sourceKind, its body, and spec-level lines such as
// protectedParametersSecretRef), applying ./app of the source.
const fluxConfigYAML = `apiVersion: clusterconfig.azure.com/v1alpha1
kind: FluxConfig
metadata:
  name: %s
  namespace: %s
spec:
  scope: namespace
%s
  kustomizations:
  - name: app
    path: ./app
    prune: true
    retryInterval: 5s
`

// applyFluxConfig creates FluxConfig ns/name from its YAML, refusing unknown
// fields as kubectl does. It is deleted after the spec, before the servers
// the spec started stop, so it does not keep failing against them.
func applyFluxConfig(name, ns, source string) *v1alpha1.FluxConfig {
	fc := &v1alpha1.FluxConfig{}
	Expect(yaml.UnmarshalStrict([]byte(sprintf(fluxConfigYAML, name, ns, source)), fc)).To(Succeed())
	Expect(k8s.Create(ctx, fc)).To(Succeed())
	DeferCleanup(func() { Expect(client.IgnoreNotFound(k8s.Delete(ctx, fc))).To(Succeed()) })
	return fc
}

// manifests writes a directory with app/cm.yaml, a ConfigMap name in ns
// whose data.owner is owner, and returns it.
func manifests(ns, name, owner string) string {
	dir := GinkgoT().TempDir()
	Expect(os.MkdirAll(filepath.Join(dir, "app"), 0o755)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "app", "cm.yaml"), []byte(sprintf(tenantConfigMap, name, ns, owner)), 0o644)).To(Succeed())
	return dir
}

// createSecret creates a Secret of the given type (Opaque when empty).
func createSecret(ns, name string, typ corev1.SecretType, data map[string]string) *corev1.Secret {
	if typ == "" {
		typ = corev1.SecretTypeOpaque
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: typ, StringData: data}
	Expect(k8s.Create(ctx, s)).To(Succeed())
	return s
}

// rotateSecret replaces the Secret's data and asks for a reconcile of the
// FluxConfig and of its source, as `flux reconcile source` does after a
// credential changed.
func rotateSecret(s *corev1.Secret, data map[string]string, fc *v1alpha1.FluxConfig, source client.Object) {
	patch := client.MergeFrom(s.DeepCopy())
	s.Data, s.StringData = nil, data
	Expect(k8s.Patch(ctx, s, patch)).To(Succeed())
	requestReconcile(fc.Namespace, fc.Name)
	Expect(k8s.Get(ctx, key(fc.Namespace, fc.Name), source)).To(Succeed())
	patch = client.MergeFrom(source.DeepCopyObject().(client.Object))
	ann := source.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann["reconcile.fluxcd.io/requestedAt"] = metav1.Now().Format("2006-01-02T15:04:05.000000000Z07:00")
	source.SetAnnotations(ann)
	Expect(k8s.Patch(ctx, source, patch)).To(Succeed())
}

// expectNoSecret fails when a secret value shows in text, without printing
// either.
func expectNoSecret(text string, secrets ...string) {
	for i, s := range secrets {
		Expect(strings.Contains(text, s)).To(BeFalse(), "secret #%d shows in the status", i)
	}
}

// statusText is every message of a FluxConfig's status, for expectNoSecret.
func statusText(st v1alpha1.FluxConfigStatus) string {
	var b strings.Builder
	b.WriteString(st.ErrorMessage)
	for _, s := range st.Statuses {
		for _, c := range s.StatusConditions {
			b.WriteString("\n" + c.Message)
		}
	}
	return b.String()
}

// configMapOwner is data.owner of a ConfigMap, or "" when it is missing.
func configMapOwner(ns, name string) func() string {
	return func() string {
		cm := &corev1.ConfigMap{}
		if err := k8s.Get(ctx, key(ns, name), cm); err != nil {
			return ""
		}
		return cm.Data["owner"]
	}
}

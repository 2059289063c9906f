package e2e

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const tenantConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
  namespace: %s
data:
  owner: %s
`

// Multi-tenancy: a namespace-scoped FluxConfig applies as its namespace's
// flux-applier, which Kubernetes stops at the namespace's edge.
var _ = Describe("Multi-tenancy", func() {
	It("stops a namespace-scoped FluxConfig at its namespace and reports the impersonation error", func() {
		createNamespace("team-a")
		createNamespace("team-b")
		_, url, _ := newRepo("team-a", map[string]string{
			"app/own.yaml":      sprintf(tenantConfigMap, "app-config", "team-a", "team-a"),
			"app/intruder.yaml": sprintf(tenantConfigMap, "intruder", "team-b", "team-a"),
		})
		fc := fluxConfig("team-a", "apps", v1alpha1.ScopeNamespace, url, kustomization("app", "./app"))
		Expect(k8s.Create(ctx, fc)).To(Succeed())

		st := status("team-a", "apps")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		msg := st().ErrorMessage
		Expect(msg).To(ContainSubstring("Kustomization team-a/apps-app"))
		Expect(msg).To(ContainSubstring(`system:serviceaccount:team-a:flux-applier`))
		Expect(msg).To(ContainSubstring(`namespace "team-b"`))

		By("leaving team-b untouched")
		Consistently(func() error {
			return k8s.Get(ctx, key("team-b", "intruder"), &corev1.ConfigMap{})
		}, "3s").ShouldNot(Succeed())

		By("binding the applier to admin in team-a only")
		rb := &rbacv1.RoleBinding{}
		Expect(k8s.Get(ctx, key("team-a", "flux-applier-apps"), rb)).To(Succeed())
		Expect(rb.RoleRef.Name).To(Equal("admin"))
	})

	It("refuses scope cluster in a namespace the controller's flag does not allow", func() {
		createNamespace("team-x")
		fc := fluxConfig("team-x", "grab", v1alpha1.ScopeCluster, content.GitURL, kustomization("infra", "./infrastructure"))
		Expect(k8s.Create(ctx, fc)).To(Succeed())
		st := status("team-x", "grab")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		s := st()
		Expect(s.ProvisioningState).To(Equal(v1alpha1.ProvisioningFailed))
		Expect(s.ErrorMessage).To(ContainSubstring("spec.scope"))
		Expect(s.ErrorMessage).To(ContainSubstring("--cluster-scope-namespaces"))
		Consistently(func() error {
			return k8s.Get(ctx, key("", "flux-applier-team-x-grab"), &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{}})
		}, "2s").ShouldNot(Succeed(), "no ClusterRoleBinding for a refused FluxConfig")
	})
})

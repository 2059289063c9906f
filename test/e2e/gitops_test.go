package e2e

import (
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const fleetFluxConfig = `apiVersion: clusterconfig.azure.com/v1alpha1
kind: FluxConfig
metadata:
  name: fleet
  namespace: fleet
spec:
  scope: namespace
  sourceKind: GitRepository
  gitRepository:
    url: %s
    repositoryRef:
      branch: main
    syncInterval: 5s
  kustomizations:
  - name: app
    path: %s
    prune: true
    retryInterval: 5s
`

// GitOps of GitOps: a Flux Kustomization applies a FluxConfig from Git and,
// with wait: true, is Ready only once that FluxConfig is Compliant, because
// kstatus reads the FluxConfig's Ready condition.
var _ = Describe("A FluxConfig applied by Flux", func() {
	It("makes a waiting parent Kustomization Ready only when it is Compliant", func() {
		createNamespace("fleet")
		_, appURL, _ := newRepo("fleet-app", map[string]string{"app/cm.yaml": sprintf(tenantConfigMap, "fleet-config", "fleet", "fleet")})
		fleetRepo, fleetURL, _ := newRepo("fleet", map[string]string{"fleet/fluxconfig.yaml": sprintf(fleetFluxConfig, appURL, "./does-not-exist")})

		repo := &sourcev1.GitRepository{
			ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Name: "fleet-parent"},
			Spec: sourcev1.GitRepositorySpec{
				URL: fleetURL, Interval: metav1.Duration{Duration: 5 * time.Second},
				Reference: &sourcev1.GitRepositoryRef{Branch: "main"},
			},
		}
		Expect(k8s.Create(ctx, repo)).To(Succeed())
		parent := &kustomizev1.Kustomization{
			ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Name: "fleet-parent"},
			Spec: kustomizev1.KustomizationSpec{
				SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet-parent"},
				Path:      "./fleet", Prune: true, Wait: true,
				Interval:      metav1.Duration{Duration: 10 * time.Second},
				RetryInterval: &metav1.Duration{Duration: 5 * time.Second},
				Timeout:       &metav1.Duration{Duration: 15 * time.Second},
			},
		}
		Expect(k8s.Create(ctx, parent)).To(Succeed())

		By("not becoming Ready while the FluxConfig it applied is Non-Compliant (a path that does not exist)")
		st := status("fleet", "fleet")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		Expect(st().ErrorMessage).To(ContainSubstring("does-not-exist"))
		parentReady := func() metav1.ConditionStatus {
			k := &kustomizev1.Kustomization{}
			if err := k8s.Get(ctx, key("fleet", "fleet-parent"), k); err != nil {
				return metav1.ConditionUnknown
			}
			if c := apimeta.FindStatusCondition(k.Status.Conditions, meta.ReadyCondition); c != nil {
				return c.Status
			}
			return metav1.ConditionUnknown
		}
		Consistently(parentReady, "10s").ShouldNot(Equal(metav1.ConditionTrue))

		By("becoming Ready once a commit fixes the FluxConfig and it is Compliant")
		Expect(fleetRepo.WriteFile("fleet/fluxconfig.yaml", sprintf(fleetFluxConfig, appURL, "./app"))).To(Succeed())
		_, err := fleetRepo.Commit("fix the path")
		Expect(err).NotTo(HaveOccurred())
		Eventually(parentReady, "2m").Should(Equal(metav1.ConditionTrue))
		Expect(st().ComplianceState).To(Equal(v1alpha1.ComplianceCompliant))
		Expect(k8s.Get(ctx, key("fleet", "fleet-config"), &corev1.ConfigMap{})).To(Succeed())
	})
})

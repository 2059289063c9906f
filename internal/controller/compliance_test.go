package controller

import (
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

const (
	rev1 = "main@sha1:1111111111111111111111111111111111111111"
	rev2 = "main@sha1:2222222222222222222222222222222222222222"
	rev3 = "main@sha1:3333333333333333333333333333333333333333"
)

var _ = Describe("Compliance", func() {
	It("walks Pending -> Compliant -> Non-Compliant -> Compliant as the Flux objects change", func() {
		ns := newNamespace("fc-")
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "cluster-config"))).To(Succeed())

		By("Pending while Flux has not reconciled anything")
		Eventually(compliance(ns, "cluster-config"), timeout, interval).Should(Equal(v1alpha1.CompliancePending))
		st := fcStatus(ns, "cluster-config")()
		Expect(testkit.Condition(st, "Ready").Status).To(Equal(metav1.ConditionUnknown))
		Expect(testkit.Condition(st, "Reconciling").Status).To(Equal(metav1.ConditionTrue))

		By("apps waiting on infra is Pending, and says which dependency")
		setGitRepositoryReady(ns, "cluster-config", rev1)
		setKustomization(ns, "cluster-config-infra", metav1.ConditionUnknown, meta.ProgressingReason, "Reconciliation in progress", rev1)
		setKustomization(ns, "cluster-config-apps", metav1.ConditionFalse, meta.DependencyNotReadyReason,
			"dependency '"+ns+"/cluster-config-infra' is not ready", "")
		Eventually(func() *v1alpha1.ObjectStatusDefinition {
			return testkit.Entry(fcStatus(ns, "cluster-config")(), "Kustomization", "cluster-config-apps")
		}, timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.CompliancePending),
			HaveField("StatusConditions", ContainElement(HaveField("Message", "dependency '"+ns+"/cluster-config-infra' is not ready"))),
		))
		Expect(compliance(ns, "cluster-config")()).To(Equal(v1alpha1.CompliancePending))

		By("Compliant when everything is Ready, with the source revision")
		ksReady(ns, "cluster-config-infra", rev1)
		ksReady(ns, "cluster-config-apps", rev1,
			inventoryID(ns, "podinfo", "helm.toolkit.fluxcd.io", "HelmRelease"),
			inventoryID(ns, "podinfo-values", "", "ConfigMap"))
		hr := createHelmRelease(ns, "podinfo", "cluster-config-apps")
		setHelmReleaseReady(hr)
		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.ComplianceCompliant),
			HaveField("SourceSyncedCommitID", rev1),
			HaveField("ErrorMessage", ""),
		))
		st = fcStatus(ns, "cluster-config")()
		Expect(testkit.Condition(st, "Ready").Status).To(Equal(metav1.ConditionTrue))
		Expect(testkit.Condition(st, "Reconciling").Type).To(BeEmpty())
		Expect(st.SourceUpdatedAt).NotTo(BeNil())
		Expect(st.Statuses).To(HaveLen(4), "GitRepository, two Kustomizations, one HelmRelease; not the ConfigMap")
		Expect(st.Statuses[0].Kind).To(Equal("GitRepository"))

		By("the HelmRelease from the inventory has its properties")
		e := testkit.Entry(st, "HelmRelease", "podinfo")
		Expect(e).NotTo(BeNil())
		Expect(e.ComplianceState).To(Equal(v1alpha1.ComplianceCompliant))
		Expect(e.AppliedBy).To(Equal(&v1alpha1.ObjectReferenceDefinition{Name: "cluster-config-apps", Namespace: ns}))
		Expect(e.HelmReleaseProperties).To(Equal(&v1alpha1.HelmReleasePropertiesDefinition{
			LastRevisionApplied: 2,
			HelmChartRef:        &v1alpha1.ObjectReferenceDefinition{Name: ns + "-podinfo", Namespace: ns},
			FailureCount:        1, UpgradeFailureCount: 1,
		}))

		By("Non-Compliant with Flux's own message when a commit breaks the build")
		setGitRepositoryReady(ns, "cluster-config", rev2)
		setKustomization(ns, "cluster-config-infra", metav1.ConditionFalse, "BuildFailed",
			"kustomize build failed: accumulating resources: missing Resource metadata", rev2)
		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.ComplianceNonCompliant),
			HaveField("ErrorMessage", "Kustomization "+ns+"/cluster-config-infra: kustomize build failed: accumulating resources: missing Resource metadata"),
			HaveField("SourceSyncedCommitID", rev2),
		))
		st = fcStatus(ns, "cluster-config")()
		Expect(testkit.Condition(st, "Ready")).To(And(HaveField("Status", metav1.ConditionFalse), HaveField("Reason", "BuildFailed")))

		By("not Compliant at the fixing commit until every Kustomization applied it")
		setGitRepositoryReady(ns, "cluster-config", rev3)
		ksReady(ns, "cluster-config-infra", rev3)
		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.CompliancePending),
			WithTransform(func(st v1alpha1.FluxConfigStatus) string { return testkit.Condition(st, "Ready").Message },
				ContainSubstring("Kustomization "+ns+"/cluster-config-apps has not applied revision "+rev3+" yet")),
		))

		By("Compliant again once apps applied it too")
		ksReady(ns, "cluster-config-apps", rev3,
			inventoryID(ns, "podinfo", "helm.toolkit.fluxcd.io", "HelmRelease"),
			inventoryID(ns, "podinfo-values", "", "ConfigMap"))
		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.ComplianceCompliant),
			HaveField("SourceSyncedCommitID", rev3),
			HaveField("ErrorMessage", ""),
		))

		By("a failing HelmRelease makes the FluxConfig Non-Compliant")
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(hr), hr)).To(Succeed())
		hr.Status.Conditions = ready(metav1.ConditionFalse, "UpgradeFailed", "Helm upgrade failed: timed out waiting for the condition", hr.Generation)
		Expect(k8sClient.Status().Update(ctx(), hr)).To(Succeed())
		Eventually(fcStatus(ns, "cluster-config"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.ComplianceNonCompliant),
			HaveField("ErrorMessage", ContainSubstring("HelmRelease "+ns+"/podinfo: Helm upgrade failed")),
		))

		By("events were emitted on the transitions, the failure's with the failing object's own reason")
		Eventually(func() []string { return eventReasons(ns, "cluster-config") }, timeout, interval).Should(
			ContainElements("ComplianceChanged", "UpgradeFailed"))
	})

	It("stalls on a dependsOn cycle and names it", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "cyclic")
		fc.Spec.Kustomizations = []v1alpha1.KustomizationDefinition{
			{Name: "a", DependsOn: []string{"c"}},
			{Name: "b", DependsOn: []string{"a"}},
			{Name: "c", DependsOn: []string{"b"}},
		}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "cyclic"), timeout, interval).Should(And(
			HaveField("ComplianceState", v1alpha1.ComplianceNonCompliant),
			HaveField("ErrorMessage", "spec.kustomizations: dependsOn forms a cycle: a -> c -> b -> a; remove one of these dependencies"),
		))
		st := fcStatus(ns, "cyclic")()
		Expect(testkit.Condition(st, "Stalled")).To(And(HaveField("Status", metav1.ConditionTrue), HaveField("Reason", "InvalidConfiguration")))
		Expect(st.ObservedGeneration).To(Equal(getFC(ns, "cyclic").Generation), "kstatus reads a Stalled object at its generation as Failed")
	})
})

func setHelmReleaseReady(hr *helmv2.HelmRelease) {
	EventuallyWithOffset(1, func() error {
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(hr), hr)).To(Succeed())
		hr.Status.ObservedGeneration = hr.Generation
		hr.Status.Conditions = ready(metav1.ConditionTrue, "UpgradeSucceeded", "Helm upgrade succeeded for release podinfo/podinfo.v2 with chart podinfo@6.5.0", hr.Generation)
		hr.Status.HelmChart = hr.Namespace + "/" + hr.Namespace + "-podinfo"
		hr.Status.Failures, hr.Status.UpgradeFailures = 1, 1
		now := metav1.NewTime(time.Now())
		hr.Status.History = helmv2.Snapshots{
			{Name: "podinfo", Namespace: "podinfo", Version: 2, Status: "deployed", ChartName: "podinfo", ChartVersion: "6.5.0",
				Digest: "sha256:aa", ConfigDigest: "sha256:bb", FirstDeployed: now, LastDeployed: now},
			{Name: "podinfo", Namespace: "podinfo", Version: 1, Status: "superseded", ChartName: "podinfo", ChartVersion: "6.4.0",
				Digest: "sha256:cc", ConfigDigest: "sha256:dd", FirstDeployed: now, LastDeployed: now},
		}
		return k8sClient.Status().Update(ctx(), hr)
	}, timeout, interval).Should(Succeed())
}

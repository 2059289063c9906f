package fault

import (
	"fmt"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// policyLabel selects the namespaces a spec's admission policy applies to.
const policyLabel = "fault.test/policy"

// refusal is a ValidatingAdmissionPolicy that refuses one kind of the
// controller's writes in the namespaces labeled policyLabel=name, and an
// object whose dry-run creation tells when the API server enforces it.
type refusal struct {
	name       string
	group      string
	resource   string
	operations []admissionv1.OperationType
	expression string
	probe      func(ns string) client.Object
}

var _ = Describe("A cluster policy refusing the controller's writes", func() {
	It("reports a refused finalizer as a failure, creates nothing, does not loop, and recovers when the policy goes", func() {
		r := refusal{
			name: "fault-deny-finalizer", group: v1alpha1.GroupVersion.Group, resource: "fluxconfigs",
			operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
			// Refuses adding the finalizer (keeping one already there is allowed).
			expression: fmt.Sprintf("!has(object.metadata.finalizers) || !object.metadata.finalizers.exists(f, f == '%[1]s') || "+
				"(oldObject != null && has(oldObject.metadata.finalizers) && oldObject.metadata.finalizers.exists(f, f == '%[1]s'))", finalizerName),
			probe: func(ns string) client.Object {
				fc := gitConfig(ns, "probe", httpsPublic, v1alpha1.ScopeNamespace)
				controllerutil.AddFinalizer(fc, finalizerName)
				return fc
			},
		}
		refusedRollout(r, func(fc *v1alpha1.FluxConfig) []string {
			var p []string
			if live, err := getConfig(fc.Namespace, fc.Name); err == nil && controllerutil.ContainsFinalizer(live, finalizerName) {
				p = append(p, "the finalizer was added")
			}
			return append(p, sourceExists(fc)...)
		})
	})

	It("reports a refused GitRepository as a failure, creates no Kustomization, does not loop, and recovers when the policy goes", func() {
		r := refusal{
			name: "fault-deny-gitrepository", group: sourcev1.GroupVersion.Group, resource: "gitrepositories",
			operations: []admissionv1.OperationType{admissionv1.Create}, expression: "false",
			probe: func(ns string) client.Object {
				return &sourcev1.GitRepository{ObjectMeta: objectMeta(ns, "probe"), Spec: sourcev1.GitRepositorySpec{
					URL: "https://git.example.com/probe", Interval: metav1.Duration{Duration: time.Hour}}}
			},
		}
		refusedRollout(r, func(fc *v1alpha1.FluxConfig) []string {
			p := sourceExists(fc)
			if data := authSecretData(fc.Namespace, fc.Name); data != nil {
				p = append(p, "an auth Secret exists for a config without credentials")
			}
			return append(p, kustomizationsExist(fc)...)
		})
	})
})

// refusedRollout creates a FluxConfig where r refuses one of the
// controller's writes, and checks what a user relies on: the status says
// Failed with Ready=False and the refusal (the policy named), the
// generation is not marked observed, nothing that depends on the refused
// write is made (made says what was), the refused request is retried with
// backoff rather than in a loop, and once the policy is deleted the config
// converges on its own.
func refusedRollout(r refusal, made func(*v1alpha1.FluxConfig) []string) {
	Expect(ctrlProc.ensureRunning()).To(Succeed())
	ns := newNamespace(trustedPrefix+"policy-", map[string]string{policyLabel: r.name})
	DeferCleanup(deleteConfigs, ns)
	r.install()
	DeferCleanup(r.remove)

	fc := gitConfig(ns, "refused", httpsPublic, v1alpha1.ScopeNamespace)
	Expect(k8s.Create(bg(), fc.DeepCopy())).To(Succeed())
	By("the status says the pass failed, and why")
	Eventually(func() v1alpha1.FluxConfigStatus { return statusOf(fc) }, 30*time.Second).Should(And(
		HaveField("ProvisioningState", v1alpha1.ProvisioningFailed),
		HaveField("ErrorMessage", ContainSubstring(r.name)),
		HaveField("ObservedGeneration", BeNumerically("<", 1)), // the new config's generation 1 was not carried out
		WithTransform(func(st v1alpha1.FluxConfigStatus) metav1.ConditionStatus {
			return testkit.Condition(st, "Ready").Status
		}, Equal(metav1.ConditionFalse)),
	), func() string { return "the status reads " + describeStatus(statusOf(fc)) })
	Expect(made(fc)).To(BeEmpty())

	By("the refused write is retried with backoff, not in a loop")
	from, events := time.Now(), eventCount(fc)
	Consistently(func() []string { return made(fc) }, 6*time.Second, 500*time.Millisecond).Should(BeEmpty())
	writes, err := controllerWrites(pl.auditLog, writeFilter{from: from, namespaces: []string{ns}})
	Expect(err).NotTo(HaveOccurred())
	// A failed pass is retried with backoff, or every --requeue-dependency
	// (1 s): one refused request each, the status unchanged. Two writes a
	// second is twice that; a hot loop makes hundreds.
	Expect(len(writes)).To(BeNumerically("<=", 12), summarize(writes, 10))
	Expect(eventCount(fc)-events).To(BeNumerically("<=", 1), "events about the refusal, once it is reported")
	AddReportEntry("writes while "+r.name+" refuses", fmt.Sprintf("%d in 6 s", len(writes)))

	By("without the policy, the config converges on its own")
	r.remove()
	f := &fleet{}
	f.add(fc, httpsPublic)
	Eventually(func() []string { return convergedProblems(f, ns) }, time.Minute).Should(BeEmpty())
	Expect(sourceExists(fc)).NotTo(BeEmpty(), "the GitRepository exists")
}

// install creates the policy and its binding, and waits until the API
// server enforces them.
func (r refusal) install() {
	policy := &admissionv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: r.name},
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionv1.Fail),
			MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionv1.RuleWithOperations{
					Operations: r.operations,
					Rule:       admissionv1.Rule{APIGroups: []string{r.group}, APIVersions: []string{"*"}, Resources: []string{r.resource}},
				},
			}}},
			Validations: []admissionv1.Validation{{Expression: r.expression, Message: "refused by the cluster's policy (fault suite)"}},
		},
	}
	binding := &admissionv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: r.name},
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        r.name,
			ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
			MatchResources: &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{policyLabel: r.name}}},
		},
	}
	Expect(k8s.Create(bg(), policy)).To(Succeed())
	Expect(k8s.Create(bg(), binding)).To(Succeed())
	probeNS := newNamespace(trustedPrefix+"probe-", map[string]string{policyLabel: r.name})
	Eventually(func() error {
		return k8s.Create(bg(), r.probe(probeNS), client.DryRunAll)
	}, 30*time.Second).Should(MatchError(ContainSubstring(r.name)), "the API server enforces %s", r.name)
}

// remove deletes the policy and its binding, and waits until the API
// server no longer enforces them.
func (r refusal) remove() {
	for _, obj := range []client.Object{
		&admissionv1.ValidatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: r.name}},
		&admissionv1.ValidatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: r.name}},
	} {
		Expect(client.IgnoreNotFound(k8s.Delete(bg(), obj))).To(Succeed())
	}
	probeNS := newNamespace(trustedPrefix+"probe-", map[string]string{policyLabel: r.name})
	Eventually(func() error {
		return k8s.Create(bg(), r.probe(probeNS), client.DryRunAll)
	}, 30*time.Second).Should(Succeed(), "the API server no longer enforces %s", r.name)
}

func sourceExists(fc *v1alpha1.FluxConfig) []string {
	err := k8s.Get(bg(), client.ObjectKey{Namespace: fc.Namespace, Name: fc.Name}, &sourcev1.GitRepository{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return []string{fmt.Sprintf("GitRepository %s exists (%v)", id(fc), err)}
}

package controller

import (
	"context"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// denyPolicy installs a ValidatingAdmissionPolicy, bound to one namespace,
// that denies the operations on the resources named whenever expression is
// false. It is removed when the spec ends. The API server loads policies
// asynchronously: callers wait until a probe request is denied. The
// returned function removes the policy earlier.
func denyPolicy(ns, group, resource string, ops []admissionv1.OperationType, expression, message string) (remove func()) {
	name := "deny-" + ns + "-" + resource
	policy := &admissionv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionv1.Fail),
			MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionv1.RuleWithOperations{
					Operations: ops,
					Rule:       admissionv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: []string{resource}},
				},
			}}},
			Validations: []admissionv1.Validation{{Expression: expression, Message: message}},
		},
	}
	binding := &admissionv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
			MatchResources: &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{corev1.LabelMetadataName: ns},
			}},
		},
	}
	Expect(k8sClient.Create(ctx(), policy)).To(Succeed())
	Expect(k8sClient.Create(ctx(), binding)).To(Succeed())
	remove = func() {
		Expect(client.IgnoreNotFound(k8sClient.Delete(context.Background(), binding))).To(Succeed())
		Expect(client.IgnoreNotFound(k8sClient.Delete(context.Background(), policy))).To(Succeed())
	}
	DeferCleanup(remove)
	return remove
}

var _ = Describe("A status that never claims more than happened", func() {
	It("reports a refused finalizer as a failure, creates nothing, and recovers when the policy goes", func() {
		ns := newNamespace("fc-")
		allow := denyPolicy(ns, v1alpha1.GroupVersion.Group, "fluxconfigs", []admissionv1.OperationType{admissionv1.Update},
			"!has(object.metadata.finalizers) || !('"+v1alpha1.FluxConfigFinalizer+"' in object.metadata.finalizers)",
			"finalizers of FluxConfigs are not allowed here")
		// Until the policy is active, an update with the finalizer is let
		// through: wait for a denial on a probe object first.
		probe := tutorialConfig(ns, "probe")
		probe.Labels = map[string]string{shardLabel: "nobody"}
		Expect(k8sClient.Create(ctx(), probe)).To(Succeed())
		Eventually(func() error {
			p := getFC(ns, "probe")
			p.Finalizers = []string{v1alpha1.FluxConfigFinalizer}
			return k8sClient.Update(ctx(), p)
		}, timeout, interval).Should(MatchError(ContainSubstring("finalizers of FluxConfigs are not allowed here")))

		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "nofinalizer"))).To(Succeed())
		Eventually(fcStatus(ns, "nofinalizer"), timeout, interval).Should(And(
			HaveField("ProvisioningState", v1alpha1.ProvisioningFailed),
			HaveField("ErrorMessage", And(ContainSubstring("adding the finalizer"), ContainSubstring("not allowed here"))),
		))
		st := fcStatus(ns, "nofinalizer")()
		Expect(st.ObservedGeneration).NotTo(Equal(getFC(ns, "nofinalizer").Generation), "a failed pass does not advance observedGeneration")
		Expect(testkit.Condition(st, "Ready").Status).To(Equal(metav1.ConditionFalse))
		Expect(testkit.Condition(st, "Ready").Reason).To(Equal(status.ForbiddenReason))
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "nofinalizer"}, &sourcev1.GitRepository{})).
			NotTo(Succeed(), "nothing is created before the finalizer is in place")

		By("the policy goes, and the user asks for a pass rather than wait for the backoff: the finalizer and the children come")
		allow()
		Eventually(func() error {
			fc := getFC(ns, "nofinalizer")
			fc.Annotations = map[string]string{meta.ReconcileRequestAnnotation: "now"}
			return k8sClient.Update(ctx(), fc)
		}, timeout, interval).Should(Succeed())
		eventuallyGet(&sourcev1.GitRepository{}, ns, "nofinalizer")
		Expect(getFC(ns, "nofinalizer").Finalizers).To(ContainElement(v1alpha1.FluxConfigFinalizer))
	})

	It("reports every error of a deletion, and finishes once the cause is gone", func() {
		ns := newNamespace("fc-")
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "undeletable"))).To(Succeed())
		eventuallyGet(&sourcev1.GitRepository{}, ns, "undeletable")
		allow := denyPolicy(ns, sourcev1.GroupVersion.Group, "gitrepositories", []admissionv1.OperationType{admissionv1.Delete},
			"false", "GitRepositories cannot be deleted here")
		Eventually(func() error {
			probe := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns},
				Spec: sourcev1.GitRepositorySpec{URL: "https://example.com/x", Interval: metav1.Duration{Duration: 60e9}}}
			_ = k8sClient.Create(ctx(), probe)
			return k8sClient.Delete(ctx(), probe)
		}, timeout, interval).Should(MatchError(ContainSubstring("cannot be deleted here")))

		Expect(k8sClient.Delete(ctx(), getFC(ns, "undeletable"))).To(Succeed())
		Eventually(fcStatus(ns, "undeletable"), timeout, interval).Should(And(
			HaveField("ProvisioningState", v1alpha1.ProvisioningFailed),
			HaveField("ErrorMessage", And(ContainSubstring("deleting GitRepository undeletable"), ContainSubstring("cannot be deleted here"))),
		))
		Expect(testkit.Condition(fcStatus(ns, "undeletable")(), "Ready").Status).To(Equal(metav1.ConditionFalse))

		By("the policy goes: the deletion finishes")
		allow()
		eventuallyGone(&v1alpha1.FluxConfig{}, ns, "undeletable")
		eventuallyGone(&sourcev1.GitRepository{}, ns, "undeletable")
	})

	It("reports a policy refusing a generated object, retries it, and carries on once the policy goes", func() {
		ns := newNamespace("fc-")
		allow := denyPolicy(ns, sourcev1.GroupVersion.Group, "gitrepositories", []admissionv1.OperationType{admissionv1.Create},
			"false", "GitRepositories are refused here")
		Eventually(func() error {
			return k8sClient.Create(ctx(), &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns},
				Spec: sourcev1.GitRepositorySpec{URL: "https://example.com/x", Interval: metav1.Duration{Duration: 60e9}}})
		}, timeout, interval).Should(MatchError(ContainSubstring("refused here")))

		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "refused"))).To(Succeed())
		Eventually(func() metav1.Condition { return testkit.Condition(fcStatus(ns, "refused")(), "Ready") }, timeout, interval).Should(And(
			HaveField("Status", metav1.ConditionFalse),
			HaveField("Reason", status.ForbiddenReason),
			HaveField("Message", And(ContainSubstring("applying GitRepository "+ns+"/refused"), ContainSubstring("GitRepositories are refused here"))),
		))
		st := fcStatus(ns, "refused")()
		Expect(st.ProvisioningState).To(Equal(v1alpha1.ProvisioningFailed))
		Expect(testkit.Condition(st, "Stalled").Status).To(BeEmpty(), "a policy may change: not stalled")
		Expect(st.ObservedGeneration).NotTo(Equal(getFC(ns, "refused").Generation))

		By("the policy goes: the next look creates the GitRepository")
		allow()
		eventuallyGet(&sourcev1.GitRepository{}, ns, "refused")
	})
})

var _ = Describe("Generated deploy keys", func() {
	It("publishes no key and writes the status once while a foreign Secret holds the auth Secret's name", func() {
		ns := newNamespace("fc-")
		foreign := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "foreignkey-auth", Namespace: ns},
			StringData: map[string]string{"identity": "not ours"}}
		Expect(k8sClient.Create(ctx(), foreign)).To(Succeed())
		fc := tutorialConfig(ns, "foreignkey")
		fc.Spec.GitRepository.URL = "ssh://git@github.com/org/repo.git"
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())

		Eventually(fcStatus(ns, "foreignkey"), timeout, interval).Should(
			HaveField("ErrorMessage", ContainSubstring("Secret "+ns+"/foreignkey-auth already exists and was not created by this FluxConfig")))
		first := getFC(ns, "foreignkey")
		Expect(first.Status.RepositoryPublicKey).To(BeEmpty(), "no key is published while the Secret is not ours")
		// The conflict is looked at again every 2 s (RetryInterval): three
		// passes at least.
		Consistently(func() string {
			now := getFC(ns, "foreignkey")
			return now.ResourceVersion + " " + now.Status.RepositoryPublicKey
		}, "7s", interval).Should(Equal(first.ResourceVersion+" "), "the status is written once, with no key")
		now := &corev1.Secret{}
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(foreign), now)).To(Succeed())
		Expect(string(now.Data["identity"])).To(Equal("not ours"))
	})

	It("keeps the key stored in its Secret when the cache does not hold that Secret", func() {
		ns := newNamespace("fc-")
		shard, err := labels.Parse(shardLabel + "=keys")
		Expect(err).NotTo(HaveOccurred())
		fc := tutorialConfig(ns, "storedkey")
		fc.Labels = map[string]string{shardLabel: "keys"}
		fc.Spec.GitRepository.URL = "ssh://git@github.com/org/repo.git"
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())

		By("the key stored by an earlier controller, in a Secret the cache cannot see (no managed label)")
		key, err := builder.GenerateSSHKeyPair(builder.KeyAlgorithmEd25519)
		Expect(err).NotTo(HaveOccurred())
		stored := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name: "storedkey-auth", Namespace: ns,
				Annotations:     map[string]string{builder.GeneratedKeyAnnotation: "true"},
				OwnerReferences: []metav1.OwnerReference{builder.OwnerReference(getFC(ns, "storedkey"))},
			},
			Data: map[string][]byte{"identity": key.PrivateKey, "identity.pub": key.PublicKey},
		}
		Expect(k8sClient.Create(ctx(), stored)).To(Succeed())
		secretValues = append(secretValues, strings.Split(string(key.PrivateKey), "\n")[1])

		By("a controller for that shard reconciles it")
		shardCtx, stop := context.WithCancel(suiteCtx)
		DeferCleanup(stop)
		startManager(shardCtx, cfg, shard, suiteOptions, "fluxconfig-keys")
		Eventually(fcStatus(ns, "storedkey"), timeout, interval).Should(
			HaveField("RepositoryPublicKey", strings.TrimSpace(string(key.PublicKey))))
		now := &corev1.Secret{}
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(stored), now)).To(Succeed())
		Expect(now.Data["identity"]).To(Equal(key.PrivateKey), "the stored key is never replaced")
		Expect(now.Data["identity.pub"]).To(Equal(key.PublicKey))
	})
})

package fault

import (
	"fmt"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// foreignCase is a FluxConfig and an object someone else made with the
// name of one of its children.
type foreignCase struct {
	fc      *v1alpha1.FluxConfig
	kind    configKind
	foreign client.Object
	// kindName is how the status must name the foreign object.
	kindName string
}

var _ = Describe("Foreign objects", func() {
	It("never modifies or deletes an object of any child kind's name it did not create, names it in the status, and does not churn", func() {
		foreignRollout(func(c foreignCase) bool { return c.kind != generatedSSHKey }, func([]foreignCase) {})
	})

	It("publishes no key and writes the status once when a generated-key config's auth Secret is foreign", func() {
		foreignRollout(func(c foreignCase) bool { return c.kind == generatedSSHKey }, func(cases []foreignCase) {
			fc := cases[0].fc
			Expect(keys.published([]string{id(fc)})).To(BeZero(), "%d different keys were published, stored nowhere", keys.distinctKeys([]string{id(fc)}))
			Expect(statusOf(fc).RepositoryPublicKey).To(BeEmpty())
			Expect(statusWrites(fc)).To(HaveLen(1), "status writes of %s", id(fc))
		})
	})
})

// foreignRollout creates the foreign objects of the cases pick selects,
// then their FluxConfigs, and checks what a user relies on: each status
// names the foreign object, nothing is written and no status changes
// through retries and a resync, then (after more checks by then) deleting
// the FluxConfigs releases them and leaves every foreign object as it was.
func foreignRollout(pick func(foreignCase) bool, then func([]foreignCase)) {
	Expect(ctrlProc.ensureRunning()).To(Succeed())
	ns := newNamespace(trustedPrefix+"foreign-", nil)
	nsSA := newNamespace(trustedPrefix+"foreign-sa-", nil)
	createCredentials(ns)
	DeferCleanup(deleteConfigs, ns, nsSA)
	var cases []foreignCase
	for _, c := range foreignCases(ns, nsSA) {
		if pick(c) {
			cases = append(cases, c)
		}
	}
	foreignRV := map[string]string{}
	for _, c := range cases {
		Expect(k8s.Create(bg(), c.foreign)).To(Succeed())
		foreignRV[c.kindName] = c.foreign.GetResourceVersion()
	}
	for _, c := range cases {
		if c.kind == generatedSSHKey {
			keys.track(c.fc)
		}
		Expect(k8s.Create(bg(), c.fc.DeepCopy())).To(Succeed())
	}

	By("each FluxConfig names the foreign object in its status")
	for _, c := range cases {
		Eventually(func() v1alpha1.FluxConfigStatus { return statusOf(c.fc) }, 30*time.Second).Should(And(
			HaveField("ProvisioningState", v1alpha1.ProvisioningFailed),
			HaveField("ErrorMessage", ContainSubstring(c.kindName)),
			WithTransform(func(st v1alpha1.FluxConfigStatus) metav1.ConditionStatus {
				return testkit.Condition(st, "Ready").Status
			}, Equal(metav1.ConditionFalse)),
		), "FluxConfig %s", id(c.fc))
	}

	By("no write and no status change through several retries and a resync")
	expectNoChurn(cases, ns, nsSA)
	then(cases)

	By("deleting the FluxConfigs releases them and leaves every foreign object as it was")
	deleteConfigs(ns, nsSA)
	for _, c := range cases {
		live := c.foreign.DeepCopyObject().(client.Object)
		Expect(k8s.Get(bg(), client.ObjectKeyFromObject(c.foreign), live)).To(Succeed(), "%s was deleted", c.kindName)
		Expect(live.GetResourceVersion()).To(Equal(foreignRV[c.kindName]), "%s was modified", c.kindName)
	}
}

// expectNoChurn checks that, through several retries and a resync, no
// FluxConfig of the cases changes and the controller writes nothing.
func expectNoChurn(cases []foreignCase, ns, nsSA string) {
	rvs := func() map[string]string {
		now := map[string]string{}
		for _, c := range cases {
			now[id(c.fc)] = configRV(c.fc)
		}
		return now
	}
	settle(ns, nsSA, "")
	before, from := rvs(), time.Now()
	Consistently(rvs, 7*time.Second, 500*time.Millisecond).Should(Equal(before), func() string {
		var lines []string
		for _, c := range cases {
			w := statusWrites(c.fc)
			lines = append(lines, fmt.Sprintf("%s: %d status writes since creation, %d keys published", id(c.fc), len(w), keys.distinctKeys([]string{id(c.fc)})))
		}
		return "the status churns:\n" + strings.Join(lines, "\n")
	})
	writes, err := controllerWrites(pl.auditLog, writeFilter{from: from, namespaces: []string{ns, nsSA, ""}})
	Expect(err).NotTo(HaveOccurred())
	Expect(writes).To(BeEmpty(), "nothing changes, so nothing is written:\n%s", summarize(writes, 20))
}

// statusWrites lists the controller's status writes of a FluxConfig.
func statusWrites(fc *v1alpha1.FluxConfig) []auditEvent {
	w, err := controllerWrites(pl.auditLog, writeFilter{namespaces: []string{fc.Namespace}, resource: "fluxconfigs/status", name: fc.Name})
	Expect(err).NotTo(HaveOccurred())
	return w
}

// foreignCases makes one FluxConfig per child kind, each with a foreign
// object of that child's name; the ServiceAccount case is in nsSA, where
// the controller never made flux-applier.
func foreignCases(ns, nsSA string) []foreignCase {
	meta := func(namespace, name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{"app.kubernetes.io/managed-by": "someone-else"}}
	}
	hour := metav1.Duration{Duration: time.Hour}
	git := func(name string, kind configKind, scope string) *v1alpha1.FluxConfig {
		return gitConfig(ns, name, kind, scope)
	}
	bucket := &v1alpha1.FluxConfig{ObjectMeta: objectMeta(ns, "bucket-src"), Spec: v1alpha1.FluxConfigSpec{
		Scope: v1alpha1.ScopeNamespace, SourceKind: v1alpha1.SourceKindBucket,
		Bucket:         &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "fleet"},
		Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
	}}
	oci := func(name string, tls *v1alpha1.TLSConfigDefinition) *v1alpha1.FluxConfig {
		return &v1alpha1.FluxConfig{ObjectMeta: objectMeta(ns, name), Spec: v1alpha1.FluxConfigSpec{
			Scope: v1alpha1.ScopeNamespace, SourceKind: v1alpha1.SourceKindOCIRepository,
			OCIRepository:  &v1alpha1.OCIRepositoryDefinition{URL: "oci://registry.example.com/fleet", TLSConfig: tls},
			Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
		}}
	}
	roleRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}
	subjects := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "someone-else"}}
	opaque := map[string][]byte{"owner": []byte("someone else")}
	return []foreignCase{
		{fc: git("git-src", httpsPublic, v1alpha1.ScopeNamespace), kindName: "GitRepository " + ns + "/git-src",
			foreign: &sourcev1.GitRepository{ObjectMeta: meta(ns, "git-src"), Spec: sourcev1.GitRepositorySpec{URL: "https://other.example.com/repo", Interval: hour}}},
		{fc: bucket, kindName: "Bucket " + ns + "/bucket-src",
			foreign: &sourcev1.Bucket{ObjectMeta: meta(ns, "bucket-src"), Spec: sourcev1.BucketSpec{BucketName: "other", Endpoint: "s3.example.com", Interval: hour}}},
		{fc: oci("oci-src", nil), kindName: "OCIRepository " + ns + "/oci-src",
			foreign: &sourcev1.OCIRepository{ObjectMeta: meta(ns, "oci-src"), Spec: sourcev1.OCIRepositorySpec{URL: "oci://other.example.com/x", Interval: hour}}},
		{fc: git("ks", httpsPublic, v1alpha1.ScopeNamespace), kindName: "Kustomization " + ns + "/ks-apps",
			foreign: &kustomizev1.Kustomization{ObjectMeta: meta(ns, "ks-apps"), Spec: kustomizev1.KustomizationSpec{
				Interval: hour, Prune: true, SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "other"}}}},
		{fc: git("https-auth", httpsWithCredentials, v1alpha1.ScopeNamespace), kind: httpsWithCredentials, kindName: "Secret " + ns + "/https-auth-auth",
			foreign: &corev1.Secret{ObjectMeta: meta(ns, "https-auth-auth"), Data: opaque}},
		{fc: git("ssh-auth", generatedSSHKey, v1alpha1.ScopeNamespace), kind: generatedSSHKey, kindName: "Secret " + ns + "/ssh-auth-auth",
			foreign: &corev1.Secret{ObjectMeta: meta(ns, "ssh-auth-auth"), Data: opaque}},
		{fc: oci("oci-tls", &v1alpha1.TLSConfigDefinition{CACertificate: "-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n"}),
			kindName: "Secret " + ns + "/oci-tls-tls", foreign: &corev1.Secret{ObjectMeta: meta(ns, "oci-tls-tls"), Data: opaque}},
		{fc: git("rb", httpsPublic, v1alpha1.ScopeNamespace), kindName: "RoleBinding " + ns + "/flux-applier-rb",
			foreign: &rbacv1.RoleBinding{ObjectMeta: meta(ns, "flux-applier-rb"), RoleRef: roleRef, Subjects: subjects}},
		{fc: git("crb", httpsPublic, v1alpha1.ScopeCluster), kindName: fmt.Sprintf("ClusterRoleBinding flux-applier-%s-crb", ns),
			foreign: &rbacv1.ClusterRoleBinding{ObjectMeta: meta("", fmt.Sprintf("flux-applier-%s-crb", ns)), RoleRef: roleRef, Subjects: subjects}},
		{fc: gitConfig(nsSA, "sa", httpsPublic, v1alpha1.ScopeNamespace), kindName: "ServiceAccount " + nsSA + "/flux-applier",
			foreign: &corev1.ServiceAccount{ObjectMeta: meta(nsSA, "flux-applier")}},
	}
}

func statusOf(fc *v1alpha1.FluxConfig) v1alpha1.FluxConfigStatus {
	live, err := getConfig(fc.Namespace, fc.Name)
	if err != nil {
		return v1alpha1.FluxConfigStatus{ErrorMessage: "reading it: " + err.Error()}
	}
	return live.Status
}

func configRV(fc *v1alpha1.FluxConfig) string {
	live, err := getConfig(fc.Namespace, fc.Name)
	if err != nil {
		return err.Error()
	}
	return live.ResourceVersion
}

package fault

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// Namespace prefixes: --cluster-scope-namespaces allows scope cluster in
// fault-* only.
const (
	trustedPrefix = "fault-"
	tenantPrefix  = "tenant-fault-"
)

// protectedName is the protected parameters Secret every HTTPS config
// with credentials uses, one per namespace.
const protectedName = "git-credentials"

func bg() context.Context { return context.Background() }

// newNamespace makes a fresh namespace: envtest runs no namespace
// controller, so a namespace is never reused.
func newNamespace(prefix string, labels map[string]string) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix, Labels: labels}}
	ExpectWithOffset(1, k8s.Create(bg(), ns)).To(Succeed())
	return ns.Name
}

// configKind is how a config reaches its Git repository.
type configKind int

const (
	httpsWithCredentials configKind = iota
	generatedSSHKey
	httpsPublic
)

func (k configKind) String() string {
	return [...]string{"https+credentials", "ssh generated key", "https public"}[k]
}

// gitConfig is a FluxConfig with two kustomizations, infra then apps.
func gitConfig(ns, name string, kind configKind, scope string) *v1alpha1.FluxConfig {
	fc := &v1alpha1.FluxConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.FluxConfigSpec{
			Scope:      scope,
			SourceKind: v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{
				URL:           "https://git.example.com/fleet/" + name,
				RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
			},
			Kustomizations: []v1alpha1.KustomizationDefinition{
				{Name: "infra", Path: "./infrastructure", Prune: true},
				{Name: "apps", Path: "./apps", Prune: true, DependsOn: []string{"infra"}},
			},
		},
	}
	switch kind {
	case httpsWithCredentials:
		fc.Spec.GitRepository.HTTPSUser = "git"
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: protectedName}
	case generatedSSHKey:
		fc.Spec.GitRepository.URL = "ssh://git@git.example.com/fleet/" + name
	}
	return fc
}

// fleet is a set of configs and how each reaches Git.
type fleet struct {
	configs []*v1alpha1.FluxConfig
	kinds   map[string]configKind
}

func (f *fleet) add(fc *v1alpha1.FluxConfig, kind configKind) {
	if f.kinds == nil {
		f.kinds = map[string]configKind{}
	}
	f.configs = append(f.configs, fc)
	f.kinds[id(fc)] = kind
}

// generated returns the configs with a generated SSH key, and their ids.
func (f *fleet) generated() ([]*v1alpha1.FluxConfig, []string) {
	var fcs []*v1alpha1.FluxConfig
	var ids []string
	for _, fc := range f.configs {
		if f.kinds[id(fc)] == generatedSSHKey {
			fcs = append(fcs, fc)
			ids = append(ids, id(fc))
		}
	}
	return fcs, ids
}

// in returns the configs of namespace ns.
func (f *fleet) in(ns string) []*v1alpha1.FluxConfig {
	var out []*v1alpha1.FluxConfig
	for _, fc := range f.configs {
		if fc.Namespace == ns {
			out = append(out, fc)
		}
	}
	return out
}

func id(fc *v1alpha1.FluxConfig) string { return fc.Namespace + "/" + fc.Name }

// createCredentials makes the protected parameters Secret of a namespace
// with a fresh, planted token.
func createCredentials(ns string) {
	token := newSecret("the httpsKey of " + ns + "/" + protectedName)
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: protectedName},
		StringData: map[string]string{v1alpha1.ProtectedHTTPSKey: token},
	}
	ExpectWithOffset(1, k8s.Create(bg(), s)).To(Succeed())
}

func objectMeta(ns, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name}
}

func getConfig(ns, name string) (*v1alpha1.FluxConfig, error) {
	fc := &v1alpha1.FluxConfig{}
	return fc, k8s.Get(bg(), client.ObjectKey{Namespace: ns, Name: name}, fc)
}

// statusContradiction says how a status contradicts itself, "" if it
// does not: what a user reads must be coherent at every moment.
func statusContradiction(st v1alpha1.FluxConfigStatus) string {
	ready := apimeta.FindStatusCondition(st.Conditions, "Ready")
	switch {
	case st.ProvisioningState == v1alpha1.ProvisioningFailed && st.ErrorMessage == "":
		return "provisioningState Failed without an errorMessage"
	case st.ProvisioningState == v1alpha1.ProvisioningFailed && (ready == nil || ready.Status != metav1.ConditionFalse):
		return "provisioningState Failed but not Ready=False"
	case ready != nil && ready.Status == metav1.ConditionTrue && st.ErrorMessage != "":
		return "Ready=True with an errorMessage"
	}
	return ""
}

// pause waits d, or less if ctx ends. It paces the suite's own actions (a
// kill at a random moment, an outage of a given length); it never waits for
// a condition, Eventually does that.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func describeStatus(st v1alpha1.FluxConfigStatus) string {
	ready := testkit.Condition(st, "Ready")
	return fmt.Sprintf("observedGeneration=%d provisioningState=%q Ready=%s/%s errorMessage=%q",
		st.ObservedGeneration, st.ProvisioningState, ready.Status, ready.Reason, st.ErrorMessage)
}

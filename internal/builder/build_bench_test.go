package builder

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// BenchmarkBuild measures one build of a FluxConfig at the API's limit of 50
// kustomizations, each depending on the one before (the cycle check walks
// the whole chain).
func BenchmarkBuild(b *testing.B) {
	fc := &v1alpha1.FluxConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "bench", Namespace: "cluster-config", UID: "0000"},
		Spec: v1alpha1.FluxConfigSpec{
			Scope:      v1alpha1.ScopeCluster,
			SourceKind: v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{
				URL: "https://github.com/org/repo", HTTPSUser: "git",
				RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
			},
		},
	}
	for i := range 50 {
		k := v1alpha1.KustomizationDefinition{Name: fmt.Sprintf("k%d", i), Path: fmt.Sprintf("./k%d", i), Prune: true}
		if i > 0 {
			k.DependsOn = []string{fmt.Sprintf("k%d", i-1)}
		}
		fc.Spec.Kustomizations = append(fc.Spec.Kustomizations, k)
	}
	in := Input{Config: fc, Protected: map[string][]byte{v1alpha1.ProtectedHTTPSKey: []byte("token")}}
	opts := Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"cluster-config"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(in, opts); err != nil {
			b.Fatal(err)
		}
	}
}

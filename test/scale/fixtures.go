package main

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// RunLabel marks the FluxConfigs of one run; the controller under test
// watches only its run's (--watch-label-selector).
const RunLabel = "bench.fluxconfig.dev/run"

// ShardLabel assigns a FluxConfig to a shard in the sharding demo.
const ShardLabel = "bench.fluxconfig.dev/shard"

// fleet is the set of FluxConfigs of one run: n configs named fc-00000 ...
// (fc-<shard>-00000 ... when sharded, the shards taking turns),
// perNamespace of them per namespace <run>-<i>.
type fleet struct {
	run          string
	n, k         int
	perNamespace int
	shards       []string
}

func newFleet(run string, n, k, perNamespace int) *fleet {
	return &fleet{run: run, n: n, k: k, perNamespace: perNamespace}
}

// shard is the shard of FluxConfig i, "" when not sharded.
func (f *fleet) shard(i int) string {
	if len(f.shards) == 0 {
		return ""
	}
	return f.shards[i%len(f.shards)]
}

// shardPrefix starts the names of a shard's FluxConfigs, and so of their
// children (<config>, <config>-<ks>, flux-applier-<config>) and events.
func shardPrefix(shard string) string { return "fc-" + shard + "-" }

func (f *fleet) labels(i int) map[string]string {
	l := map[string]string{RunLabel: f.run}
	if sh := f.shard(i); sh != "" {
		l[ShardLabel] = sh
	}
	return l
}

func (f *fleet) namespace(i int) string { return fmt.Sprintf("%s-%d", f.run, i/f.perNamespace) }

func (f *fleet) namespaces() []string {
	var out []string
	for i := 0; i < f.n; i += f.perNamespace {
		out = append(out, f.namespace(i))
	}
	return out
}

func (f *fleet) key(i int) types.NamespacedName {
	name := fmt.Sprintf("fc-%05d", i)
	if sh := f.shard(i); sh != "" {
		name = fmt.Sprintf("%s%05d", shardPrefix(sh), i)
	}
	return types.NamespacedName{Namespace: f.namespace(i), Name: name}
}

// firstInNamespace: the config whose pass creates the namespace's shared
// flux-applier ServiceAccount in the bare-client baseline.
func (f *fleet) firstInNamespace(i int) bool { return i%f.perNamespace == 0 }

// children is how many Flux objects (source and Kustomizations) the run has.
func (f *fleet) children() int { return f.n * (1 + f.k) }

// owns tells whether a namespace belongs to this run.
func (f *fleet) owns(namespace string) bool { return strings.HasPrefix(namespace, f.run+"-") }

// config is FluxConfig i: a Git source and k Kustomizations, the first
// ("infra") a dependency of every other, applied as flux-applier in the
// namespace (scope namespace: a RoleBinding per config).
func (f *fleet) config(i int) *v1alpha1.FluxConfig {
	key := f.key(i)
	fc := &v1alpha1.FluxConfig{
		ObjectMeta: metav1.ObjectMeta{Name: key.Name, Namespace: key.Namespace, Labels: f.labels(i)},
		Spec: v1alpha1.FluxConfigSpec{
			Scope:      v1alpha1.ScopeNamespace,
			SourceKind: v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{
				URL:           fmt.Sprintf("https://git.example.com/fleet/cluster-%05d", i),
				RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
			},
		},
	}
	for j := range f.k {
		ks := v1alpha1.KustomizationDefinition{Name: fmt.Sprintf("ks%d", j), Path: fmt.Sprintf("./clusters/%d", j), Prune: true}
		if j > 0 {
			ks.DependsOn = []string{"ks0"}
		}
		fc.Spec.Kustomizations = append(fc.Spec.Kustomizations, ks)
	}
	return fc
}

// flipTarget is the Kustomization whose Ready condition the latency
// measurement flips: the last one, on which nothing depends.
func (f *fleet) flipTarget(i int) types.NamespacedName {
	key := f.key(i)
	return types.NamespacedName{Namespace: key.Namespace, Name: builder.KustomizationName(&v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Name: key.Name}}, fmt.Sprintf("ks%d", f.k-1))}
}

func (f *fleet) createNamespaces(ctx context.Context, c client.Client) error {
	for _, ns := range f.namespaces() {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			return fmt.Errorf("creating namespace %s: %w", ns, err)
		}
	}
	return nil
}

// controllerDefaults are the builder options of cmd/main.go's defaults
// (--enable-multi-tenancy=true, --cluster-scope-namespaces=cluster-config,flux-system),
// so the baseline applies the objects the controller builds.
var controllerDefaults = builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"cluster-config", "flux-system"}}

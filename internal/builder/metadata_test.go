package builder_test

import (
	"maps"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

var (
	wantLabels = map[string]string{
		"clusterconfig.azure.com/is-managed": "true",
		"clusterconfig.azure.com/name":       testName,
		"clusterconfig.azure.com/namespace":  testNamespace,
	}
	wantOwner = metav1.OwnerReference{
		APIVersion:         "clusterconfig.azure.com/v1alpha1",
		Kind:               "FluxConfig",
		Name:               testName,
		UID:                testUID,
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}
	wantSubjects = []rbacv1.Subject{{Kind: "ServiceAccount", Name: "flux-applier", Namespace: testNamespace}}
)

// TestNamespacedChildrenMetadata: every namespaced child but the shared
// ServiceAccount carries the managed labels and a controller reference to
// the FluxConfig, so it is garbage-collected with it and found by label.
func TestNamespacedChildrenMetadata(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in(t)
			objs := mustBuild(t, in, tc.opts)
			labels, owner := maps.Clone(wantLabels), wantOwner
			labels["clusterconfig.azure.com/name"], owner.Name = in.Config.Name, in.Config.Name
			for _, o := range objs.All() {
				kind := o.GetObjectKind().GroupVersionKind().Kind
				if o == client.Object(objs.ServiceAccount) || o == client.Object(objs.ClusterRoleBinding) {
					continue // checked in TestRBAC
				}
				if o.GetNamespace() != testNamespace {
					t.Errorf("%s %s: namespace %q, want %q", kind, o.GetName(), o.GetNamespace(), testNamespace)
				}
				if !reflect.DeepEqual(o.GetLabels(), labels) {
					t.Errorf("%s %s: labels %v, want %v", kind, o.GetName(), o.GetLabels(), labels)
				}
				if got := o.GetOwnerReferences(); !reflect.DeepEqual(got, []metav1.OwnerReference{owner}) {
					t.Errorf("%s %s: ownerReferences %+v, want exactly %+v", kind, o.GetName(), got, owner)
				}
				fc := in.Config
				if !builder.IsControlledBy(o, fc) || !builder.HasLabelsOf(o, fc) {
					t.Errorf("%s %s: IsControlledBy/HasLabelsOf do not recognize the child", kind, o.GetName())
				}
			}
		})
	}
}

func TestRBAC(t *testing.T) {
	tests := []struct {
		name   string
		scope  string
		opts   builder.Options
		wantSA bool
		// wantRB and wantCRB are nil when no binding of that kind is wanted.
		wantRB  *rbacv1.RoleBinding
		wantCRB *rbacv1.ClusterRoleBinding
	}{
		{
			name:  "no multi-tenancy: no identity, no bindings",
			scope: v1alpha1.ScopeCluster,
			opts:  builder.Options{},
		},
		{
			name:   "scope namespace: RoleBinding to ClusterRole admin, owned by the FluxConfig",
			scope:  v1alpha1.ScopeNamespace,
			opts:   multiTenantEverywhere,
			wantSA: true,
			wantRB: &rbacv1.RoleBinding{
				TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
				ObjectMeta: metav1.ObjectMeta{
					Name: "flux-applier-cfg", Namespace: testNamespace,
					Labels: wantLabels, OwnerReferences: []metav1.OwnerReference{wantOwner},
				},
				RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "admin"},
				Subjects: wantSubjects,
			},
		},
		{
			name:   "scope cluster: ClusterRoleBinding to cluster-admin, labeled, no ownerReference",
			scope:  v1alpha1.ScopeCluster,
			opts:   multiTenantEverywhere,
			wantSA: true,
			wantCRB: &rbacv1.ClusterRoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
				ObjectMeta: metav1.ObjectMeta{Name: "flux-applier-team-a-cfg", Labels: wantLabels},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   wantSubjects,
			},
		},
		{
			name:   "empty (defaulted) scope is cluster",
			scope:  "",
			opts:   multiTenantEverywhere,
			wantSA: true,
			wantCRB: &rbacv1.ClusterRoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
				ObjectMeta: metav1.ObjectMeta{Name: "flux-applier-team-a-cfg", Labels: wantLabels},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   wantSubjects,
			},
		},
		{
			name:   "scope cluster allowed by an exact namespace name",
			scope:  v1alpha1.ScopeCluster,
			opts:   builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"other", testNamespace}},
			wantSA: true,
			wantCRB: &rbacv1.ClusterRoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
				ObjectMeta: metav1.ObjectMeta{Name: "flux-applier-team-a-cfg", Labels: wantLabels},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   wantSubjects,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := gitSpec("https://example.com/org/repo.git")
			spec.Scope = tc.scope
			objs := mustBuild(t, builder.Input{Config: fluxConfig(spec)}, tc.opts)

			if got := objs.ServiceAccount != nil; got != tc.wantSA {
				t.Fatalf("ServiceAccount built = %v, want %v", got, tc.wantSA)
			}
			if tc.wantSA {
				sa := objs.ServiceAccount
				wantSALabels := map[string]string{"clusterconfig.azure.com/is-managed": "true", "clusterconfig.azure.com/namespace": testNamespace}
				if sa.Name != "flux-applier" || sa.Namespace != testNamespace {
					t.Errorf("ServiceAccount %s/%s, want %s/flux-applier", sa.Namespace, sa.Name, testNamespace)
				}
				// Shared by every FluxConfig of the namespace: no owner, no name label.
				if !reflect.DeepEqual(sa.Labels, wantSALabels) || len(sa.OwnerReferences) != 0 {
					t.Errorf("ServiceAccount labels %v owners %v, want labels %v and no owner", sa.Labels, sa.OwnerReferences, wantSALabels)
				}
			}
			for _, ks := range objs.Kustomizations {
				wantSAName := ""
				if tc.opts.MultiTenancy {
					wantSAName = "flux-applier"
				}
				if ks.Spec.ServiceAccountName != wantSAName {
					t.Errorf("Kustomization %s serviceAccountName %q, want %q", ks.Name, ks.Spec.ServiceAccountName, wantSAName)
				}
			}
			if !reflect.DeepEqual(objs.RoleBinding, tc.wantRB) {
				t.Errorf("RoleBinding\ngot:\n%s\nwant:\n%s", toYAML(t, objs.RoleBinding), toYAML(t, tc.wantRB))
			}
			if !reflect.DeepEqual(objs.ClusterRoleBinding, tc.wantCRB) {
				t.Errorf("ClusterRoleBinding\ngot:\n%s\nwant:\n%s", toYAML(t, objs.ClusterRoleBinding), toYAML(t, tc.wantCRB))
			}
		})
	}
}

func TestClusterScopeAllowed(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		ns       string
		want     bool
	}{
		{name: "no namespaces allowed", patterns: nil, ns: "team-a", want: false},
		{name: "star allows every namespace", patterns: []string{"*"}, ns: "team-a", want: true},
		{name: "exact name", patterns: []string{"cluster-config"}, ns: "cluster-config", want: true},
		{name: "other name", patterns: []string{"cluster-config"}, ns: "team-a", want: false},
		{name: "prefix pattern matches", patterns: []string{"platform-*"}, ns: "platform-dev", want: true},
		{name: "prefix pattern does not match", patterns: []string{"platform-*"}, ns: "team-platform", want: false},
		{name: "a malformed pattern allows nothing", patterns: []string{"[team"}, ns: "[team", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (builder.Options{ClusterScopeNamespaces: tc.patterns}).ClusterScopeAllowed(tc.ns); got != tc.want {
				t.Errorf("ClusterScopeAllowed(%q) with %q = %v, want %v", tc.ns, tc.patterns, got, tc.want)
			}
		})
	}
}

// TestShardLabels: with the controller sharded by a label, every child but
// the namespace's shared ServiceAccount carries the FluxConfig's value of it,
// so each shard caches its own children; labels the selector does not read
// stay on the FluxConfig.
func TestShardLabels(t *testing.T) {
	in := goldenCases()[0].in(t)
	in.Config.Labels = map[string]string{"shard": "a", "team": "payments"}
	objs := mustBuild(t, in, builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"*"}, ShardLabels: []string{"shard", "region"}})
	for _, o := range objs.All() {
		l := o.GetLabels()
		switch {
		case o == client.Object(objs.ServiceAccount):
			if _, ok := l["shard"]; ok {
				t.Errorf("the shared ServiceAccount carries the shard label: %v", l)
			}
		case l["shard"] != "a":
			t.Errorf("%T %s: labels %v, want shard=a", o, o.GetName(), l)
		}
		if _, ok := l["team"]; ok {
			t.Errorf("%T %s carries a label the selector does not read: %v", o, o.GetName(), l)
		}
		if _, ok := l["region"]; ok {
			t.Errorf("%T %s carries a label the FluxConfig does not have: %v", o, o.GetName(), l)
		}
	}
}

package builder_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

func TestKustomizationNamesAndDependsOn(t *testing.T) {
	spec := withKustomizations(gitSpec("https://example.com/org/repo.git"),
		v1alpha1.KustomizationDefinition{Name: "infra"},
		v1alpha1.KustomizationDefinition{Name: "config", DependsOn: []string{"infra"}},
		v1alpha1.KustomizationDefinition{Name: "apps", DependsOn: []string{"infra", "config"}},
	)
	objs := mustBuild(t, builder.Input{Config: fluxConfig(spec)}, builder.Options{})

	tests := []struct {
		name          string
		wantName      string
		wantDependsOn []meta.DependencyReference
	}{
		{name: "no dependencies", wantName: "cfg-infra"},
		{name: "one dependency", wantName: "cfg-config", wantDependsOn: []meta.DependencyReference{{Name: "cfg-infra"}}},
		{name: "two dependencies keep their order", wantName: "cfg-apps",
			wantDependsOn: []meta.DependencyReference{{Name: "cfg-infra"}, {Name: "cfg-config"}}},
	}
	if len(objs.Kustomizations) != len(tests) {
		t.Fatalf("got %d Kustomizations, want %d", len(objs.Kustomizations), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := objs.Kustomizations[i]
			if ks.Name != tc.wantName || ks.Namespace != testNamespace {
				t.Errorf("name = %s/%s, want %s/%s", ks.Namespace, ks.Name, testNamespace, tc.wantName)
			}
			if !reflect.DeepEqual(ks.Spec.DependsOn, tc.wantDependsOn) {
				t.Errorf("dependsOn = %+v, want %+v", ks.Spec.DependsOn, tc.wantDependsOn)
			}
		})
	}
}

// TestKustomizationSpec checks every spec field of the Kustomization built
// from one definition. Each case starts from the spec a bare definition
// gives and states only what it changes.
func TestKustomizationSpec(t *testing.T) {
	tenMinutes := metav1.Duration{Duration: 10 * time.Minute}
	baseWant := func() kustomizev1.KustomizationSpec {
		return kustomizev1.KustomizationSpec{
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: testName},
			Interval:  tenMinutes,
			Timeout:   &tenMinutes,
			Wait:      true,
			Patches:   []kustomize.Patch{managedSourcePatch()},
		}
	}
	tests := []struct {
		name string
		def  v1alpha1.KustomizationDefinition
		opts builder.Options
		// spec modifies the FluxConfig spec, when the case needs it.
		spec func(*v1alpha1.FluxConfigSpec)
		want func(*kustomizev1.KustomizationSpec)
	}{
		{
			name: "defaults: interval and timeout 10m, wait true, no prune or force",
			def:  v1alpha1.KustomizationDefinition{Name: "apps"},
			want: func(*kustomizev1.KustomizationSpec) {},
		},
		{
			name: "intervals, timeout and path are copied",
			def: v1alpha1.KustomizationDefinition{Name: "apps", Path: "./clusters/dev",
				SyncInterval: dur(time.Minute), RetryInterval: dur(30 * time.Second), Timeout: dur(3 * time.Minute)},
			want: func(s *kustomizev1.KustomizationSpec) {
				s.Path = "./clusters/dev"
				s.Interval = metav1.Duration{Duration: time.Minute}
				s.RetryInterval = dur(30 * time.Second)
				s.Timeout = dur(3 * time.Minute)
			},
		},
		{
			name: "wait false is kept",
			def:  v1alpha1.KustomizationDefinition{Name: "apps", Wait: boolPtr(false)},
			want: func(s *kustomizev1.KustomizationSpec) { s.Wait = false },
		},
		{
			name: "wait true is kept",
			def:  v1alpha1.KustomizationDefinition{Name: "apps", Wait: boolPtr(true)},
			want: func(*kustomizev1.KustomizationSpec) {},
		},
		{
			name: "prune and force are copied",
			def:  v1alpha1.KustomizationDefinition{Name: "apps", Prune: true, Force: true},
			want: func(s *kustomizev1.KustomizationSpec) { s.Prune, s.Force = true, true },
		},
		{
			name: "postBuild substitute and substituteFrom are copied",
			def: v1alpha1.KustomizationDefinition{Name: "apps", PostBuild: &v1alpha1.PostBuildDefinition{
				Substitute: map[string]string{"env": "dev"},
				SubstituteFrom: []v1alpha1.SubstituteReferenceDefinition{
					{Kind: "ConfigMap", Name: "vars"},
					{Kind: "Secret", Name: "secret-vars", Optional: true},
				},
			}},
			want: func(s *kustomizev1.KustomizationSpec) {
				s.PostBuild = &kustomizev1.PostBuild{
					Substitute: map[string]string{"env": "dev"},
					SubstituteFrom: []kustomizev1.SubstituteReference{
						{Kind: "ConfigMap", Name: "vars"},
						{Kind: "Secret", Name: "secret-vars", Optional: true},
					},
				}
			},
		},
		{
			name: "an empty postBuild is left out",
			def:  v1alpha1.KustomizationDefinition{Name: "apps", PostBuild: &v1alpha1.PostBuildDefinition{}},
			want: func(*kustomizev1.KustomizationSpec) {},
		},
		{
			name: "multi-tenancy applies as flux-applier",
			def:  v1alpha1.KustomizationDefinition{Name: "apps"},
			opts: builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"*"}},
			want: func(s *kustomizev1.KustomizationSpec) { s.ServiceAccountName = builder.ApplierServiceAccount },
		},
		{
			name: "suspend is copied",
			def:  v1alpha1.KustomizationDefinition{Name: "apps"},
			spec: func(s *v1alpha1.FluxConfigSpec) { s.Suspend = true },
			want: func(s *kustomizev1.KustomizationSpec) { s.Suspend = true },
		},
		{
			name: "Bucket source: sourceRef Bucket, no managed-source patch",
			def:  v1alpha1.KustomizationDefinition{Name: "apps"},
			spec: func(s *v1alpha1.FluxConfigSpec) {
				s.SourceKind, s.GitRepository = v1alpha1.SourceKindBucket, nil
				s.Bucket = &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "configs"}
			},
			want: func(s *kustomizev1.KustomizationSpec) {
				s.SourceRef.Kind, s.Patches = sourcev1.BucketKind, nil
			},
		},
		{
			name: "AzureBlob source: sourceRef Bucket, no managed-source patch",
			def:  v1alpha1.KustomizationDefinition{Name: "apps"},
			spec: func(s *v1alpha1.FluxConfigSpec) {
				s.SourceKind, s.GitRepository = v1alpha1.SourceKindAzureBlob, nil
				s.AzureBlob = &v1alpha1.AzureBlobDefinition{URL: "https://fake.blob.core.windows.net", ContainerName: "configs"}
			},
			want: func(s *kustomizev1.KustomizationSpec) {
				s.SourceRef.Kind, s.Patches = sourcev1.BucketKind, nil
			},
		},
		{
			name: "OCIRepository source: sourceRef OCIRepository, no managed-source patch",
			def:  v1alpha1.KustomizationDefinition{Name: "apps"},
			spec: func(s *v1alpha1.FluxConfigSpec) {
				s.SourceKind, s.GitRepository = v1alpha1.SourceKindOCIRepository, nil
				s.OCIRepository = &v1alpha1.OCIRepositoryDefinition{URL: "oci://registry.example.com/configs"}
			},
			want: func(s *kustomizev1.KustomizationSpec) {
				s.SourceRef.Kind, s.Patches = sourcev1.OCIRepositoryKind, nil
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := withKustomizations(gitSpec("https://example.com/org/repo.git"), tc.def)
			if tc.spec != nil {
				tc.spec(&spec)
			}
			objs := mustBuild(t, builder.Input{Config: fluxConfig(spec)}, tc.opts)
			if len(objs.Kustomizations) != 1 {
				t.Fatalf("got %d Kustomizations, want 1", len(objs.Kustomizations))
			}
			want := baseWant()
			tc.want(&want)
			if got := objs.Kustomizations[0].Spec; !equality.Semantic.DeepEqual(got, want) {
				t.Errorf("spec differs\ngot:\n%s\nwant:\n%s", toYAML(t, got), toYAML(t, want))
			}
		})
	}
}

// managedSourcePatch is the patch spelled out from the documented contract,
// not from builder.ManagedSourcePatch.
func managedSourcePatch() kustomize.Patch {
	return kustomize.Patch{
		Patch: `[{"op":"add","path":"/spec/chart/spec/sourceRef","value":{"kind":"GitRepository","name":"cfg","namespace":"team-a"}}]`,
		Target: &kustomize.Selector{
			Group:              "helm.toolkit.fluxcd.io",
			Kind:               "HelmRelease",
			AnnotationSelector: "clusterconfig.azure.com/use-managed-source=true",
		},
	}
}

func TestManagedSourcePatch(t *testing.T) {
	p := builder.ManagedSourcePatch(fluxConfig(gitSpec("https://example.com/org/repo.git")))

	wantTarget := kustomize.Selector{
		Group:              "helm.toolkit.fluxcd.io",
		Kind:               "HelmRelease",
		AnnotationSelector: "clusterconfig.azure.com/use-managed-source=true",
	}
	if p.Target == nil || *p.Target != wantTarget {
		t.Errorf("target = %+v, want %+v", p.Target, wantTarget)
	}

	// Compare the decoded JSON patch, so key order does not matter.
	var got []map[string]any
	if err := json.Unmarshal([]byte(p.Patch), &got); err != nil {
		t.Fatalf("patch is not a JSON patch: %v\n%s", err, p.Patch)
	}
	want := []map[string]any{{
		"op":    "add",
		"path":  "/spec/chart/spec/sourceRef",
		"value": map[string]any{"kind": "GitRepository", "name": "cfg", "namespace": "team-a"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("patch = %v, want %v", got, want)
	}
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package kinds

import (
	"testing"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

const revision = "main@sha1:0123456789abcdef0123456789abcdef01234567"

var tSource = metav1.NewTime(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC))

func readyTrue() metav1.Condition {
	return metav1.Condition{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.SucceededReason, ObservedGeneration: 3}
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProject(t *testing.T) {
	readyConds := []metav1.Condition{readyTrue()}
	objMeta := func(ns, name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: ns, Name: name, Generation: 3}
	}
	artifact := &meta.Artifact{Revision: revision, LastUpdateTime: tSource, Path: "p", URL: "u"}
	revTime := tSource

	tests := []struct {
		name string
		obj  client.Object
		want status.Object
	}{
		{
			name: "HelmRelease: latest history version, chart reference, failure counts",
			obj: &helmv2.HelmRelease{
				ObjectMeta: objMeta("apps", "web"),
				Status: helmv2.HelmReleaseStatus{
					ObservedGeneration: 3,
					Conditions:         readyConds,
					HelmChart:          "flux-system/flux-system-web",
					History:            helmv2.Snapshots{{Version: 3}, {Version: 2}, {Version: 1}},
					Failures:           4,
					InstallFailures:    1,
					UpgradeFailures:    2,
				},
			},
			want: status.Object{Kind: "HelmRelease", Namespace: "apps", Name: "web", Found: true,
				Generation: 3, ObservedGeneration: 3, Conditions: readyConds,
				HelmRelease: &v1alpha1.HelmReleasePropertiesDefinition{
					LastRevisionApplied: 3,
					HelmChartRef:        &v1alpha1.ObjectReferenceDefinition{Name: "flux-system-web", Namespace: "flux-system"},
					FailureCount:        4, InstallFailureCount: 1, UpgradeFailureCount: 2,
				}},
		},
		{
			name: "HelmRelease: latest is the highest version, wherever it is in the history",
			obj: &helmv2.HelmRelease{
				ObjectMeta: objMeta("apps", "web"),
				Status:     helmv2.HelmReleaseStatus{ObservedGeneration: 3, History: helmv2.Snapshots{{Version: 2}, {Version: 5}, {Version: 4}}},
			},
			want: status.Object{Kind: "HelmRelease", Namespace: "apps", Name: "web", Found: true, Generation: 3, ObservedGeneration: 3,
				HelmRelease: &v1alpha1.HelmReleasePropertiesDefinition{LastRevisionApplied: 5}},
		},
		{
			name: "HelmRelease: chart reference without a namespace is in the release's namespace",
			obj: &helmv2.HelmRelease{
				ObjectMeta: objMeta("apps", "web"),
				Spec:       helmv2.HelmReleaseSpec{Suspend: true},
				Status:     helmv2.HelmReleaseStatus{ObservedGeneration: 2, HelmChart: "apps-web"},
			},
			want: status.Object{Kind: "HelmRelease", Namespace: "apps", Name: "web", Found: true, Generation: 3, ObservedGeneration: 2,
				Suspended: true,
				HelmRelease: &v1alpha1.HelmReleasePropertiesDefinition{
					HelmChartRef: &v1alpha1.ObjectReferenceDefinition{Name: "apps-web", Namespace: "apps"},
				}},
		},
		{
			name: "GitRepository with an artifact: revision and its time",
			obj: &sourcev1.GitRepository{
				ObjectMeta: objMeta("team-a", "cfg"),
				Status:     sourcev1.GitRepositoryStatus{ObservedGeneration: 3, Conditions: readyConds, Artifact: artifact},
			},
			want: status.Object{Kind: "GitRepository", Namespace: "team-a", Name: "cfg", Found: true, Generation: 3, ObservedGeneration: 3,
				Conditions: readyConds, Revision: revision, RevisionTime: &revTime},
		},
		{
			name: "suspended GitRepository without an artifact",
			obj: &sourcev1.GitRepository{
				ObjectMeta: objMeta("team-a", "cfg"),
				Spec:       sourcev1.GitRepositorySpec{Suspend: true},
			},
			want: status.Object{Kind: "GitRepository", Namespace: "team-a", Name: "cfg", Found: true, Generation: 3, Suspended: true},
		},
		{
			name: "Bucket with an artifact",
			obj: &sourcev1.Bucket{
				ObjectMeta: objMeta("team-a", "cfg"),
				Status:     sourcev1.BucketStatus{ObservedGeneration: 3, Artifact: artifact},
			},
			want: status.Object{Kind: "Bucket", Namespace: "team-a", Name: "cfg", Found: true, Generation: 3, ObservedGeneration: 3,
				Revision: revision, RevisionTime: &revTime},
		},
		{
			name: "OCIRepository with an artifact",
			obj: &sourcev1.OCIRepository{
				ObjectMeta: objMeta("team-a", "cfg"),
				Status:     sourcev1.OCIRepositoryStatus{ObservedGeneration: 3, Artifact: artifact},
			},
			want: status.Object{Kind: "OCIRepository", Namespace: "team-a", Name: "cfg", Found: true, Generation: 3, ObservedGeneration: 3,
				Revision: revision, RevisionTime: &revTime},
		},
		{
			name: "Kustomization: last applied revision",
			obj: &kustomizev1.Kustomization{
				ObjectMeta: objMeta("team-a", "cfg-apps"),
				Spec:       kustomizev1.KustomizationSpec{Suspend: true},
				Status: kustomizev1.KustomizationStatus{
					ObservedGeneration: 3, Conditions: readyConds, LastAppliedRevision: revision},
			},
			want: status.Object{Kind: "Kustomization", Namespace: "team-a", Name: "cfg-apps", Found: true, Generation: 3, ObservedGeneration: 3,
				Suspended: true, Conditions: readyConds, Revision: revision},
		},
		{
			name: "a kind it does not know: identity only",
			obj: &corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: objMeta("team-a", "settings"),
			},
			want: status.Object{Kind: "ConfigMap", Namespace: "team-a", Name: "settings", Found: true, Generation: 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Project(tc.obj)
			if !equality.Semantic.DeepEqual(got, tc.want) {
				t.Errorf("Project\ngot:\n%s\nwant:\n%s", toYAML(t, got), toYAML(t, tc.want))
			}
		})
	}
}

func TestProjectUnknownKindIsUnknown(t *testing.T) {
	o := Project(&corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}})
	if got := status.Compliance(o); got != v1alpha1.ComplianceUnknown {
		t.Errorf("Compliance of an unknown kind = %q, want Unknown", got)
	}
}

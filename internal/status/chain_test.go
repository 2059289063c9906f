package status

import (
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/meta"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Objects of the tutorial's FluxConfig cluster-config/cluster-config, built
// here so the table does not depend on other tests' helpers.
func chainObj(kind, name string, ready metav1.ConditionStatus, reason, msg string) Object {
	return Object{Kind: kind, Namespace: "cluster-config", Name: name, Found: true, Generation: 1, ObservedGeneration: 1,
		Conditions: []metav1.Condition{{Type: meta.ReadyCondition, Status: ready, Reason: reason, Message: msg, ObservedGeneration: 1}}}
}

func chainSource(ready metav1.ConditionStatus, msg string) Object {
	return chainObj("GitRepository", "cluster-config", ready, "Succeeded", msg)
}

func chainKs(name string, ready metav1.ConditionStatus, reason, msg string) Object {
	return chainObj("Kustomization", "cluster-config-"+name, ready, reason, msg)
}

func appliedBy(o Object, ks string) Object {
	o.AppliedBy = &v1alpha1.ObjectReferenceDefinition{Name: "cluster-config-" + ks, Namespace: "cluster-config"}
	return o
}

const (
	buildFailed = "kustomize build failed: map[string]interface {}(nil): yaml: line 4: did not find expected ',' or ']'"
	infraWait   = "dependency 'cluster-config/cluster-config-infra' is not ready"
)

func TestChain(t *testing.T) {
	ok := metav1.ConditionTrue
	no := metav1.ConditionFalse
	src := chainSource(ok, "stored artifact for revision 'main@sha1:0123'")
	tests := []struct {
		name string
		objs []Object
		want string
	}{
		{"all compliant", []Object{src, chainKs("infra", ok, "ReconciliationSucceeded", "Applied revision")}, ""},
		{"nothing observed", nil, ""},
		{"a dependency failed: root cause last",
			[]Object{src, chainKs("infra", no, "BuildFailed", buildFailed), chainKs("apps", no, meta.DependencyNotReadyReason, infraWait)},
			"apps waits for infra; infra failed: " + buildFailed},
		{"a chain of two dependencies",
			[]Object{src, chainKs("infra", no, "BuildFailed", buildFailed), chainKs("apps", no, meta.DependencyNotReadyReason, infraWait),
				chainKs("smoke", no, meta.DependencyNotReadyReason, "dependency 'cluster-config/cluster-config-apps' is not ready")},
			"smoke waits for apps; apps waits for infra; infra failed: " + buildFailed},
		{"the source failed and the Kustomizations wait for its artifact",
			[]Object{chainSource(no, "failed to checkout and determine revision: authentication required"),
				chainKs("infra", no, helmv2.ArtifactFailedReason, "Source artifact not found, retrying in 30s")},
			"infra waits for GitRepository cluster-config/cluster-config; GitRepository cluster-config/cluster-config failed: failed to checkout and determine revision: authentication required"},
		{"a failed Kustomization is explained by the HelmRelease it applied",
			[]Object{src, chainKs("apps", no, "HealthCheckFailed", "health check failed after 5m0s"),
				appliedBy(chainObj("HelmRelease", "podinfo", no, "InstallFailed", "Helm install failed for release podinfo/podinfo"), "apps")},
			"apps failed: health check failed after 5m0s; HelmRelease cluster-config/podinfo failed: Helm install failed for release podinfo/podinfo"},
		{"a HelmRelease waits for its HelmChart",
			[]Object{src, chainKs("apps", ok, "ReconciliationSucceeded", "Applied revision"),
				appliedBy(chainObj("HelmRelease", "hello", no, SourceNotReadyReason, "HelmChart 'cluster-config/cluster-config-hello' is not ready"), "apps"),
				appliedBy(chainObj("HelmChart", "cluster-config-hello", no, "ChartPullFailed", "chart pull error: chart not found"), "apps")},
			"HelmRelease cluster-config/hello waits for HelmChart cluster-config/cluster-config-hello; HelmChart cluster-config/cluster-config-hello failed: chart pull error: chart not found"},
		{"a dependency that does not exist",
			[]Object{src, chainKs("apps", no, meta.DependencyNotReadyReason, "dependency 'cluster-config/cluster-config-gone' is not ready")},
			"apps waits for Kustomization cluster-config/cluster-config-gone; Kustomization cluster-config/cluster-config-gone does not exist"},
		{"still converging: the pending root is named",
			[]Object{src, chainObj("Kustomization", "cluster-config-infra", metav1.ConditionUnknown, "Progressing", "Reconciliation in progress"),
				chainKs("apps", no, meta.DependencyNotReadyReason, infraWait)},
			"apps waits for infra; infra is not ready yet: Reconciliation in progress"},
		{"a dependency that is ready by now is not blamed",
			[]Object{src, chainKs("infra", ok, "ReconciliationSucceeded", "Applied revision"), chainKs("apps", no, meta.DependencyNotReadyReason, infraWait)},
			"apps is not ready yet: " + infraWait},
		{"an object not created yet",
			[]Object{src, Missing("Kustomization", "cluster-config", "cluster-config-infra")},
			"infra does not exist yet"},
		{"a failure beats a longer pending chain",
			[]Object{src, chainObj("Kustomization", "cluster-config-infra", metav1.ConditionUnknown, "Progressing", "Reconciliation in progress"),
				chainKs("apps", no, meta.DependencyNotReadyReason, infraWait),
				appliedBy(chainObj("HelmRelease", "redis", no, "UpgradeFailed", "Helm upgrade failed"), "infra")},
			"HelmRelease cluster-config/redis failed: Helm upgrade failed"},
		{"a dependency cycle ends",
			[]Object{src, chainKs("a", no, meta.DependencyNotReadyReason, "dependency 'cluster-config/cluster-config-b' is not ready"),
				chainKs("b", no, meta.DependencyNotReadyReason, "dependency 'cluster-config/cluster-config-a' is not ready")},
			"a waits for b; b is not ready yet: dependency 'cluster-config/cluster-config-a' is not ready"},
		{"suspended objects block nothing",
			[]Object{src, func() Object { o := chainKs("infra", no, "BuildFailed", buildFailed); o.Suspended = true; return o }()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Chain(tt.objs); got != tt.want {
				t.Errorf("Chain():\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

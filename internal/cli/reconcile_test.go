package cli

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

const (
	token = "2026-01-02T03:04:05.123456789Z"
	rev   = "main@sha1:6f1c2e0000000000000000000000000000000000"
	old   = "main@sha1:0a1b2c0000000000000000000000000000000000"
)

func TestHandledSince(t *testing.T) {
	for _, tt := range []struct {
		handled string
		want    bool
	}{
		{token, true},
		{"2026-01-02T03:04:06Z", true},  // a later request: the controller's own, or the user's again
		{"2026-01-02T03:04:05Z", false}, // an earlier one
		{"", false},
		{"now", false}, // someone else's token, not a time
	} {
		if got := handledSince(tt.handled, token); got != tt.want {
			t.Errorf("handledSince(%q) = %t, want %t", tt.handled, got, tt.want)
		}
	}
}

// child builds a child as reconcile reads it.
func child(kind, name, handled, ready, reason, revision, attempted string, deps ...int) childState {
	o := status.Object{Kind: kind, Namespace: "ns", Name: name, Found: true, Generation: 1, ObservedGeneration: 1, Revision: revision}
	if ready != "" {
		o.Conditions = []metav1.Condition{cond("Ready", metav1.ConditionStatus(ready), reason, reason)}
	}
	return childState{obj: o, handled: handled, attempted: attempted, dependsOn: deps}
}

func src(handled, ready string) childState {
	return child("GitRepository", "cfg", handled, ready, "Succeeded", rev, "")
}

func ks(name, handled, ready, reason, attempted string, deps ...int) childState {
	return child("Kustomization", "cfg-"+name, handled, ready, reason, attempted, attempted, deps...)
}

// finished reads what Flux did with the forwarded request: every child at
// once, Kustomizations reported only once they applied the revision the
// source holds, or are blocked by a dependency that did not make it.
func TestFinished(t *testing.T) {
	tests := []struct {
		name     string
		children []childState
		want     string
	}{
		{"the source has not handled it yet", []childState{src("earlier", "True"), ks("infra", token, "True", "Succeeded", rev)}, "0 0"},
		{"the source is still at work", []childState{src(token, "Unknown"), ks("infra", token, "True", "Succeeded", rev)}, "0 0"},
		{"a Kustomization has not handled it yet", []childState{src(token, "True"), ks("infra", "2026-01-01T00:00:00Z", "True", "Succeeded", rev)}, "1 0"},
		{"all done", []childState{src(token, "True"), ks("infra", token, "True", "Succeeded", rev), ks("apps", token, "True", "Succeeded", rev, 1)}, "1 1 1"},
		{"a Kustomization applied the previous revision: the new one comes", []childState{src(token, "True"), ks("infra", token, "True", "Succeeded", old)}, "1 0"},
		{"a failed build is finished", []childState{src(token, "True"), ks("infra", token, "False", "BuildFailed", rev)}, "1 1"},
		{"apps waits on infra that is still at work", []childState{src(token, "True"), ks("infra", token, "Unknown", "Progressing", rev), ks("apps", token, "False", "DependencyNotReady", old, 1)}, "1 0 0"},
		{"apps waits on infra that is now Compliant: kustomize-controller tries again", []childState{src(token, "True"), ks("infra", token, "True", "Succeeded", rev), ks("apps", token, "False", "DependencyNotReady", old, 1)}, "1 1 0"},
		{"apps is blocked by infra that failed", []childState{src(token, "True"), ks("infra", token, "False", "BuildFailed", rev), ks("apps", token, "False", "DependencyNotReady", old, 1)}, "1 1 1"},
		{"a dependency cycle never finishes", []childState{src(token, "True"), ks("a", token, "False", "DependencyNotReady", old, 2), ks("b", token, "False", "DependencyNotReady", old, 1)}, "1 0 0"},
		{"a Kustomization not created yet", []childState{src(token, "True"), {obj: status.Missing("Kustomization", "ns", "cfg-x")}}, "1 0"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range finished(tt.children, token) {
				got = append(got, map[bool]string{true: "1", false: "0"}[d])
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("finished = %s, want %s", g, tt.want)
			}
		})
	}
}

func TestWriteChild(t *testing.T) {
	var b strings.Builder
	writeChild(&b, ks("apps", token, "True", "Succeeded", rev).obj)
	writeChild(&b, ks("infra", token, "False", "BuildFailed", rev).obj)
	want := fmt.Sprintf("✔ Kustomization ns/cfg-apps Compliant %s\n✗ Kustomization ns/cfg-infra Non-Compliant %s\n", rev, rev)
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

package status

import (
	"fmt"
	"regexp"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/meta"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Flux names what an object waits for in its Ready message:
// kustomize- and helm-controller write "dependency 'ns/name' is not
// ready", helm-controller "HelmChart 'ns/name' ...".
var (
	dependencyRef = regexp.MustCompile(`dependency\s'([^'/]+)/([^']+)'`)
	helmChartRef  = regexp.MustCompile(`HelmChart\s'([^'/]+)/([^']+)'`)
)

// link is one step of a blocking chain: an object, and what it waits for
// when that object was not observed (only its name is known).
type link struct {
	index   int
	dangles string
}

// Chain explains what blocks a FluxConfig, root cause last, for example
// "apps waits for infra; infra failed: kustomize build failed: ...". objs
// are the observed objects in the order the controller reads them: the
// source first, then the generated Kustomizations, then the Flux objects in
// their inventories (Report.Objects). It returns "" when nothing blocks:
// every object is Compliant or Suspended.
//
// It follows what Flux says an object waits for (a dependsOn entry, a
// HelmChart, the source artifact) and, from a failed Kustomization, the
// failed object it applied. Of all chains it picks the one that ends in a
// failure, then the longest, then the one that starts first in objs.
func Chain(objs []Object) string {
	states := make([]string, len(objs))
	for i, o := range objs {
		states[i] = Compliance(o)
	}
	var best []link
	for i := range objs {
		if states[i] == v1alpha1.ComplianceCompliant || states[i] == v1alpha1.ComplianceSuspended {
			continue
		}
		path := follow(objs, states, i)
		if better(path, best, states) {
			best = path
		}
	}
	return render(objs, states, best)
}

// follow walks from objs[start] along what each object waits for.
func follow(objs []Object, states []string, start int) []link {
	path := []link{{index: start}}
	seen := map[int]bool{start: true}
	for {
		cur := path[len(path)-1].index
		next, dangles := waitTarget(objs, cur)
		if next < 0 && dangles == "" && states[cur] == v1alpha1.ComplianceNonCompliant {
			next = failedChild(objs, states, cur)
		}
		switch {
		case dangles != "":
			return append(path, link{index: -1, dangles: dangles})
		case next < 0 || seen[next] || states[next] == v1alpha1.ComplianceCompliant:
			return path
		}
		seen[next] = true
		path = append(path, link{index: next})
	}
}

// better tells whether path explains more than best: it ends in a
// failure, then it is longer; a tie keeps the earlier one.
func better(path, best []link, states []string) bool {
	if best == nil {
		return true
	}
	fails := func(p []link) bool {
		last := p[len(p)-1]
		return last.index >= 0 && states[last.index] == v1alpha1.ComplianceNonCompliant
	}
	if fails(path) != fails(best) {
		return fails(path)
	}
	return len(path) > len(best)
}

// waitTarget finds what objs[i] waits for: the index of that object, or
// its name when it was not observed, or (-1, "") when it waits for nothing.
func waitTarget(objs []Object, i int) (int, string) {
	o := objs[i]
	ready := apimeta.FindStatusCondition(o.Conditions, meta.ReadyCondition)
	if ready == nil || ready.Status == metav1.ConditionTrue {
		return -1, ""
	}
	switch ready.Reason {
	case meta.DependencyNotReadyReason, SourceNotReadyReason:
		if m := dependencyRef.FindStringSubmatch(ready.Message); m != nil {
			return find(objs, o.Kind, m[1], m[2])
		}
		if m := helmChartRef.FindStringSubmatch(ready.Message); m != nil {
			return find(objs, "HelmChart", m[1], m[2])
		}
		if ref := o.HelmRelease; ref != nil && ref.HelmChartRef != nil {
			return find(objs, "HelmChart", ref.HelmChartRef.Namespace, ref.HelmChartRef.Name)
		}
	case helmv2.ArtifactFailedReason:
		// A generated Kustomization's source is the first object.
		if strings.HasPrefix(ready.Message, "Source ") && o.AppliedBy == nil && i > 0 {
			return 0, ""
		}
	}
	return -1, ""
}

func find(objs []Object, kind, namespace, name string) (int, string) {
	for i, o := range objs {
		if o.Kind == kind && o.Namespace == namespace && o.Name == name {
			return i, ""
		}
	}
	return -1, fmt.Sprintf("%s %s/%s", kind, namespace, name)
}

// failedChild is the first Non-Compliant object a failed Kustomization
// applied: its health check failed because of it.
func failedChild(objs []Object, states []string, i int) int {
	if objs[i].Kind != "Kustomization" {
		return -1
	}
	for j, o := range objs {
		if j != i && states[j] == v1alpha1.ComplianceNonCompliant && o.AppliedBy != nil &&
			o.AppliedBy.Name == objs[i].Name && o.AppliedBy.Namespace == objs[i].Namespace {
			return j
		}
	}
	return -1
}

// render writes the chain, one clause per link, root cause last.
func render(objs []Object, states []string, path []link) string {
	if len(path) == 0 {
		return ""
	}
	var clauses []string
	for n, l := range path {
		if l.index < 0 {
			clauses = append(clauses, l.dangles+" does not exist")
			break
		}
		name := label(objs, l.index)
		last := n == len(path)-1
		switch {
		case !last && path[n+1].index >= 0 && states[l.index] != v1alpha1.ComplianceNonCompliant:
			clauses = append(clauses, fmt.Sprintf("%s waits for %s", name, label(objs, path[n+1].index)))
		case !last && path[n+1].index < 0:
			clauses = append(clauses, fmt.Sprintf("%s waits for %s", name, path[n+1].dangles))
		default:
			clauses = append(clauses, state(objs[l.index], states[l.index], name))
		}
	}
	return strings.Join(clauses, "; ")
}

// state says in a few words where the last (or a failed) object stands.
func state(o Object, compliance, name string) string {
	msg := ""
	for _, t := range []string{meta.StalledCondition, meta.ReadyCondition, meta.ReconcilingCondition} {
		if c := apimeta.FindStatusCondition(o.Conditions, t); c != nil && c.Message != "" {
			msg = c.Message
			break
		}
	}
	switch {
	case !o.Found:
		return name + " does not exist yet"
	case compliance == v1alpha1.ComplianceNonCompliant:
		return fmt.Sprintf("%s failed: %s", name, msg)
	case msg == "":
		return name + " has no status yet"
	}
	return fmt.Sprintf("%s is not ready yet: %s", name, msg)
}

// label names an object the way a user wrote it: a generated Kustomization
// by its spec.kustomizations name, the source and the applied objects as
// "Kind namespace/name", as the rest of the status names them.
func label(objs []Object, i int) string {
	o := objs[i]
	if i == 0 {
		return o.Ref()
	}
	if o.Kind == "Kustomization" && o.AppliedBy == nil {
		if short, ok := strings.CutPrefix(o.Name, objs[0].Name+"-"); ok && short != "" {
			return short
		}
	}
	return o.Ref()
}

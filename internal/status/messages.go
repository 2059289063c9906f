package status

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// entry is the statuses[] entry of one object.
func entry(o Object, compliance string) v1alpha1.ObjectStatusDefinition {
	e := v1alpha1.ObjectStatusDefinition{
		Name:                  o.Name,
		Namespace:             o.Namespace,
		Kind:                  o.Kind,
		ComplianceState:       compliance,
		AppliedBy:             o.AppliedBy,
		HelmReleaseProperties: o.HelmRelease,
	}
	for _, t := range []string{meta.ReadyCondition, meta.ReconcilingCondition, meta.StalledCondition} {
		if c := apimeta.FindStatusCondition(o.Conditions, t); c != nil {
			ltt := c.LastTransitionTime
			e.StatusConditions = append(e.StatusConditions, v1alpha1.ObjectStatusConditionDefinition{
				Type: c.Type, Status: string(c.Status), Reason: c.Reason,
				Message: truncate(c.Message), LastTransitionTime: &ltt,
			})
		}
	}
	return e
}

// firstNotCompliant returns the object to blame: the first Non-Compliant,
// else the first Pending or Unknown one, else nil.
func firstNotCompliant(objs []Object, states []string) *Object {
	for _, want := range []string{v1alpha1.ComplianceNonCompliant, v1alpha1.CompliancePending, v1alpha1.ComplianceUnknown} {
		for i, s := range states {
			if s == want {
				return &objs[i]
			}
		}
	}
	return nil
}

// describe says in words where an object stands, with Flux's own message.
func describe(o *Object) string {
	if !o.Found {
		return fmt.Sprintf("%s does not exist yet", o.Ref())
	}
	if o.ObservedGeneration == 0 && len(o.Conditions) == 0 {
		return fmt.Sprintf("%s has not been reconciled yet: is its Flux controller running?", o.Ref())
	}
	if o.Generation > 0 && o.ObservedGeneration < o.Generation && !failingNow(*o) {
		return fmt.Sprintf("%s: waiting for its controller to reconcile generation %d", o.Ref(), o.Generation)
	}
	if o.AwaitedRevision != "" && apimeta.IsStatusConditionTrue(o.Conditions, meta.ReadyCondition) {
		return fmt.Sprintf("%s has not applied revision %s yet (it applied %s)", o.Ref(), o.AwaitedRevision, o.Revision)
	}
	for _, t := range []string{meta.StalledCondition, meta.ReadyCondition, meta.ReconcilingCondition} {
		if c := apimeta.FindStatusCondition(o.Conditions, t); c != nil && c.Message != "" {
			return fmt.Sprintf("%s: %s", o.Ref(), c.Message)
		}
	}
	return fmt.Sprintf("%s has no status yet: is its Flux controller running?", o.Ref())
}

// errorMessage is the failure of the pass; else, when a Flux object
// failed, the chain from what waits on it to the root cause (as
// `fluxconfig why` prints it), or the first Non-Compliant object in words
// when nothing waits on it; else empty.
func errorMessage(r Report, states []string) string {
	if r.Failure != nil {
		return truncate(r.Failure.Message)
	}
	for i, s := range states {
		if s == v1alpha1.ComplianceNonCompliant {
			if chain := Chain(r.Objects); strings.Contains(chain, "; ") {
				return truncate(chain)
			}
			return truncate(describe(&r.Objects[i]))
		}
	}
	return ""
}

// truncate shortens s to at most MaxMessageLength bytes, ending in "...",
// without cutting a UTF-8 character in half.
func truncate(s string) string {
	if len(s) <= MaxMessageLength {
		return s
	}
	cut := MaxMessageLength - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

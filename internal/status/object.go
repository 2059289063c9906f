// Package status turns what the controller observed of a FluxConfig's Flux
// objects, and how its pass ended, into its status: one complianceState per
// object, the aggregate, and the kstatus conditions. Everything here is a
// pure function; reading the objects is the kinds package's job.
package status

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Object is what status needs to know of one Flux object.
type Object struct {
	Kind      string
	Name      string
	Namespace string
	// Found is false when the object does not exist (yet).
	Found              bool
	Generation         int64
	ObservedGeneration int64
	Suspended          bool
	Conditions         []metav1.Condition
	// AppliedBy is the Kustomization that applied an inventory object.
	AppliedBy *v1alpha1.ObjectReferenceDefinition
	// Revision and RevisionTime are a source's artifact revision.
	Revision     string
	RevisionTime *metav1.Time
	HelmRelease  *v1alpha1.HelmReleasePropertiesDefinition
	// Inventory lists the ids of what a Kustomization applied, in
	// kustomize-controller's <namespace>_<name>_<group>_<kind> form.
	Inventory []string
	// AwaitedRevision is the source revision a generated Kustomization has
	// not applied yet (Compute sets it): until it has, it is not Compliant,
	// whatever its Ready condition says about the revision before.
	AwaitedRevision string
}

// Ref is "Kind namespace/name", the way messages name an object.
func (o Object) Ref() string { return fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name) }

// Missing describes an object that does not exist.
func Missing(kind, namespace, name string) Object {
	return Object{Kind: kind, Namespace: namespace, Name: name}
}

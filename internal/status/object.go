// Package status turns what the controller observed of a FluxConfig's Flux
// objects into its status: one complianceState per object, the aggregate,
// and the kstatus conditions. Everything here is a pure function.
package status

import (
	"fmt"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
}

// Ref is "Kind namespace/name", the way messages name an object.
func (o Object) Ref() string { return fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name) }

// Missing describes an object that does not exist.
func Missing(kind, namespace, name string) Object {
	return Object{Kind: kind, Namespace: namespace, Name: name}
}

// FromFlux reads a typed Flux object. Kinds it does not know come back with
// only their identity and conditions-less, which judges as Unknown.
func FromFlux(obj client.Object) Object {
	o := Object{
		Kind:       obj.GetObjectKind().GroupVersionKind().Kind,
		Name:       obj.GetName(),
		Namespace:  obj.GetNamespace(),
		Found:      true,
		Generation: obj.GetGeneration(),
	}
	switch t := obj.(type) {
	case *sourcev1.GitRepository:
		o.Kind, o.Suspended = sourcev1.GitRepositoryKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.setArtifact(t.Status.Artifact)
	case *sourcev1.Bucket:
		o.Kind, o.Suspended = sourcev1.BucketKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.setArtifact(t.Status.Artifact)
	case *sourcev1.OCIRepository:
		o.Kind, o.Suspended = sourcev1.OCIRepositoryKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.setArtifact(t.Status.Artifact)
	case *sourcev1.HelmRepository:
		o.Kind, o.Suspended = sourcev1.HelmRepositoryKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.setArtifact(t.Status.Artifact)
	case *sourcev1.HelmChart:
		o.Kind, o.Suspended = sourcev1.HelmChartKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.setArtifact(t.Status.Artifact)
	case *kustomizev1.Kustomization:
		o.Kind, o.Suspended = kustomizev1.KustomizationKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.Revision = t.Status.LastAppliedRevision
	case *helmv2.HelmRelease:
		o.Kind, o.Suspended = helmv2.HelmReleaseKind, t.Spec.Suspend
		o.ObservedGeneration, o.Conditions = t.Status.ObservedGeneration, t.Status.Conditions
		o.HelmRelease = helmReleaseProperties(t)
	}
	return o
}

func (o *Object) setArtifact(a *meta.Artifact) {
	if a == nil {
		return
	}
	o.Revision = a.Revision
	t := a.LastUpdateTime
	o.RevisionTime = &t
}

func helmReleaseProperties(hr *helmv2.HelmRelease) *v1alpha1.HelmReleasePropertiesDefinition {
	p := &v1alpha1.HelmReleasePropertiesDefinition{
		FailureCount:        hr.Status.Failures,
		InstallFailureCount: hr.Status.InstallFailures,
		UpgradeFailureCount: hr.Status.UpgradeFailures,
	}
	if latest := hr.Status.History.Latest(); latest != nil {
		p.LastRevisionApplied = int64(latest.Version)
	}
	if ref := hr.Status.HelmChart; ref != "" {
		ns, name, ok := strings.Cut(ref, "/")
		if !ok {
			ns, name = hr.Namespace, ref
		}
		p.HelmChartRef = &v1alpha1.ObjectReferenceDefinition{Name: name, Namespace: ns}
	}
	return p
}

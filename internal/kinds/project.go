package kinds

import (
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// Project reads what the status needs of a Flux object of any kind in the
// table. Objects of other kinds come back with only their identity, which
// judges as Unknown.
func Project(obj client.Object) status.Object {
	if k, ok := Of(obj); ok && k.Flux() {
		return k.Project(obj)
	}
	return identity(obj, obj.GetObjectKind().GroupVersionKind().Kind)
}

// identity is what every Flux object has: kind, name, generation.
func identity(obj client.Object, kind string) status.Object {
	return status.Object{
		Kind:       kind,
		Name:       obj.GetName(),
		Namespace:  obj.GetNamespace(),
		Found:      true,
		Generation: obj.GetGeneration(),
	}
}

// common fills what Flux objects share: suspension, observedGeneration and
// conditions.
func common(obj client.Object, kind string, suspend bool, observed int64, conds []metav1.Condition) status.Object {
	o := identity(obj, kind)
	o.Suspended, o.ObservedGeneration, o.Conditions = suspend, observed, conds
	return o
}

// withArtifact adds a source's artifact revision and its time.
func withArtifact(o status.Object, a *meta.Artifact) status.Object {
	if a != nil {
		o.Revision = a.Revision
		t := a.LastUpdateTime
		o.RevisionTime = &t
	}
	return o
}

// projectSource reads the five source kinds, which differ only in their
// Go types: suspension, observed generation, conditions and artifact.
func projectSource(obj client.Object) status.Object {
	var (
		kind     string
		suspend  bool
		observed int64
		conds    []metav1.Condition
		artifact *meta.Artifact
	)
	switch t := obj.(type) {
	case *sourcev1.GitRepository:
		kind, suspend, observed, conds, artifact = sourcev1.GitRepositoryKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions, t.Status.Artifact
	case *sourcev1.Bucket:
		kind, suspend, observed, conds, artifact = sourcev1.BucketKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions, t.Status.Artifact
	case *sourcev1.OCIRepository:
		kind, suspend, observed, conds, artifact = sourcev1.OCIRepositoryKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions, t.Status.Artifact
	case *sourcev1.HelmRepository:
		kind, suspend, observed, conds, artifact = sourcev1.HelmRepositoryKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions, t.Status.Artifact
	case *sourcev1.HelmChart:
		kind, suspend, observed, conds, artifact = sourcev1.HelmChartKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions, t.Status.Artifact
	}
	return withArtifact(common(obj, kind, suspend, observed, conds), artifact)
}

func projectKustomization(obj client.Object) status.Object {
	t := obj.(*kustomizev1.Kustomization)
	o := common(t, kustomizev1.KustomizationKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions)
	o.Revision = t.Status.LastAppliedRevision
	if inv := t.Status.Inventory; inv != nil {
		o.Inventory = make([]string, 0, len(inv.Entries))
		for _, e := range inv.Entries {
			o.Inventory = append(o.Inventory, e.ID)
		}
	}
	return o
}

func projectHelmRelease(obj client.Object) status.Object {
	t := obj.(*helmv2.HelmRelease)
	o := common(t, helmv2.HelmReleaseKind, t.Spec.Suspend, t.Status.ObservedGeneration, t.Status.Conditions)
	o.HelmRelease = helmReleaseProperties(t)
	return o
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

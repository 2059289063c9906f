package controller

import (
	"unique"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// internShared makes an object entering the cache share one copy of each
// string that many cached objects repeat: the namespace, label keys and
// values (the FluxConfig's name and namespace are on each of its children),
// annotation keys, owner references, finalizers, and the types, statuses,
// reasons and messages of conditions (the Kustomizations of a FluxConfig
// report the same revision), and the revisions and source references of
// Flux objects (the source's revision is on each of its Kustomizations, and
// in the FluxConfig's status). Each watch event is decoded into new strings;
// without this, every cached object holds its own copies. Values are
// unchanged, only their memory is shared, so nothing that reads the cache
// can tell.
func internShared(obj client.Object) {
	obj.SetNamespace(intern(obj.GetNamespace()))
	internMap(obj.GetLabels(), true)
	internMap(obj.GetAnnotations(), false)
	refs := obj.GetOwnerReferences()
	for i := range refs {
		refs[i].APIVersion, refs[i].Kind, refs[i].Name = intern(refs[i].APIVersion), intern(refs[i].Kind), intern(refs[i].Name)
	}
	finalizers := obj.GetFinalizers()
	for i := range finalizers {
		finalizers[i] = intern(finalizers[i])
	}
	if c, ok := obj.(interface{ GetConditions() []metav1.Condition }); ok {
		internConditions(c.GetConditions())
	}
	switch t := obj.(type) {
	case *v1alpha1.FluxConfig:
		t.Status.SourceSyncedCommitID = intern(t.Status.SourceSyncedCommitID)
		internStatuses(t.Status.Statuses)
	case *kustomizev1.Kustomization:
		t.Spec.SourceRef.Kind, t.Spec.SourceRef.Name = intern(t.Spec.SourceRef.Kind), intern(t.Spec.SourceRef.Name)
		t.Status.LastAppliedRevision = intern(t.Status.LastAppliedRevision)
		t.Status.LastAttemptedRevision = intern(t.Status.LastAttemptedRevision)
	case interface{ GetArtifact() *fluxmeta.Artifact }: // the source kinds
		if a := t.GetArtifact(); a != nil {
			a.Revision = intern(a.Revision)
		}
	}
}

// intern returns the process's one copy of s.
func intern(s string) string {
	if s == "" {
		return s
	}
	return unique.Make(s).Value()
}

// internMap interns the keys of m in place, and its values when values is
// set (annotation values are often unique and large). Assigning to a key
// that is present stores the key given: a map keeps no copy of its own.
func internMap(m map[string]string, values bool) {
	for k, v := range m {
		if values {
			v = intern(v)
		}
		m[intern(k)] = v
	}
}

func internConditions(conds []metav1.Condition) {
	for i := range conds {
		c := &conds[i]
		c.Type, c.Reason, c.Message = intern(c.Type), intern(c.Reason), intern(c.Message)
		c.Status = metav1.ConditionStatus(intern(string(c.Status)))
	}
}

// internStatuses interns a FluxConfig's statuses[]: one entry per Flux
// object, with the object's kind, namespace and conditions.
func internStatuses(statuses []v1alpha1.ObjectStatusDefinition) {
	for i := range statuses {
		s := &statuses[i]
		s.Namespace, s.Kind, s.ComplianceState = intern(s.Namespace), intern(s.Kind), intern(s.ComplianceState)
		if s.AppliedBy != nil {
			s.AppliedBy.Name, s.AppliedBy.Namespace = intern(s.AppliedBy.Name), intern(s.AppliedBy.Namespace)
		}
		for j := range s.StatusConditions {
			c := &s.StatusConditions[j]
			c.Type, c.Status, c.Reason, c.Message = intern(c.Type), intern(c.Status), intern(c.Reason), intern(c.Message)
		}
	}
}

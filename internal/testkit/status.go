package testkit

import (
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Condition returns the condition of type t of a FluxConfig's status, or
// an empty one (Status "") when there is none.
func Condition(st v1alpha1.FluxConfigStatus, t string) metav1.Condition {
	if c := apimeta.FindStatusCondition(st.Conditions, t); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// Entry returns the statuses[] entry of the object of that kind and name,
// or nil when the status does not list it.
func Entry(st v1alpha1.FluxConfigStatus, kind, name string) *v1alpha1.ObjectStatusDefinition {
	for i := range st.Statuses {
		if st.Statuses[i].Kind == kind && st.Statuses[i].Name == name {
			return &st.Statuses[i]
		}
	}
	return nil
}

// Package v1alpha1 contains the FluxConfig API of the clusterconfig.azure.com
// group. It imports only apimachinery and Flux's meta types, so any program
// can use it.
// +kubebuilder:object:generate=true
// +groupName=clusterconfig.azure.com
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of this API.
	GroupVersion = schema.GroupVersion{Group: "clusterconfig.azure.com", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this API with a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this API to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &FluxConfig{}, &FluxConfigList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KustomizationDefinition is one kustomization to apply from the source.
// +kubebuilder:validation:XValidation:rule="!has(self.dependsOn) || !(self.name in self.dependsOn)",messageExpression="'spec.kustomizations[' + self.name + '].dependsOn: a kustomization cannot depend on itself; remove ' + self.name + ' from its dependsOn'",fieldPath=".dependsOn"
type KustomizationDefinition struct {
	// Name of the kustomization, unique in this FluxConfig: a DNS-1123
	// subdomain (lowercase letters, digits, '-' and '.'). The Flux
	// Kustomization is named <fluxconfig name>-<name>, at most 63
	// characters.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`

	// Path of the directory in the source to apply, for example ./apps/staging.
	// Empty means the root of the source.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Path string `json:"path,omitempty"`

	// DependsOn lists the names of sibling kustomizations that must be Ready
	// before this one is applied.
	// +listType=set
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=63
	// +optional
	DependsOn []string `json:"dependsOn,omitempty"`

	// SyncInterval is how often the kustomization is applied again; at
	// least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero duration, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// RetryInterval is how long to wait before retrying a failed apply.
	// Defaults to syncInterval; at least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero duration, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +optional
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`

	// Timeout bounds one apply, including waiting for health; at least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero duration, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Prune deletes the objects this kustomization applied when they leave
	// the source, or when the kustomization is removed.
	// +kubebuilder:default=false
	// +optional
	Prune bool `json:"prune"`

	// Force recreates objects whose immutable fields changed.
	// +kubebuilder:default=false
	// +optional
	Force bool `json:"force"`

	// Wait makes the kustomization Ready only when every object it applied
	// is healthy.
	// +kubebuilder:default=true
	// +optional
	Wait *bool `json:"wait,omitempty"`

	// PostBuild substitutes variables in the built manifests.
	// +optional
	PostBuild *PostBuildDefinition `json:"postBuild,omitempty"`

	// KubeConfig applies this kustomization to a remote AKS cluster instead
	// of this one.
	// +optional
	KubeConfig *KubeConfigDefinition `json:"kubeConfig,omitempty"`

	// AdditionalConfigurations are Kustomization spec fields merged into
	// the generated Kustomization.
	// +optional
	AdditionalConfigurations *KustomizationAdditionalConfigurations `json:"additionalConfigurations,omitempty"`
}

// PostBuildDefinition holds the variable substitutions applied after
// kustomize build.
type PostBuildDefinition struct {
	// Substitute maps variable names to values, used as ${name} in
	// manifests. Names are what Flux accepts: a letter or '_', then letters,
	// digits and '_'.
	// +kubebuilder:validation:MaxProperties=200
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.matches('^[_a-zA-Z][_a-zA-Z0-9]*$'))",messageExpression="'variable name ' + self.filter(k, !k.matches('^[_a-zA-Z][_a-zA-Z0-9]*$'))[0] + ' is not one Flux accepts: start with a letter or _, then only letters, digits and _; rename it, for example my-var to my_var'"
	// +optional
	Substitute map[string]string `json:"substitute,omitempty"`

	// SubstituteFrom lists ConfigMaps and Secrets whose data are variables.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	SubstituteFrom []SubstituteReferenceDefinition `json:"substituteFrom,omitempty"`
}

// SubstituteReferenceDefinition names a ConfigMap or Secret of variables.
type SubstituteReferenceDefinition struct {
	// Kind is ConfigMap or Secret.
	// +kubebuilder:validation:Enum=ConfigMap;Secret
	// +required
	Kind string `json:"kind"`

	// Name of the ConfigMap or Secret, in the FluxConfig's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a ConfigMap or Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +required
	Name string `json:"name"`

	// Optional lets the apply go on when the object does not exist.
	// +optional
	Optional bool `json:"optional,omitempty"`
}

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FluxConfigSpec is what the platform team asks for: one source and the
// kustomizations to apply from it.
// +kubebuilder:validation:XValidation:rule="has(self.gitRepository) == (self.sourceKind == 'GitRepository')",message="spec.gitRepository must be set when, and only when, spec.sourceKind is GitRepository",fieldPath=".gitRepository"
// +kubebuilder:validation:XValidation:rule="has(self.bucket) == (self.sourceKind == 'Bucket')",message="spec.bucket must be set when, and only when, spec.sourceKind is Bucket",fieldPath=".bucket"
// +kubebuilder:validation:XValidation:rule="has(self.azureBlob) == (self.sourceKind == 'AzureBlob')",message="spec.azureBlob must be set when, and only when, spec.sourceKind is AzureBlob",fieldPath=".azureBlob"
// +kubebuilder:validation:XValidation:rule="has(self.ociRepository) == (self.sourceKind == 'OCIRepository')",message="spec.ociRepository must be set when, and only when, spec.sourceKind is OCIRepository",fieldPath=".ociRepository"
// +kubebuilder:validation:XValidation:rule="!has(self.kustomizations) || self.kustomizations.all(k, !has(k.dependsOn) || k.dependsOn.all(d, self.kustomizations.exists(o, o.name == d)))",message="spec.kustomizations: every dependsOn entry must be the name of another kustomization in spec.kustomizations",fieldPath=".kustomizations"
type FluxConfigSpec struct {
	// Scope says how much the applier may change: `cluster` (anything in the
	// cluster) or `namespace` (only this namespace). Immutable.
	// +kubebuilder:validation:Enum=cluster;namespace
	// +kubebuilder:default=cluster
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="spec.scope is immutable: delete the FluxConfig and create it again with the new scope"
	// +optional
	Scope string `json:"scope,omitempty"`

	// SourceKind names the kind of source to fetch: GitRepository, Bucket,
	// AzureBlob or OCIRepository. The matching body (gitRepository, bucket,
	// azureBlob, ociRepository) must be set, and no other.
	// +kubebuilder:validation:Enum=GitRepository;Bucket;AzureBlob;OCIRepository
	// +kubebuilder:default=GitRepository
	// +optional
	SourceKind string `json:"sourceKind,omitempty"`

	// Suspend stops the reconciliation of the generated source and
	// Kustomizations; their objects stay as they are.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// GitRepository is the Git source, for sourceKind GitRepository.
	// +optional
	GitRepository *GitRepositoryDefinition `json:"gitRepository,omitempty"`

	// Bucket is the S3-compatible bucket source, for sourceKind Bucket.
	// +optional
	Bucket *BucketDefinition `json:"bucket,omitempty"`

	// AzureBlob is the Azure Blob Storage container source, for sourceKind
	// AzureBlob. It becomes a Flux Bucket with provider azure.
	// +optional
	AzureBlob *AzureBlobDefinition `json:"azureBlob,omitempty"`

	// OCIRepository is the OCI artifact source, for sourceKind OCIRepository.
	// +optional
	OCIRepository *OCIRepositoryDefinition `json:"ociRepository,omitempty"`

	// Kustomizations to apply from the source, one Flux Kustomization each,
	// named <fluxconfig name>-<kustomization name>.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Kustomizations []KustomizationDefinition `json:"kustomizations,omitempty"`

	// ProtectedParametersSecretRef names a Secret in this namespace that holds
	// the protected settings: sshPrivateKey, httpsKey, bucketSecretKey,
	// clientSecret, clientCertificate, clientCertificatePassword, accountKey,
	// sasToken, tlsPrivateKey. Their values never appear in status, events or
	// logs.
	// +optional
	ProtectedParametersSecretRef *LocalObjectReference `json:"protectedParametersSecretRef,omitempty"`
}

// LocalObjectReference names an object in the FluxConfig's namespace.
type LocalObjectReference struct {
	// Name of the object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +required
	Name string `json:"name"`
}

// FluxConfig turns one source and a list of kustomizations into Flux objects,
// and reports their aggregated compliance.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fc,categories=flux
// +kubebuilder:printcolumn:name="Scope",type=string,JSONPath=`.spec.scope`
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.status.sourceUrl`
// +kubebuilder:printcolumn:name="Compliance",type=string,JSONPath=`.status.complianceState`
// +kubebuilder:printcolumn:name="Provisioning",type=string,JSONPath=`.status.provisioningState`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Revision",type=string,JSONPath=`.status.sourceSyncedCommitId`,priority=1
// +kubebuilder:printcolumn:name="Message",type=string,JSONPath=`.status.errorMessage`,priority=1
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 63",message="metadata.name must be at most 63 characters: it is a label value on every object the FluxConfig generates",fieldPath=".metadata"
// +kubebuilder:validation:XValidation:rule="!has(self.spec.kustomizations) || self.spec.kustomizations.all(k, size(self.metadata.name) + 1 + size(k.name) <= 63)",message="spec.kustomizations: the generated Kustomization name <fluxconfig name>-<kustomization name> must be at most 63 characters; shorten the FluxConfig name or the kustomization name",fieldPath=".spec.kustomizations"
type FluxConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired configuration.
	// +required
	Spec FluxConfigSpec `json:"spec"`

	// Status is what the controller observed. The API server reads a new
	// FluxConfig with status.observedGeneration -1, so kstatus (a parent
	// Flux Kustomization's health check) sees it in progress before the
	// controller has written a status, not Current.
	// +optional
	// +kubebuilder:default={}
	Status FluxConfigStatus `json:"status,omitempty"`
}

// FluxConfigList is a list of FluxConfigs.
// +kubebuilder:object:root=true
type FluxConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FluxConfig `json:"items"`
}

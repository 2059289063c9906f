package v1alpha1

import (
	"encoding/json"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// AdditionalConfigurations holds Flux spec fields, written as in the Flux
// API (`kubectl explain gitrepository.spec`, `kustomization.spec`), that
// the controller merges into the spec of the generated object: the Flux
// fields this API has no typed field for, such as SOPS decryption,
// include, recurseSubmodules, ignore, targetNamespace, components,
// healthChecks, healthCheckExprs or patches.
//
// Fields keeps every key as it was given. The types that embed it declare
// the keys the controller refuses (set by a typed field, or reaching
// beyond the FluxConfig's namespace or identity) as fields of their own, so
// that the schema names them and admission refuses them with the fix; those
// fields are never set in Go.
type AdditionalConfigurations struct {
	// Fields are the keys and their JSON values.
	Fields map[string]apiextensionsv1.JSON `json:"-"`
}

// MarshalJSON writes Fields as one JSON object.
func (a AdditionalConfigurations) MarshalJSON() ([]byte, error) {
	if a.Fields == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(a.Fields)
}

// UnmarshalJSON reads every key of a JSON object into Fields.
func (a *AdditionalConfigurations) UnmarshalJSON(b []byte) error {
	a.Fields = nil
	return json.Unmarshal(b, &a.Fields)
}

// RefusedObject stands for an object-valued Flux field that
// additionalConfigurations may not set.
// +kubebuilder:pruning:PreserveUnknownFields
type RefusedObject struct{}

// GitRepositoryAdditionalConfigurations are GitRepository spec fields
// (source.toolkit.fluxcd.io/v1) merged into the generated GitRepository,
// for example include, recurseSubmodules, ignore, verify or proxySecretRef.
// The fields listed below are refused.
// +kubebuilder:pruning:PreserveUnknownFields
type GitRepositoryAdditionalConfigurations struct {
	AdditionalConfigurations `json:"-"`

	// URL is refused: set spec.gitRepository.url.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.gitRepository.url instead"
	// +optional
	URL *string `json:"url,omitempty"`
	// Ref is refused: set spec.gitRepository.repositoryRef.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.gitRepository.repositoryRef instead"
	// +optional
	Ref *RefusedObject `json:"ref,omitempty"`
	// Interval is refused: set spec.gitRepository.syncInterval.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.gitRepository.syncInterval instead"
	// +optional
	Interval *string `json:"interval,omitempty"`
	// Timeout is refused: set spec.gitRepository.timeout.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.gitRepository.timeout instead"
	// +optional
	Timeout *string `json:"timeout,omitempty"`
	// SecretRef is refused: the controller generates the auth Secret; name
	// your own with spec.gitRepository.localAuthRef.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: the controller generates the auth Secret; name your own with spec.gitRepository.localAuthRef"
	// +optional
	SecretRef *RefusedObject `json:"secretRef,omitempty"`
	// Provider is refused: set spec.gitRepository.provider or objectLevelIdentity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.gitRepository.provider or spec.gitRepository.objectLevelIdentity instead"
	// +optional
	Provider *string `json:"provider,omitempty"`
	// ServiceAccountName is refused: it is an identity; set
	// spec.gitRepository.objectLevelIdentity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: an identity is set with spec.gitRepository.objectLevelIdentity"
	// +optional
	ServiceAccountName *string `json:"serviceAccountName,omitempty"`
	// Suspend is refused: set spec.suspend.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.suspend instead"
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
	// SparseCheckout is refused: set spec.gitRepository.sparseCheckout.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.gitRepository.sparseCheckout instead"
	// +optional
	SparseCheckout []string `json:"sparseCheckout,omitempty"`
}

// BucketAdditionalConfigurations are Bucket spec fields
// (source.toolkit.fluxcd.io/v1) merged into the generated Bucket, for
// example region, prefix, ignore, sts, certSecretRef or proxySecretRef.
// The fields listed below are refused.
// +kubebuilder:pruning:PreserveUnknownFields
type BucketAdditionalConfigurations struct {
	AdditionalConfigurations `json:"-"`

	// Endpoint is refused: set spec.bucket.url.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.bucket.url instead"
	// +optional
	Endpoint *string `json:"endpoint,omitempty"`
	// BucketName is refused: set spec.bucket.bucketName.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.bucket.bucketName instead"
	// +optional
	BucketName *string `json:"bucketName,omitempty"`
	// Insecure is refused: set spec.bucket.insecure.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.bucket.insecure instead"
	// +optional
	Insecure *bool `json:"insecure,omitempty"`
	// Provider is refused: the controller sets it (azure with objectLevelIdentity).
	// +kubebuilder:validation:XValidation:rule="false",message="refused: the controller sets the provider (generic, or azure with spec.bucket.objectLevelIdentity)"
	// +optional
	Provider *string `json:"provider,omitempty"`
	// Interval is refused: set spec.bucket.syncInterval.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.bucket.syncInterval instead"
	// +optional
	Interval *string `json:"interval,omitempty"`
	// Timeout is refused: set spec.bucket.timeout.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.bucket.timeout instead"
	// +optional
	Timeout *string `json:"timeout,omitempty"`
	// SecretRef is refused: set spec.bucket.accessKey or localAuthRef.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: the controller generates the auth Secret; name your own with spec.bucket.localAuthRef"
	// +optional
	SecretRef *RefusedObject `json:"secretRef,omitempty"`
	// ServiceAccountName is refused: set spec.bucket.objectLevelIdentity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: an identity is set with spec.bucket.objectLevelIdentity"
	// +optional
	ServiceAccountName *string `json:"serviceAccountName,omitempty"`
	// Suspend is refused: set spec.suspend.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.suspend instead"
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
}

// AzureBlobAdditionalConfigurations are Bucket spec fields
// (source.toolkit.fluxcd.io/v1) merged into the Bucket generated for an
// Azure Blob container, for example prefix, ignore, certSecretRef or
// proxySecretRef. The fields listed below are refused.
// +kubebuilder:pruning:PreserveUnknownFields
type AzureBlobAdditionalConfigurations struct {
	AdditionalConfigurations `json:"-"`

	// Endpoint is refused: set spec.azureBlob.url.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.azureBlob.url instead"
	// +optional
	Endpoint *string `json:"endpoint,omitempty"`
	// BucketName is refused: set spec.azureBlob.containerName.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.azureBlob.containerName instead"
	// +optional
	BucketName *string `json:"bucketName,omitempty"`
	// Provider is refused: an Azure Blob source is provider azure.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: an Azure Blob source is always provider azure"
	// +optional
	Provider *string `json:"provider,omitempty"`
	// Interval is refused: set spec.azureBlob.syncInterval.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.azureBlob.syncInterval instead"
	// +optional
	Interval *string `json:"interval,omitempty"`
	// Timeout is refused: set spec.azureBlob.timeout.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.azureBlob.timeout instead"
	// +optional
	Timeout *string `json:"timeout,omitempty"`
	// SecretRef is refused: set an auth method of spec.azureBlob.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: the controller generates the auth Secret; name your own with spec.azureBlob.localAuthRef"
	// +optional
	SecretRef *RefusedObject `json:"secretRef,omitempty"`
	// ServiceAccountName is refused: set spec.azureBlob.objectLevelIdentity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: an identity is set with spec.azureBlob.objectLevelIdentity"
	// +optional
	ServiceAccountName *string `json:"serviceAccountName,omitempty"`
	// Suspend is refused: set spec.suspend.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.suspend instead"
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
}

// OCIRepositoryAdditionalConfigurations are OCIRepository spec fields
// (source.toolkit.fluxcd.io/v1) merged into the generated OCIRepository,
// for example ignore or proxySecretRef. The fields listed below are refused.
// +kubebuilder:pruning:PreserveUnknownFields
type OCIRepositoryAdditionalConfigurations struct {
	AdditionalConfigurations `json:"-"`

	// URL is refused: set spec.ociRepository.url.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.url instead"
	// +optional
	URL *string `json:"url,omitempty"`
	// Ref is refused: set spec.ociRepository.repositoryRef.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.repositoryRef instead"
	// +optional
	Ref *RefusedObject `json:"ref,omitempty"`
	// LayerSelector is refused: set spec.ociRepository.layerSelector.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.layerSelector instead"
	// +optional
	LayerSelector *RefusedObject `json:"layerSelector,omitempty"`
	// Verify is refused: set spec.ociRepository.verify.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.verify instead"
	// +optional
	Verify *RefusedObject `json:"verify,omitempty"`
	// Provider is refused: set spec.ociRepository.useWorkloadIdentity or objectLevelIdentity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.useWorkloadIdentity or spec.ociRepository.objectLevelIdentity instead"
	// +optional
	Provider *string `json:"provider,omitempty"`
	// SecretRef is refused: set spec.ociRepository.localAuthRef.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.localAuthRef instead"
	// +optional
	SecretRef *RefusedObject `json:"secretRef,omitempty"`
	// CertSecretRef is refused: set spec.ociRepository.tlsConfig.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.tlsConfig instead"
	// +optional
	CertSecretRef *RefusedObject `json:"certSecretRef,omitempty"`
	// ServiceAccountName is refused: set spec.ociRepository.serviceAccountName or objectLevelIdentity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: an identity is set with spec.ociRepository.serviceAccountName or spec.ociRepository.objectLevelIdentity"
	// +optional
	ServiceAccountName *string `json:"serviceAccountName,omitempty"`
	// Insecure is refused: set spec.ociRepository.insecure.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.insecure instead"
	// +optional
	Insecure *bool `json:"insecure,omitempty"`
	// Interval is refused: set spec.ociRepository.syncInterval.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.syncInterval instead"
	// +optional
	Interval *string `json:"interval,omitempty"`
	// Timeout is refused: set spec.ociRepository.timeout.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.ociRepository.timeout instead"
	// +optional
	Timeout *string `json:"timeout,omitempty"`
	// Suspend is refused: set spec.suspend.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.suspend instead"
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
}

// KustomizationAdditionalConfigurations are Kustomization spec fields
// (kustomize.toolkit.fluxcd.io/v1) merged into the generated
// Kustomization, for example decryption, targetNamespace, components,
// healthChecks, healthCheckExprs, patches (appended after the managed
// source patch), images, namePrefix or commonMetadata. Under scope
// namespace, targetNamespace must be the FluxConfig's namespace and
// healthChecks may name objects of that namespace only. The fields listed
// below are refused.
// +kubebuilder:pruning:PreserveUnknownFields
type KustomizationAdditionalConfigurations struct {
	AdditionalConfigurations `json:"-"`

	// SourceRef is refused: every Kustomization applies the FluxConfig's source.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: every Kustomization of a FluxConfig applies the FluxConfig's own source"
	// +optional
	SourceRef *RefusedObject `json:"sourceRef,omitempty"`
	// DependsOn is refused: set dependsOn of this kustomization (sibling names).
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set dependsOn of this kustomization instead (names of sibling kustomizations)"
	// +optional
	DependsOn []RefusedObject `json:"dependsOn,omitempty"`
	// ServiceAccountName is refused: the controller sets the applier's identity.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: the controller sets the identity the Kustomization applies as (multi-tenancy)"
	// +optional
	ServiceAccountName *string `json:"serviceAccountName,omitempty"`
	// KubeConfig is refused: set kubeConfig of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set kubeConfig of this kustomization instead"
	// +optional
	KubeConfig *RefusedObject `json:"kubeConfig,omitempty"`
	// Path is refused: set path of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set path of this kustomization instead"
	// +optional
	Path *string `json:"path,omitempty"`
	// Interval is refused: set syncInterval of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set syncInterval of this kustomization instead"
	// +optional
	Interval *string `json:"interval,omitempty"`
	// RetryInterval is refused: set retryInterval of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set retryInterval of this kustomization instead"
	// +optional
	RetryInterval *string `json:"retryInterval,omitempty"`
	// Timeout is refused: set timeout of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set timeout of this kustomization instead"
	// +optional
	Timeout *string `json:"timeout,omitempty"`
	// Prune is refused: set prune of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set prune of this kustomization instead"
	// +optional
	Prune *bool `json:"prune,omitempty"`
	// Force is refused: set force of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set force of this kustomization instead"
	// +optional
	Force *bool `json:"force,omitempty"`
	// Wait is refused: set wait of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set wait of this kustomization instead"
	// +optional
	Wait *bool `json:"wait,omitempty"`
	// Suspend is refused: set spec.suspend.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set spec.suspend instead"
	// +optional
	Suspend *bool `json:"suspend,omitempty"`
	// PostBuild is refused: set postBuild of this kustomization.
	// +kubebuilder:validation:XValidation:rule="false",message="refused: set postBuild of this kustomization instead"
	// +optional
	PostBuild *RefusedObject `json:"postBuild,omitempty"`
}

package arm

import "encoding/json"

// Resource is a Microsoft.KubernetesConfiguration/fluxConfigurations
// resource: a PUT body (often only properties) or a GET response. The
// types cover every property of api-versions 2025-04-01 and
// 2026-07-01-preview.
type Resource struct {
	ID         string      `json:"id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Type       string      `json:"type,omitempty"`
	SystemData *SystemData `json:"systemData,omitempty"`
	Properties *Properties `json:"properties,omitempty"`
}

// SystemData is ARM's record of who created and last modified the resource.
type SystemData struct {
	CreatedBy          string `json:"createdBy,omitempty"`
	CreatedByType      string `json:"createdByType,omitempty"`
	CreatedAt          string `json:"createdAt,omitempty"`
	LastModifiedBy     string `json:"lastModifiedBy,omitempty"`
	LastModifiedByType string `json:"lastModifiedByType,omitempty"`
	LastModifiedAt     string `json:"lastModifiedAt,omitempty"`
}

// Properties are the resource's properties: what to reconcile, and the
// status the agent reports (read-only, in GET responses).
type Properties struct {
	Scope                          string            `json:"scope,omitempty"`
	Namespace                      string            `json:"namespace,omitempty"`
	SourceKind                     string            `json:"sourceKind,omitempty"`
	Suspend                        *bool             `json:"suspend,omitempty"`
	GitRepository                  *GitRepository    `json:"gitRepository,omitempty"`
	Bucket                         *Bucket           `json:"bucket,omitempty"`
	AzureBlob                      *AzureBlob        `json:"azureBlob,omitempty"`
	OCIRepository                  *OCIRepository    `json:"ociRepository,omitempty"`
	Kustomizations                 Kustomizations    `json:"kustomizations,omitempty"`
	ConfigurationProtectedSettings map[string]string `json:"configurationProtectedSettings,omitempty"`
	WaitForReconciliation          *bool             `json:"waitForReconciliation,omitempty"`
	ReconciliationWaitDuration     string            `json:"reconciliationWaitDuration,omitempty"`

	Statuses             []ObjectStatus `json:"statuses,omitempty"`
	RepositoryPublicKey  string         `json:"repositoryPublicKey,omitempty"`
	SourceSyncedCommitID string         `json:"sourceSyncedCommitId,omitempty"`
	SourceUpdatedAt      string         `json:"sourceUpdatedAt,omitempty"`
	StatusUpdatedAt      string         `json:"statusUpdatedAt,omitempty"`
	ComplianceState      string         `json:"complianceState,omitempty"`
	ProvisioningState    string         `json:"provisioningState,omitempty"`
	ErrorMessage         string         `json:"errorMessage,omitempty"`
}

// GitRepository is the GitRepository source. sshKnownHosts and httpsCACert
// are base64.
type GitRepository struct {
	URL                   string         `json:"url,omitempty"`
	TimeoutInSeconds      *int64         `json:"timeoutInSeconds,omitempty"`
	SyncIntervalInSeconds *int64         `json:"syncIntervalInSeconds,omitempty"`
	RepositoryRef         *RepositoryRef `json:"repositoryRef,omitempty"`
	SSHKnownHosts         string         `json:"sshKnownHosts,omitempty"`
	HTTPSUser             string         `json:"httpsUser,omitempty"`
	HTTPSCACert           string         `json:"httpsCACert,omitempty"`
	LocalAuthRef          string         `json:"localAuthRef,omitempty"`
	Provider              string         `json:"provider,omitempty"`
	// 2026-07-01-preview.
	ObjectLevelIdentity      *ObjectLevelIdentity `json:"objectLevelIdentity,omitempty"`
	SparseCheckout           []string             `json:"sparseCheckout,omitempty"`
	AdditionalConfigurations Additional           `json:"additionalConfigurations,omitempty"`
}

// RepositoryRef selects a Git revision.
type RepositoryRef struct {
	Branch string `json:"branch,omitempty"`
	Tag    string `json:"tag,omitempty"`
	Semver string `json:"semver,omitempty"`
	Commit string `json:"commit,omitempty"`
}

// Bucket is the S3-compatible Bucket source. insecure defaults to true.
type Bucket struct {
	URL                   string `json:"url,omitempty"`
	BucketName            string `json:"bucketName,omitempty"`
	Insecure              *bool  `json:"insecure,omitempty"`
	TimeoutInSeconds      *int64 `json:"timeoutInSeconds,omitempty"`
	SyncIntervalInSeconds *int64 `json:"syncIntervalInSeconds,omitempty"`
	AccessKey             string `json:"accessKey,omitempty"`
	LocalAuthRef          string `json:"localAuthRef,omitempty"`
	// 2026-07-01-preview.
	ObjectLevelIdentity      *ObjectLevelIdentity `json:"objectLevelIdentity,omitempty"`
	AdditionalConfigurations Additional           `json:"additionalConfigurations,omitempty"`
}

// AzureBlob is the Azure Blob Storage source. accountKey and sasToken are
// secret.
type AzureBlob struct {
	URL                   string            `json:"url,omitempty"`
	ContainerName         string            `json:"containerName,omitempty"`
	TimeoutInSeconds      *int64            `json:"timeoutInSeconds,omitempty"`
	SyncIntervalInSeconds *int64            `json:"syncIntervalInSeconds,omitempty"`
	ServicePrincipal      *ServicePrincipal `json:"servicePrincipal,omitempty"`
	AccountKey            string            `json:"accountKey,omitempty"`
	SASToken              string            `json:"sasToken,omitempty"`
	ManagedIdentity       *ManagedIdentity  `json:"managedIdentity,omitempty"`
	LocalAuthRef          string            `json:"localAuthRef,omitempty"`
	// 2026-07-01-preview.
	ObjectLevelIdentity      *ObjectLevelIdentity `json:"objectLevelIdentity,omitempty"`
	AdditionalConfigurations Additional           `json:"additionalConfigurations,omitempty"`
}

// ServicePrincipal authenticates to Azure Blob Storage. clientSecret,
// clientCertificate (base64) and clientCertificatePassword are secret.
type ServicePrincipal struct {
	ClientID                   string `json:"clientId,omitempty"`
	TenantID                   string `json:"tenantId,omitempty"`
	ClientSecret               string `json:"clientSecret,omitempty"`
	ClientCertificate          string `json:"clientCertificate,omitempty"`
	ClientCertificatePassword  string `json:"clientCertificatePassword,omitempty"`
	ClientCertificateSendChain *bool  `json:"clientCertificateSendChain,omitempty"`
}

// ManagedIdentity authenticates to Azure Blob Storage.
type ManagedIdentity struct {
	ClientID string `json:"clientId,omitempty"`
}

// OCIRepository is the OCIRepository source.
type OCIRepository struct {
	URL                   string            `json:"url,omitempty"`
	TimeoutInSeconds      *int64            `json:"timeoutInSeconds,omitempty"`
	SyncIntervalInSeconds *int64            `json:"syncIntervalInSeconds,omitempty"`
	RepositoryRef         *OCIRepositoryRef `json:"repositoryRef,omitempty"`
	LayerSelector         *LayerSelector    `json:"layerSelector,omitempty"`
	Verify                *Verify           `json:"verify,omitempty"`
	Insecure              *bool             `json:"insecure,omitempty"`
	UseWorkloadIdentity   *bool             `json:"useWorkloadIdentity,omitempty"`
	ServiceAccountName    string            `json:"serviceAccountName,omitempty"`
	TLSConfig             *TLSConfig        `json:"tlsConfig,omitempty"`
	LocalAuthRef          string            `json:"localAuthRef,omitempty"`
	// 2026-07-01-preview.
	ObjectLevelIdentity      *ObjectLevelIdentity `json:"objectLevelIdentity,omitempty"`
	AdditionalConfigurations Additional           `json:"additionalConfigurations,omitempty"`
}

// OCIRepositoryRef selects an OCI artifact.
type OCIRepositoryRef struct {
	Tag    string `json:"tag,omitempty"`
	Semver string `json:"semver,omitempty"`
	Digest string `json:"digest,omitempty"`
}

// LayerSelector picks a layer of an OCI artifact.
type LayerSelector struct {
	MediaType string `json:"mediaType,omitempty"`
	Operation string `json:"operation,omitempty"`
}

// Verify checks an OCI artifact's signature.
type Verify struct {
	Provider           string              `json:"provider,omitempty"`
	VerificationConfig map[string]string   `json:"verificationConfig,omitempty"`
	MatchOIDCIdentity  []MatchOIDCIdentity `json:"matchOidcIdentity,omitempty"`
}

// MatchOIDCIdentity is one accepted keyless signing identity.
type MatchOIDCIdentity struct {
	Issuer  string `json:"issuer,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// TLSConfig is client TLS for an OCI registry; every value is base64 and
// secret.
type TLSConfig struct {
	ClientCertificate string `json:"clientCertificate,omitempty"`
	PrivateKey        string `json:"privateKey,omitempty"`
	CACertificate     string `json:"caCertificate,omitempty"`
}

// ObjectLevelIdentity is the workload identity of a source or of a remote
// cluster (2026-07-01-preview).
type ObjectLevelIdentity struct {
	ClientID           string `json:"clientId,omitempty"`
	TenantID           string `json:"tenantId,omitempty"`
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
}

// Kustomization is one entry of the kustomizations map.
type Kustomization struct {
	Name                   string     `json:"name,omitempty"`
	Path                   string     `json:"path,omitempty"`
	DependsOn              []string   `json:"dependsOn,omitempty"`
	TimeoutInSeconds       *int64     `json:"timeoutInSeconds,omitempty"`
	SyncIntervalInSeconds  *int64     `json:"syncIntervalInSeconds,omitempty"`
	RetryIntervalInSeconds *int64     `json:"retryIntervalInSeconds,omitempty"`
	Prune                  *bool      `json:"prune,omitempty"`
	Force                  *bool      `json:"force,omitempty"`
	Wait                   *bool      `json:"wait,omitempty"`
	PostBuild              *PostBuild `json:"postBuild,omitempty"`
	// 2026-07-01-preview.
	KubeConfig               *KubeConfig `json:"kubeConfig,omitempty"`
	AdditionalConfigurations Additional  `json:"additionalConfigurations,omitempty"`
}

// PostBuild substitutes variables after kustomize build.
type PostBuild struct {
	Substitute     map[string]string `json:"substitute,omitempty"`
	SubstituteFrom []SubstituteFrom  `json:"substituteFrom,omitempty"`
}

// SubstituteFrom names a ConfigMap or Secret of variables.
type SubstituteFrom struct {
	Kind     string `json:"kind,omitempty"`
	Name     string `json:"name,omitempty"`
	Optional *bool  `json:"optional,omitempty"`
}

// KubeConfig points a kustomization at a remote AKS cluster
// (2026-07-01-preview). Both properties are required.
type KubeConfig struct {
	ClusterResourceID   string               `json:"clusterResourceId,omitempty"`
	ObjectLevelIdentity *ObjectLevelIdentity `json:"objectLevelIdentity,omitempty"`
}

// ObjectStatus is the compliance of one Flux object, as the agent reports it.
type ObjectStatus struct {
	Name                  string                 `json:"name,omitempty"`
	Namespace             string                 `json:"namespace,omitempty"`
	Kind                  string                 `json:"kind,omitempty"`
	ComplianceState       string                 `json:"complianceState,omitempty"`
	AppliedBy             *ObjectReference       `json:"appliedBy,omitempty"`
	StatusConditions      []StatusCondition      `json:"statusConditions,omitempty"`
	HelmReleaseProperties *HelmReleaseProperties `json:"helmReleaseProperties,omitempty"`
}

// ObjectReference names a Kubernetes object.
type ObjectReference struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// StatusCondition is a condition of a Flux object.
type StatusCondition struct {
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
	Message            string `json:"message,omitempty"`
	Reason             string `json:"reason,omitempty"`
	Status             string `json:"status,omitempty"`
	Type               string `json:"type,omitempty"`
}

// HelmReleaseProperties summarize a HelmRelease.
type HelmReleaseProperties struct {
	LastRevisionApplied *int64           `json:"lastRevisionApplied,omitempty"`
	HelmChartRef        *ObjectReference `json:"helmChartRef,omitempty"`
	FailureCount        *int64           `json:"failureCount,omitempty"`
	InstallFailureCount *int64           `json:"installFailureCount,omitempty"`
	UpgradeFailureCount *int64           `json:"upgradeFailureCount,omitempty"`
}

// Additional is an additionalConfigurations object (2026-07-01-preview):
// Flux spec fields by name, each value kept as the JSON it was given, so
// that numbers and key order survive a round trip.
type Additional map[string]json.RawMessage

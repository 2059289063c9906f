package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GitRepositoryDefinition is a Git source.
// +kubebuilder:validation:XValidation:rule="!has(self.sshKnownHosts) || self.url.startsWith('ssh://') || self.url.startsWith('git@')",message="spec.gitRepository.sshKnownHosts is only for ssh:// or git@ URLs; remove it or use an SSH URL",fieldPath=".sshKnownHosts"
// +kubebuilder:validation:XValidation:rule="!has(self.httpsUser) || self.url.startsWith('http://') || self.url.startsWith('https://')",message="spec.gitRepository.httpsUser is only for http:// or https:// URLs; remove it or use an HTTPS URL",fieldPath=".httpsUser"
// +kubebuilder:validation:XValidation:rule="!has(self.httpsCACert) || self.url.startsWith('https://')",message="spec.gitRepository.httpsCACert is only for https:// URLs; remove it or use an https:// URL",fieldPath=".httpsCACert"
// +kubebuilder:validation:XValidation:rule="!has(self.localAuthRef) || !has(self.httpsUser)",message="spec.gitRepository: set either localAuthRef or httpsUser (with httpsKey in the protected parameters), not both",fieldPath=".localAuthRef"
// +kubebuilder:validation:XValidation:rule="!has(self.provider) || self.provider == 'generic' || self.url.startsWith('https://')",message="spec.gitRepository.provider azure and github need an https:// URL",fieldPath=".provider"
// +kubebuilder:validation:XValidation:rule="!has(self.objectLevelIdentity) || self.url.startsWith('https://')",message="spec.gitRepository.objectLevelIdentity needs an https:// URL (Azure DevOps)",fieldPath=".objectLevelIdentity"
// +kubebuilder:validation:XValidation:rule="!has(self.objectLevelIdentity) || (!has(self.httpsUser) && !has(self.localAuthRef))",message="spec.gitRepository: objectLevelIdentity authenticates by itself; remove httpsUser and localAuthRef",fieldPath=".objectLevelIdentity"
// +kubebuilder:validation:XValidation:rule="!has(self.objectLevelIdentity) || !has(self.provider) || self.provider == 'azure'",message="spec.gitRepository: objectLevelIdentity is provider azure; remove provider or set it to azure",fieldPath=".provider"
type GitRepositoryDefinition struct {
	// URL of the repository: http://, https://, ssh:// or git@host:path.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('http://') || self.startsWith('https://') || self.startsWith('ssh://') || self.startsWith('git@')",message="must start with http://, https://, ssh:// or git@"
	// +required
	URL string `json:"url"`

	// RepositoryRef selects what to check out: exactly one of branch, tag,
	// semver or commit, or commit with branch.
	// +required
	RepositoryRef RepositoryRefDefinition `json:"repositoryRef"`

	// SyncInterval is how often the repository is fetched; at least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero interval, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// Timeout bounds one fetch: at least 1ms and less than 1h, the longest
	// source timeout Flux accepts.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1ms') && duration(self) < duration('1h'))",message="must be at least 1ms and less than 1h: Flux's source timeout takes no hours (1h would reach it as 1h0m0s) and no zero or sub-millisecond value; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// SSHKnownHosts is the known_hosts content (plain text) that the SSH host
	// key is checked against. SSH URLs only.
	// +kubebuilder:validation:MaxLength=16384
	// +optional
	SSHKnownHosts string `json:"sshKnownHosts,omitempty"`

	// HTTPSUser is the user name for HTTPS basic auth; the password or token
	// is httpsKey in the protected parameters. HTTP(S) URLs only.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	HTTPSUser string `json:"httpsUser,omitempty"`

	// HTTPSCACert is a PEM bundle of the CAs that sign the server's
	// certificate. https:// URLs only.
	// +kubebuilder:validation:MaxLength=65536
	// +optional
	HTTPSCACert string `json:"httpsCACert,omitempty"`

	// LocalAuthRef names a Secret in this namespace, in Flux's key layout, to
	// use as it is instead of the generated auth Secret.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +optional
	LocalAuthRef string `json:"localAuthRef,omitempty"`

	// Provider is the identity provider for OIDC auth: generic (the
	// default), azure or github.
	// +kubebuilder:validation:Enum=generic;azure;github
	// +optional
	Provider string `json:"provider,omitempty"`

	// ObjectLevelIdentity authenticates to Azure DevOps with the workload
	// identity of a ServiceAccount (provider azure). https:// URLs only.
	// +optional
	ObjectLevelIdentity *ObjectLevelIdentityDefinition `json:"objectLevelIdentity,omitempty"`

	// SparseCheckout lists the directories to check out; only they (and
	// what is under them) are in the artifact. Empty: the whole repository.
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=4096
	// +optional
	SparseCheckout []string `json:"sparseCheckout,omitempty"`

	// AdditionalConfigurations are GitRepository spec fields merged into the
	// generated GitRepository.
	// +optional
	AdditionalConfigurations *GitRepositoryAdditionalConfigurations `json:"additionalConfigurations,omitempty"`
}

// RepositoryRefDefinition selects a Git revision.
// +kubebuilder:validation:XValidation:rule="[has(self.branch), has(self.tag), has(self.semver), has(self.commit)].filter(x, x).size() == 1 || (has(self.commit) && has(self.branch) && !has(self.tag) && !has(self.semver))",message="spec.gitRepository.repositoryRef must set exactly one of branch, tag, semver or commit, or commit together with branch (the branch to clone, which must contain the commit)"
type RepositoryRefDefinition struct {
	// Branch to follow.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Branch string `json:"branch,omitempty"`

	// Tag to check out.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Tag string `json:"tag,omitempty"`

	// Semver range; the highest matching tag is checked out.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Semver string `json:"semver,omitempty"`

	// Commit SHA to check out. With branch, only that branch is cloned and
	// it must contain the commit (Flux's shallow clone of the branch);
	// alone, the commit is looked up in the whole repository.
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{7,64}$`
	// +optional
	Commit string `json:"commit,omitempty"`
}

// BucketDefinition is an S3-compatible bucket source.
// +kubebuilder:validation:XValidation:rule="!self.insecure || !self.url.startsWith('https://')",message="spec.bucket.insecure: true asks for plain HTTP, but spec.bucket.url is https://; use an http:// URL for plain HTTP, or remove insecure",fieldPath=".insecure"
// +kubebuilder:validation:XValidation:rule="!has(self.accessKey) || !has(self.localAuthRef)",message="spec.bucket: set either accessKey (with bucketSecretKey in the protected parameters) or localAuthRef, not both",fieldPath=".localAuthRef"
// +kubebuilder:validation:XValidation:rule="!has(self.objectLevelIdentity) || (!has(self.accessKey) && !has(self.localAuthRef))",message="spec.bucket: objectLevelIdentity authenticates by itself; remove accessKey and localAuthRef",fieldPath=".objectLevelIdentity"
type BucketDefinition struct {
	// URL of the endpoint, http:// or https:// and host[:port], without a
	// path. http:// implies insecure.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('http://') || self.startsWith('https://')",message="must start with http:// or https://"
	// +kubebuilder:validation:XValidation:rule="!(self.startsWith('http://') || self.startsWith('https://')) || self.matches('^https?://[^/?#@]+/?$')",message="must be the endpoint alone, http:// or https:// and host[:port], without a path, query or user (the bucket is bucketName); for example https://s3.example.com"
	// +required
	URL string `json:"url"`

	// BucketName is the name of the bucket.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	// +required
	BucketName string `json:"bucketName"`

	// Insecure allows plain HTTP to the endpoint. The URL's scheme already
	// says it (http:// is plain HTTP), so insecure: true is refused with an
	// https:// URL. Defaults to false (Azure documents true; see docs/api.md).
	// +kubebuilder:default=false
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// SyncInterval is how often the bucket is fetched; at least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero interval, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// Timeout bounds one fetch: at least 1ms and less than 1h, the longest
	// source timeout Flux accepts.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1ms') && duration(self) < duration('1h'))",message="must be at least 1ms and less than 1h: Flux's source timeout takes no hours (1h would reach it as 1h0m0s) and no zero or sub-millisecond value; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// AccessKey is the access key ID; the secret key is bucketSecretKey in
	// the protected parameters.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	AccessKey string `json:"accessKey,omitempty"`

	// LocalAuthRef names a Secret in this namespace, with accesskey and
	// secretkey, to use as it is.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +optional
	LocalAuthRef string `json:"localAuthRef,omitempty"`

	// ObjectLevelIdentity authenticates with the workload identity of a
	// ServiceAccount. Workload identity reaches Azure Storage only: the
	// Bucket gets provider azure, so url must be an Azure Storage endpoint
	// and bucketName a container (as with azureBlob).
	// +optional
	ObjectLevelIdentity *ObjectLevelIdentityDefinition `json:"objectLevelIdentity,omitempty"`

	// AdditionalConfigurations are Bucket spec fields merged into the
	// generated Bucket.
	// +optional
	AdditionalConfigurations *BucketAdditionalConfigurations `json:"additionalConfigurations,omitempty"`
}

// AzureBlobDefinition is an Azure Blob Storage container source.
// +kubebuilder:validation:XValidation:rule="[has(self.servicePrincipal), has(self.managedIdentity), has(self.localAuthRef), has(self.objectLevelIdentity)].filter(x, x).size() <= 1",message="spec.azureBlob: set at most one of servicePrincipal, managedIdentity, localAuthRef and objectLevelIdentity"
type AzureBlobDefinition struct {
	// URL of the storage account, for example
	// https://myaccount.blob.core.windows.net.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('https://') || self.startsWith('http://')",message="must start with https:// (or http:// for an emulator)"
	// +required
	URL string `json:"url"`

	// ContainerName is the blob container to fetch.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	// +required
	ContainerName string `json:"containerName"`

	// SyncInterval is how often the container is fetched; at least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero interval, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// Timeout bounds one fetch: at least 1ms and less than 1h, the longest
	// source timeout Flux accepts.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1ms') && duration(self) < duration('1h'))",message="must be at least 1ms and less than 1h: Flux's source timeout takes no hours (1h would reach it as 1h0m0s) and no zero or sub-millisecond value; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// ServicePrincipal authenticates with an Entra ID application; its
	// clientSecret or clientCertificate is in the protected parameters.
	// +optional
	ServicePrincipal *ServicePrincipalDefinition `json:"servicePrincipal,omitempty"`

	// ManagedIdentity authenticates with a managed identity.
	// +optional
	ManagedIdentity *ManagedIdentityDefinition `json:"managedIdentity,omitempty"`

	// LocalAuthRef names a Secret in this namespace, in Flux's Azure key
	// layout, to use as it is.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +optional
	LocalAuthRef string `json:"localAuthRef,omitempty"`

	// ObjectLevelIdentity authenticates with the workload identity of a
	// ServiceAccount of this namespace instead of a credential.
	// +optional
	ObjectLevelIdentity *ObjectLevelIdentityDefinition `json:"objectLevelIdentity,omitempty"`

	// AdditionalConfigurations are Bucket spec fields merged into the
	// Bucket generated for the container.
	// +optional
	AdditionalConfigurations *AzureBlobAdditionalConfigurations `json:"additionalConfigurations,omitempty"`
}

// ServicePrincipalDefinition identifies an Entra ID application.
type ServicePrincipalDefinition struct {
	// ClientID of the application.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	ClientID string `json:"clientId"`

	// TenantID of the directory.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	TenantID string `json:"tenantId"`

	// ClientCertificateSendChain sends the certificate chain with the
	// client certificate (subject name / issuer auth).
	// +optional
	ClientCertificateSendChain bool `json:"clientCertificateSendChain,omitempty"`
}

// ManagedIdentityDefinition identifies a managed identity.
type ManagedIdentityDefinition struct {
	// ClientID of the managed identity.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	ClientID string `json:"clientId"`
}

// OCIRepositoryDefinition is an OCI artifact source.
// +kubebuilder:validation:XValidation:rule="!has(self.objectLevelIdentity) || (!has(self.serviceAccountName) && !has(self.localAuthRef))",message="spec.ociRepository: objectLevelIdentity names its own ServiceAccount; remove serviceAccountName and localAuthRef",fieldPath=".objectLevelIdentity"
type OCIRepositoryDefinition struct {
	// URL of the artifact repository, oci://host/path.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self.startsWith('oci://')",message="must start with oci://"
	// +required
	URL string `json:"url"`

	// RepositoryRef selects the artifact: digest wins over semver, semver
	// over tag. Empty means the latest tag.
	// +optional
	RepositoryRef *OCIRepositoryRefDefinition `json:"repositoryRef,omitempty"`

	// LayerSelector picks the layer of the artifact to use.
	// +optional
	LayerSelector *LayerSelectorDefinition `json:"layerSelector,omitempty"`

	// Verify checks the artifact's signature before it is used.
	// +optional
	Verify *VerifyDefinition `json:"verify,omitempty"`

	// Insecure allows plain HTTP to the registry.
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// UseWorkloadIdentity authenticates to the registry with the workload
	// identity of serviceAccountName (provider azure).
	// +optional
	UseWorkloadIdentity bool `json:"useWorkloadIdentity,omitempty"`

	// ServiceAccountName is the ServiceAccount whose image pull secrets or
	// workload identity are used.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a ServiceAccount in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// TLSConfig sets client TLS for the registry.
	// +optional
	TLSConfig *TLSConfigDefinition `json:"tlsConfig,omitempty"`

	// SyncInterval is how often the repository is checked; at least 1ms.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || duration(self) >= duration('1ms')",message="must be at least 1ms: a zero interval, or one under a millisecond (Flux would get it in µs or ns, which it refuses), is not accepted; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	SyncInterval *metav1.Duration `json:"syncInterval,omitempty"`

	// Timeout bounds one fetch: at least 1ms and less than 1h, the longest
	// source timeout Flux accepts.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^([0-9]+([.][0-9]+)?(ms|s|m|h))+$') || (duration(self) >= duration('1ms') && duration(self) < duration('1h'))",message="must be at least 1ms and less than 1h: Flux's source timeout takes no hours (1h would reach it as 1h0m0s) and no zero or sub-millisecond value; use for example 1m or 10m"
	// +kubebuilder:default="10m"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// LocalAuthRef names a Secret of type kubernetes.io/dockerconfigjson in
	// this namespace.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +optional
	LocalAuthRef string `json:"localAuthRef,omitempty"`

	// ObjectLevelIdentity authenticates to Azure Container Registry with
	// the workload identity of a ServiceAccount (provider azure).
	// +optional
	ObjectLevelIdentity *ObjectLevelIdentityDefinition `json:"objectLevelIdentity,omitempty"`

	// AdditionalConfigurations are OCIRepository spec fields merged into
	// the generated OCIRepository.
	// +optional
	AdditionalConfigurations *OCIRepositoryAdditionalConfigurations `json:"additionalConfigurations,omitempty"`
}

// OCIRepositoryRefDefinition selects an OCI artifact.
type OCIRepositoryRefDefinition struct {
	// Tag to pull.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Tag string `json:"tag,omitempty"`

	// Semver range; the highest matching tag is pulled.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Semver string `json:"semver,omitempty"`

	// Digest to pull, sha256:...
	// +kubebuilder:validation:Pattern=`^[a-z0-9]+:[a-f0-9]{32,}$`
	// +optional
	Digest string `json:"digest,omitempty"`
}

// LayerSelectorDefinition picks one layer of an OCI artifact.
type LayerSelectorDefinition struct {
	// MediaType of the layer.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	MediaType string `json:"mediaType,omitempty"`

	// Operation is extract (the default) or copy.
	// +kubebuilder:validation:Enum=extract;copy
	// +optional
	Operation string `json:"operation,omitempty"`
}

// VerifyDefinition configures signature verification.
type VerifyDefinition struct {
	// Provider is cosign or notation.
	// +kubebuilder:validation:Enum=cosign;notation
	// +kubebuilder:default=cosign
	// +optional
	Provider string `json:"provider,omitempty"`

	// VerificationConfigRef names a Secret in this namespace with the
	// public keys (cosign) or trust policy and certificates (notation).
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",message="must be the name of a Secret in this namespace: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit; a namespace/ prefix or another namespace is not possible"
	// +optional
	VerificationConfigRef string `json:"verificationConfigRef,omitempty"`

	// MatchOIDCIdentity lists the keyless identities accepted.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	MatchOIDCIdentity []MatchOIDCIdentityDefinition `json:"matchOidcIdentity,omitempty"`
}

// MatchOIDCIdentityDefinition is one accepted keyless signing identity.
type MatchOIDCIdentityDefinition struct {
	// Issuer is a regular expression for the OIDC issuer.
	// +kubebuilder:validation:MinLength=1
	// +required
	Issuer string `json:"issuer"`

	// Subject is a regular expression for the identity's subject.
	// +kubebuilder:validation:MinLength=1
	// +required
	Subject string `json:"subject"`
}

// TLSConfigDefinition is client TLS for an OCI registry. The private key is
// tlsPrivateKey in the protected parameters.
type TLSConfigDefinition struct {
	// ClientCertificate is the PEM client certificate.
	// +kubebuilder:validation:MaxLength=65536
	// +optional
	ClientCertificate string `json:"clientCertificate,omitempty"`

	// CACertificate is the PEM bundle of CAs that sign the registry's
	// certificate.
	// +kubebuilder:validation:MaxLength=65536
	// +optional
	CACertificate string `json:"caCertificate,omitempty"`
}

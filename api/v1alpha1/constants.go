package v1alpha1

// Scope values.
const (
	// ScopeCluster lets the applier change anything in the cluster.
	ScopeCluster = "cluster"
	// ScopeNamespace confines the applier to the FluxConfig's namespace.
	ScopeNamespace = "namespace"
)

// Source kinds.
const (
	SourceKindGitRepository = "GitRepository"
	SourceKindBucket        = "Bucket"
	SourceKindAzureBlob     = "AzureBlob"
	SourceKindOCIRepository = "OCIRepository"
)

// ComplianceState values, for the FluxConfig and for each object it reports.
const (
	ComplianceCompliant    = "Compliant"
	ComplianceNonCompliant = "Non-Compliant"
	CompliancePending      = "Pending"
	ComplianceSuspended    = "Suspended"
	ComplianceUnknown      = "Unknown"
)

// ProvisioningState values: whether the last pass applied the generated
// objects. Azure's model also has Creating and Updating; a FluxConfig's pass
// either applies everything or fails, so they are never set.
const (
	ProvisioningSucceeded = "Succeeded"
	ProvisioningFailed    = "Failed"
	ProvisioningDeleting  = "Deleting"
)

// Labels and annotations the controller puts on, or reads from, objects.
const (
	// ManagedLabel marks every object the controller created.
	ManagedLabel = "clusterconfig.azure.com/is-managed"
	// NameLabel holds the name of the FluxConfig that owns an object.
	NameLabel = "clusterconfig.azure.com/name"
	// NamespaceLabel holds the namespace of the FluxConfig that owns an object.
	NamespaceLabel = "clusterconfig.azure.com/namespace"
	// UseManagedSourceAnnotation, set to "true" on a HelmRelease in the
	// repository, makes it install its chart from the FluxConfig's GitRepository.
	UseManagedSourceAnnotation = "clusterconfig.azure.com/use-managed-source"
	// FluxConfigFinalizer holds a FluxConfig until its children are gone.
	FluxConfigFinalizer = "clusterconfig.azure.com/finalizer"
)

// Keys read from the Secret named by spec.protectedParametersSecretRef.
const (
	ProtectedSSHPrivateKey             = "sshPrivateKey"
	ProtectedHTTPSKey                  = "httpsKey"
	ProtectedBucketSecretKey           = "bucketSecretKey"
	ProtectedClientSecret              = "clientSecret"
	ProtectedClientCertificate         = "clientCertificate"
	ProtectedClientCertificatePassword = "clientCertificatePassword"
	ProtectedAccountKey                = "accountKey"
	ProtectedSASToken                  = "sasToken"
	ProtectedTLSPrivateKey             = "tlsPrivateKey"
)

package v1alpha1

// ObjectLevelIdentityDefinition is Flux's object-level workload identity
// on Azure: the Flux object is given `provider: azure` and a
// ServiceAccount of this namespace, and the Flux controller exchanges a
// token of that ServiceAccount for an Entra ID token of the managed
// identity. The Flux controllers need the feature gate
// ObjectLevelWorkloadIdentity, and the managed identity a federated
// credential for system:serviceaccount:<namespace>:<serviceAccountName>.
type ObjectLevelIdentityDefinition struct {
	// ClientID of the managed identity. The generated ServiceAccount is
	// annotated azure.workload.identity/client-id with it.
	// +kubebuilder:validation:Pattern=`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	// +required
	ClientID string `json:"clientId"`

	// TenantID of the managed identity. Empty means the tenant of the
	// cluster's workload identity configuration. The generated
	// ServiceAccount is annotated azure.workload.identity/tenant-id with it.
	// +kubebuilder:validation:Pattern=`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	// +optional
	TenantID string `json:"tenantId,omitempty"`

	// ServiceAccountName names an existing ServiceAccount of this
	// namespace, used as it is (it must carry the workload identity
	// annotations itself). Empty: the controller creates and owns one,
	// named <fluxconfig>-<flux source kind, lowercase> for a source and
	// <fluxconfig>-<kustomization>-kubeconfig for a kubeConfig.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
}

// KubeConfigDefinition makes a kustomization apply to a remote AKS cluster
// instead of this one: the Flux Kustomization's spec.kubeConfig.configMapRef
// names a generated ConfigMap with provider azure, the cluster's resource ID
// and the ServiceAccount of objectLevelIdentity. Under scope namespace the
// controller refuses it unless its operator allows it
// (--allow-remote-clusters-in-namespace-scope), since it leaves the
// tenant's namespace.
type KubeConfigDefinition struct {
	// ClusterResourceID is the ARM resource ID of the remote AKS cluster:
	// /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>.
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="self.lowerAscii().matches('^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft[.]containerservice/managedclusters/[^/]+$')",message="must be the resource ID of an AKS cluster: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>"
	// +required
	ClusterResourceID string `json:"clusterResourceId"`

	// ObjectLevelIdentity is the managed identity that applies to the
	// remote cluster; it needs a role on that cluster (for example Azure
	// Kubernetes Service RBAC Cluster Admin).
	// +required
	ObjectLevelIdentity ObjectLevelIdentityDefinition `json:"objectLevelIdentity"`
}

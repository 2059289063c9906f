package v1alpha1

import (
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FluxConfigStatus is the aggregated compliance of everything a FluxConfig
// generated.
type FluxConfigStatus struct {
	// ObservedGeneration is the generation this status describes; -1 until
	// the controller first writes the status.
	// +optional
	// +kubebuilder:default=-1
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, and the kstatus conditions Reconciling and Stalled.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ComplianceState sums up the generated objects: Compliant,
	// Non-Compliant, Pending, Suspended or Unknown.
	// +optional
	ComplianceState string `json:"complianceState,omitempty"`

	// ProvisioningState says whether the last pass applied the generated
	// objects: Succeeded, Failed (errorMessage says why) or Deleting.
	// +optional
	ProvisioningState string `json:"provisioningState,omitempty"`

	// ErrorMessage is the first real error, in words a user can act on.
	// +optional
	ErrorMessage string `json:"errorMessage,omitempty"`

	// SourceURL is the URL of the configured source, for display.
	// +optional
	SourceURL string `json:"sourceUrl,omitempty"`

	// SourceSyncedCommitID is the source revision Flux last fetched, for
	// example main@sha1:0123abcd...
	// +optional
	SourceSyncedCommitID string `json:"sourceSyncedCommitId,omitempty"`

	// SourceUpdatedAt is when Flux fetched that revision.
	// +optional
	SourceUpdatedAt *metav1.Time `json:"sourceUpdatedAt,omitempty"`

	// StatusUpdatedAt is when anything else in this status last changed.
	// +optional
	StatusUpdatedAt *metav1.Time `json:"statusUpdatedAt,omitempty"`

	// RepositoryPublicKey is the public half of the SSH key the controller
	// generated, in authorized_keys format: add it to the repository as a
	// deploy key.
	// +optional
	RepositoryPublicKey string `json:"repositoryPublicKey,omitempty"`

	// Statuses has one entry per Flux object: the source, the generated
	// Kustomizations, and the Flux objects they applied. At most 100 entries.
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Statuses []ObjectStatusDefinition `json:"statuses,omitempty"`

	// LastHandledReconcileAt is the value of the
	// reconcile.fluxcd.io/requestedAt annotation that the controller last
	// handled, as Flux's own objects report it: `flux`-style tooling waits
	// for it to match the value it set.
	meta.ReconcileRequestStatus `json:",inline"`
}

// ObjectStatusDefinition is the compliance of one Flux object.
type ObjectStatusDefinition struct {
	// Name of the object.
	Name string `json:"name"`

	// Namespace of the object.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// Kind of the object, for example GitRepository or HelmRelease.
	Kind string `json:"kind"`

	// ComplianceState of the object.
	// +optional
	ComplianceState string `json:"complianceState,omitempty"`

	// AppliedBy names the Kustomization that applied the object.
	// +optional
	AppliedBy *ObjectReferenceDefinition `json:"appliedBy,omitempty"`

	// StatusConditions are the object's Ready, Reconciling and Stalled
	// conditions, messages shortened.
	// +kubebuilder:validation:MaxItems=3
	// +optional
	StatusConditions []ObjectStatusConditionDefinition `json:"statusConditions,omitempty"`

	// HelmReleaseProperties are set for HelmReleases.
	// +optional
	HelmReleaseProperties *HelmReleasePropertiesDefinition `json:"helmReleaseProperties,omitempty"`
}

// ObjectReferenceDefinition names an object.
type ObjectReferenceDefinition struct {
	// Name of the object.
	Name string `json:"name"`

	// Namespace of the object.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// ObjectStatusConditionDefinition is a condition copied from a Flux object.
type ObjectStatusConditionDefinition struct {
	// Type of the condition.
	Type string `json:"type"`

	// Status: True, False or Unknown.
	Status string `json:"status"`

	// Reason in CamelCase.
	// +optional
	Reason string `json:"reason,omitempty"`

	// Message, at most 1024 characters.
	// +optional
	Message string `json:"message,omitempty"`

	// LastTransitionTime of the condition.
	// +optional
	LastTransitionTime *metav1.Time `json:"lastTransitionTime,omitempty"`
}

// HelmReleasePropertiesDefinition summarizes a HelmRelease.
type HelmReleasePropertiesDefinition struct {
	// LastRevisionApplied is the Helm release revision last deployed.
	// +optional
	LastRevisionApplied int64 `json:"lastRevisionApplied,omitempty"`

	// HelmChartRef names the HelmChart the release installs from.
	// +optional
	HelmChartRef *ObjectReferenceDefinition `json:"helmChartRef,omitempty"`

	// FailureCount counts failed reconciliations since the last success.
	// +optional
	FailureCount int64 `json:"failureCount,omitempty"`

	// InstallFailureCount counts failed installs.
	// +optional
	InstallFailureCount int64 `json:"installFailureCount,omitempty"`

	// UpgradeFailureCount counts failed upgrades.
	// +optional
	UpgradeFailureCount int64 `json:"upgradeFailureCount,omitempty"`
}

// GetConditions returns the status conditions.
func (in *FluxConfig) GetConditions() []metav1.Condition { return in.Status.Conditions }

// SetConditions replaces the status conditions.
func (in *FluxConfig) SetConditions(c []metav1.Condition) { in.Status.Conditions = c }

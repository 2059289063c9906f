// Package arm converts between Azure's
// Microsoft.KubernetesConfiguration/fluxConfigurations resource
// (api-versions 2025-04-01 and 2026-07-01-preview) and a FluxConfig of
// clusterconfig.azure.com/v1alpha1 with the Secrets of its protected
// settings, in both directions and with status, so that an agent speaking
// the Azure model can drive the controller and report what it does.
//
// FromARM decodes base64 values, turns *InSeconds into durations and the
// kustomizations map into the list; ToARM goes back. Every property of
// both api-versions has a place, the 2026-07-01-preview additions
// included (objectLevelIdentity, sparseCheckout, additionalConfigurations
// with each value kept as its JSON, kustomizations' kubeConfig). A value
// FluxConfig cannot take is an error naming its path (*FieldError), never
// silently dropped. Normalize fills in ARM's documented defaults, so two
// documents ARM reads alike compare equal.
package arm

// ResourceType is the ARM type of a Flux configuration.
const ResourceType = "Microsoft.KubernetesConfiguration/fluxConfigurations"

// API versions this package reads and writes.
const (
	APIVersionStable  = "2025-04-01"
	APIVersionPreview = "2026-07-01-preview"
)

// Annotations that keep, on a FluxConfig, the ARM properties that describe
// the Azure resource rather than the cluster, so a round trip loses
// nothing. The controller ignores them.
const (
	// AnnotationResourceID holds the ARM resource id.
	AnnotationResourceID = "clusterconfig.azure.com/arm-id"
	// AnnotationSystemData holds ARM's systemData as JSON.
	AnnotationSystemData = "clusterconfig.azure.com/arm-system-data"
	// AnnotationWaitForReconciliation holds properties.waitForReconciliation.
	AnnotationWaitForReconciliation = "clusterconfig.azure.com/wait-for-reconciliation"
	// AnnotationReconciliationWaitDuration holds
	// properties.reconciliationWaitDuration (an ISO 8601 duration).
	AnnotationReconciliationWaitDuration = "clusterconfig.azure.com/reconciliation-wait-duration"
)

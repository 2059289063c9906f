// Package builder turns a FluxConfig into the Flux objects that carry it out.
// Build is pure: no client calls, no clock, no randomness; a generated SSH
// key is one of its inputs. The one impure function, GenerateSSHKeyPair,
// is called by the controller, never by Build.
package builder

import (
	"fmt"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const (
	// ApplierServiceAccount is the identity every Kustomization applies as
	// when multi-tenancy is enforced.
	ApplierServiceAccount = "flux-applier"

	// GeneratedKeyAnnotation marks an auth Secret whose SSH key the
	// controller generated, so it is kept across reconciliations.
	GeneratedKeyAnnotation = "clusterconfig.azure.com/generated-ssh-key"
)

// SourceName is the name of the generated source: the FluxConfig's name.
func SourceName(fc *v1alpha1.FluxConfig) string { return fc.Name }

// AuthSecretName is the name of the generated auth Secret.
func AuthSecretName(fc *v1alpha1.FluxConfig) string { return fc.Name + "-auth" }

// TLSSecretName is the name of the generated OCI client TLS Secret.
func TLSSecretName(fc *v1alpha1.FluxConfig) string { return fc.Name + "-tls" }

// KustomizationName is the name of the Flux Kustomization for one entry.
func KustomizationName(fc *v1alpha1.FluxConfig, name string) string {
	return fc.Name + "-" + name
}

// RoleBindingName is the name of the namespaced binding for scope namespace.
func RoleBindingName(fc *v1alpha1.FluxConfig) string { return ApplierServiceAccount + "-" + fc.Name }

// ClusterRoleBindingName is the name of the cluster-admin binding for scope
// cluster. It carries the namespace because ClusterRoleBindings are
// cluster-wide.
func ClusterRoleBindingName(fc *v1alpha1.FluxConfig) string {
	return fmt.Sprintf("%s-%s-%s", ApplierServiceAccount, fc.Namespace, fc.Name)
}

// Labels are put on every object the controller creates.
func Labels(fc *v1alpha1.FluxConfig) map[string]string {
	return map[string]string{
		v1alpha1.ManagedLabel:   "true",
		v1alpha1.NameLabel:      fc.Name,
		v1alpha1.NamespaceLabel: fc.Namespace,
	}
}

// ConfigError is a problem in the FluxConfig (or its protected parameters)
// that no retry can fix: the user has to change something. Field names the
// part to change.
type ConfigError struct {
	Field   string
	Message string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Message }

func configErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Message: fmt.Sprintf(format, args...)}
}

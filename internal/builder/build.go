package builder

import (
	"path"
	"slices"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Options are the controller-wide settings that shape the generated objects.
type Options struct {
	// MultiTenancy makes every Kustomization apply as flux-applier and
	// creates that ServiceAccount with a binding for the FluxConfig's scope.
	MultiTenancy bool
	// ClusterScopeNamespaces lists the namespaces where a FluxConfig may
	// have scope cluster, as names or shell patterns ("platform-*"; "*"
	// allows every namespace).
	ClusterScopeNamespaces []string
	// AllowRemoteClustersInNamespaceScope lets a FluxConfig of scope
	// namespace have kustomizations with a kubeConfig (a remote cluster).
	AllowRemoteClustersInNamespaceScope bool
	// SSHKeyAlgorithm is the algorithm of newly generated SSH keys (one of
	// KeyAlgorithms; empty means RSA). Keys generated before are kept.
	SSHKeyAlgorithm string
	// ShardLabels are the label keys of the controller's
	// --watch-label-selector: a FluxConfig's values of them are copied onto
	// its children, so each shard caches its own children whole and the
	// others' trimmed.
	ShardLabels []string
}

// ClusterScopeAllowed tells whether a FluxConfig in namespace ns may have
// scope cluster.
func (o Options) ClusterScopeAllowed(ns string) bool {
	return slices.ContainsFunc(o.ClusterScopeNamespaces, func(pattern string) bool {
		ok, err := path.Match(pattern, ns)
		return err == nil && ok
	})
}

// Input is everything the builder reads.
type Input struct {
	// Config is the FluxConfig to build for.
	Config *v1alpha1.FluxConfig
	// Protected holds the data of the protectedParametersSecretRef Secret,
	// nil when there is none.
	Protected map[string][]byte
	// GeneratedKey is the SSH key pair to use for an SSH URL that has no key
	// of its own; the controller generates it once and keeps it.
	GeneratedKey *SSHKeyPair
}

// Objects are the generated children of one FluxConfig.
type Objects struct {
	Source             client.Object
	AuthSecret         *corev1.Secret
	TLSSecret          *corev1.Secret
	Kustomizations     []*kustomizev1.Kustomization
	ServiceAccount     *corev1.ServiceAccount
	RoleBinding        *rbacv1.RoleBinding
	ClusterRoleBinding *rbacv1.ClusterRoleBinding
	// Identities are the ServiceAccounts made for object-level workload
	// identity, of the source and of kubeConfigs.
	Identities []*corev1.ServiceAccount
	// KubeConfigs are the ConfigMaps that point Kustomizations at remote
	// clusters.
	KubeConfigs []*corev1.ConfigMap
	// RepositoryPublicKey is the public key to publish in status, set when
	// the controller's generated key is in use.
	RepositoryPublicKey string
}

// All lists the generated objects in the order they are applied: identity
// and credentials first, then the source, then the Kustomizations.
func (o *Objects) All() []client.Object {
	var all []client.Object
	if o.ServiceAccount != nil {
		all = append(all, o.ServiceAccount)
	}
	if o.RoleBinding != nil {
		all = append(all, o.RoleBinding)
	}
	if o.ClusterRoleBinding != nil {
		all = append(all, o.ClusterRoleBinding)
	}
	for _, sa := range o.Identities {
		all = append(all, sa)
	}
	for _, cm := range o.KubeConfigs {
		all = append(all, cm)
	}
	if o.AuthSecret != nil {
		all = append(all, o.AuthSecret)
	}
	if o.TLSSecret != nil {
		all = append(all, o.TLSSecret)
	}
	all = append(all, o.Source)
	for _, k := range o.Kustomizations {
		all = append(all, k)
	}
	return all
}

// addShardLabels copies the FluxConfig's values of the shard label keys onto
// every child but the namespace's ServiceAccount, which the FluxConfigs of
// every shard share.
func (o *Objects) addShardLabels(fc *v1alpha1.FluxConfig, keys []string) {
	for _, obj := range o.All() {
		if obj == client.Object(o.ServiceAccount) {
			continue
		}
		l := obj.GetLabels()
		for _, k := range keys {
			if v, ok := fc.Labels[k]; ok {
				l[k] = v
			}
		}
		obj.SetLabels(l)
	}
}

// Build returns the Flux objects for a FluxConfig, or a *ConfigError that
// names the field to fix.
func Build(in Input, opts Options) (*Objects, error) {
	fc := in.Config
	if err := Validate(fc); err != nil {
		return nil, err
	}
	if opts.MultiTenancy && fc.Spec.Scope != v1alpha1.ScopeNamespace && !opts.ClusterScopeAllowed(fc.Namespace) {
		return nil, configErr("spec.scope", "cluster is not allowed in namespace %s: this controller allows scope cluster only in %s (flag --cluster-scope-namespaces); use scope: namespace, or ask the cluster operator to allow this namespace",
			fc.Namespace, strings.Join(opts.ClusterScopeNamespaces, ", "))
	}
	auth, err := buildAuth(in)
	if err != nil {
		return nil, err
	}
	out := &Objects{AuthSecret: auth.secret, TLSSecret: auth.tls, RepositoryPublicKey: auth.publicKey}
	if out.Source, err = buildSource(fc, auth.secretRef, auth.tlsRef); err != nil {
		return nil, err
	}
	if sa := sourceIdentity(fc, out.Source); sa != nil {
		out.Identities = append(out.Identities, sa)
	}
	if err := mergeSourceAdditional(fc, out.Source); err != nil {
		return nil, err
	}
	for _, k := range fc.Spec.Kustomizations {
		built, err := buildKustomization(fc, k, opts)
		if err != nil {
			return nil, err
		}
		out.Kustomizations = append(out.Kustomizations, built.ks)
		if built.kubeConfig != nil {
			out.KubeConfigs = append(out.KubeConfigs, built.kubeConfig)
		}
		if built.identity != nil {
			out.Identities = append(out.Identities, built.identity)
		}
	}
	if opts.MultiTenancy {
		out.ServiceAccount, out.RoleBinding, out.ClusterRoleBinding = buildRBAC(fc)
	}
	out.addShardLabels(fc, opts.ShardLabels)
	return out, nil
}

// objectMeta is the metadata of a namespaced child: the FluxConfig's
// namespace, its labels, and a controller reference to it.
func objectMeta(fc *v1alpha1.FluxConfig, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            name,
		Namespace:       fc.Namespace,
		Labels:          Labels(fc),
		OwnerReferences: []metav1.OwnerReference{OwnerReference(fc)},
	}
}

// fluxObjectMeta is objectMeta for a Flux object (the source, the
// Kustomizations): it also carries the FluxConfig's
// reconcile.fluxcd.io/requestedAt annotation, so `flux reconcile` on the
// FluxConfig reconciles them at once, like `flux reconcile ks --with-source`.
func fluxObjectMeta(fc *v1alpha1.FluxConfig, name string) metav1.ObjectMeta {
	om := objectMeta(fc, name)
	if at := fc.GetAnnotations()[meta.ReconcileRequestAnnotation]; at != "" {
		om.Annotations = map[string]string{meta.ReconcileRequestAnnotation: at}
	}
	return om
}

// OwnerReference is the controller reference every namespaced child carries.
func OwnerReference(fc *v1alpha1.FluxConfig) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion:         v1alpha1.GroupVersion.String(),
		Kind:               "FluxConfig",
		Name:               fc.Name,
		UID:                fc.UID,
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}
}

// IsControlledBy tells whether obj carries fc's controller reference.
func IsControlledBy(obj metav1.Object, fc *v1alpha1.FluxConfig) bool {
	return slices.ContainsFunc(obj.GetOwnerReferences(), func(r metav1.OwnerReference) bool {
		return r.UID == fc.UID && r.Controller != nil && *r.Controller
	})
}

// HasLabelsOf tells whether obj carries the labels of fc's children.
func HasLabelsOf(obj metav1.Object, fc *v1alpha1.FluxConfig) bool {
	l := obj.GetLabels()
	return l[v1alpha1.ManagedLabel] == "true" && l[v1alpha1.NameLabel] == fc.Name && l[v1alpha1.NamespaceLabel] == fc.Namespace
}

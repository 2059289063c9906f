package arm

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Converted is a FluxConfig with the Secrets it refers to.
type Converted struct {
	Config *v1alpha1.FluxConfig
	// Protected is the Secret named by spec.protectedParametersSecretRef,
	// nil when there is none.
	Protected *corev1.Secret
	// Verification is the Secret named by
	// spec.ociRepository.verify.verificationConfigRef, nil when none.
	Verification *corev1.Secret
}

// Objects lists the FluxConfig and the Secrets that are set, in that
// order.
func (c *Converted) Objects() []runtime.Object {
	out := []runtime.Object{c.Config}
	for _, s := range []*corev1.Secret{c.Protected, c.Verification} {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// Options name what the ARM resource does not: the FluxConfig's name and
// namespace (they win over the resource's name and properties.namespace)
// and the Secrets' names.
type Options struct {
	Name      string
	Namespace string
	// ProtectedSecretName defaults to <name>-protected-parameters.
	ProtectedSecretName string
	// VerificationSecretName defaults to <name>-verification.
	VerificationSecretName string
}

// ProtectedSecretName is the default name of the protected settings Secret.
func ProtectedSecretName(name string) string { return name + "-protected-parameters" }

// VerificationSecretName is the default name of the OCI verification Secret.
func VerificationSecretName(name string) string { return name + "-verification" }

// fromARM is the state of one conversion from ARM.
type fromARM struct {
	errs      fieldErrors
	protected map[string][]byte
	// origin is the ARM path each protected key came from.
	origin map[string]string
}

// FromARM converts an ARM resource to a FluxConfig and its Secrets. Every
// problem is reported, each as a *FieldError with its ARM path. One
// default is read differently from Azure's documentation, as FluxConfig
// does: an absent bucket.insecure is true for an http:// URL only, and
// insecure: true with an https:// URL is refused.
func FromARM(r *Resource, opts Options) (*Converted, error) {
	f := &fromARM{protected: map[string][]byte{}, origin: map[string]string{}}
	p := r.Properties
	if p == nil {
		p = &Properties{}
	}
	fc := f.metadata(r, p, opts)
	fc.Spec = v1alpha1.FluxConfigSpec{
		Scope:         p.Scope,
		SourceKind:    p.SourceKind,
		Suspend:       isTrue(p.Suspend),
		GitRepository: f.git(p.GitRepository),
		Bucket:        f.bucket(p.Bucket),
		AzureBlob:     f.azureBlob(p.AzureBlob),
	}
	out := &Converted{Config: fc}
	fc.Spec.OCIRepository, out.Verification = f.oci(p.OCIRepository, fc, opts)
	fc.Spec.Kustomizations = f.kustomizations(p.Kustomizations)
	f.protectedSettings(p)
	fc.Status = f.status(p)
	if len(f.protected) > 0 {
		name := or(opts.ProtectedSecretName, ProtectedSecretName(fc.Name))
		out.Protected = secret(fc, name, f.protected)
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: name}
	}
	if err := f.errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// metadata names the FluxConfig and keeps the properties of the Azure
// resource itself in annotations.
func (f *fromARM) metadata(r *Resource, p *Properties, opts Options) *v1alpha1.FluxConfig {
	fc := &v1alpha1.FluxConfig{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FluxConfig"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      or(opts.Name, r.Name),
			Namespace: or(opts.Namespace, or(p.Namespace, "default")),
		},
	}
	if fc.Name == "" {
		f.errs.addf("name", "the resource has no name (a PUT body carries it in the URL): give one")
	}
	if r.Type != "" && r.Type != ResourceType {
		f.errs.addf("type", "is %q, want %s", r.Type, ResourceType)
	}
	ann := map[string]string{}
	if r.ID != "" {
		ann[AnnotationResourceID] = r.ID
	}
	if r.SystemData != nil {
		b, _ := json.Marshal(r.SystemData) // strings only: cannot fail
		ann[AnnotationSystemData] = string(b)
	}
	if p.WaitForReconciliation != nil {
		ann[AnnotationWaitForReconciliation] = strconv.FormatBool(*p.WaitForReconciliation)
	}
	if p.ReconciliationWaitDuration != "" {
		ann[AnnotationReconciliationWaitDuration] = p.ReconciliationWaitDuration
	}
	if len(ann) > 0 {
		fc.Annotations = ann
	}
	return fc
}

// setProtected stores a protected value, decoding base64 when the ARM
// field carries it so. A key given twice is an error.
func (f *fromARM) setProtected(key, path, value string, isBase64 bool) {
	if value == "" {
		return
	}
	if prev, ok := f.origin[key]; ok {
		f.errs.addf(path, "sets %s, which %s sets too; keep one", key, prev)
		return
	}
	data := []byte(value)
	if isBase64 {
		var ok bool
		if data, ok = f.decodeBytes(path, value); !ok {
			return
		}
	}
	f.protected[key], f.origin[key] = data, path
}

func (f *fromARM) decodeBytes(path, value string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		f.errs.addf(path, "is not base64: ARM carries this value base64-encoded")
		return nil, false
	}
	return b, true
}

// decode decodes a base64 field into the plain text FluxConfig keeps.
func (f *fromARM) decode(path, value string) string {
	if value == "" {
		return ""
	}
	b, _ := f.decodeBytes(path, value)
	return string(b)
}

func (f *fromARM) seconds(path string, s *int64) *metav1.Duration {
	if s == nil {
		return nil
	}
	if *s < 0 {
		f.errs.addf(path, "is %d: it must not be negative", *s)
		return nil
	}
	return &metav1.Duration{Duration: time.Duration(*s) * time.Second}
}

func secret(fc *v1alpha1.FluxConfig, name string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: fc.Namespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
}

// isTrue reads a boolean ARM reads as false when it is absent.
func isTrue(b *bool) bool { return b != nil && *b }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

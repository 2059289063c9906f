package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// build reads the inputs the builder needs (the protected parameters, the
// key generated before) and builds the children.
func (r *FluxConfigReconciler) build(ctx context.Context, s *reconcileScope) error {
	fc := s.fc
	// What the schema should have refused (a FluxConfig stored before a
	// rule existed) stalls here, before a reference that can never
	// resolve is read.
	if err := builder.Validate(fc); err != nil {
		return err
	}
	in := builder.Input{Config: fc}
	if ref := fc.Spec.ProtectedParametersSecretRef; ref != nil {
		secret := &corev1.Secret{}
		err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: fc.Namespace, Name: ref.Name}, secret)
		switch {
		case apierrors.IsNotFound(err):
			return &builder.ConfigError{Field: "spec.protectedParametersSecretRef.name",
				Message: fmt.Sprintf("Secret %s/%s does not exist; create it, or fix the name", fc.Namespace, ref.Name)}
		case err != nil:
			return fmt.Errorf("reading the protected parameters Secret %s/%s: %w", fc.Namespace, ref.Name, err)
		}
		in.Protected = secret.Data
	}
	if builder.NeedsGeneratedKey(fc, in.Protected) {
		key, err := r.generatedKey(ctx, fc)
		if err != nil {
			return err
		}
		in.GeneratedKey = key
	}
	built, err := builder.Build(in, r.Builder)
	if err != nil {
		return err
	}
	s.built = built
	if built.AuthSecret == nil {
		s.report.PublicKey = "" // no generated key in use any more
	}
	return nil
}

// generatedKey returns the SSH key pair generated for fc before, from its
// auth Secret, or a new one (of --ssh-key-algorithm) when that Secret does
// not exist: a stored key keeps its algorithm when the flag changes. A stored key is
// never replaced while its Secret exists, whatever the cache says: a cache
// miss (a re-list after an API server restart, a Secret created a moment
// ago, a Secret without the managed label) is confirmed by the API server
// before a key is generated. A Secret of that name that the controller did
// not create is a conflict, and no key is generated or published for it.
func (r *FluxConfigReconciler) generatedKey(ctx context.Context, fc *v1alpha1.FluxConfig) (*builder.SSHKeyPair, error) {
	key := client.ObjectKey{Namespace: fc.Namespace, Name: builder.AuthSecretName(fc)}
	secret := &corev1.Secret{}
	err := r.Get(ctx, key, secret)
	if apierrors.IsNotFound(err) {
		err = r.APIReader.Get(ctx, key, secret)
	}
	switch {
	case apierrors.IsNotFound(err):
		ctrl.LoggerFrom(ctx).V(1).Info("generating an SSH deploy key", "secret", klog.KRef(key.Namespace, key.Name))
		return builder.GenerateSSHKeyPair(r.Builder.SSHKeyAlgorithm)
	case err != nil:
		return nil, fmt.Errorf("reading the auth Secret %s: %w", key, err)
	case !builder.IsControlledBy(secret, fc):
		return nil, &apply.ConflictError{Kind: "Secret", Namespace: key.Namespace, Name: key.Name}
	case secret.Annotations[builder.GeneratedKeyAnnotation] == "true" &&
		len(secret.Data["identity"]) > 0 && len(secret.Data["identity.pub"]) > 0:
		return &builder.SSHKeyPair{PrivateKey: secret.Data["identity"], PublicKey: secret.Data["identity.pub"]}, nil
	}
	// Ours, but holding other credentials (the URL was HTTPS before).
	return builder.GenerateSSHKeyPair(r.Builder.SSHKeyAlgorithm)
}

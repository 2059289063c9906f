package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// build reads the inputs the builder needs (the protected parameters, the
// key generated before) and builds the children.
func (r *FluxConfigReconciler) build(ctx context.Context, s *reconcileScope) error {
	fc := s.fc
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
	s.report.PublicKey = built.RepositoryPublicKey
	return nil
}

// generatedKey returns the SSH key pair generated for fc before, from its
// auth Secret, or a new one. The key only changes when the Secret is gone.
func (r *FluxConfigReconciler) generatedKey(ctx context.Context, fc *v1alpha1.FluxConfig) (*builder.SSHKeyPair, error) {
	secret := &corev1.Secret{}
	err := r.Get(ctx, client.ObjectKey{Namespace: fc.Namespace, Name: builder.AuthSecretName(fc)}, secret)
	switch {
	case err == nil && builder.IsControlledBy(secret, fc) && secret.Annotations[builder.GeneratedKeyAnnotation] == "true" &&
		len(secret.Data["identity"]) > 0 && len(secret.Data["identity.pub"]) > 0:
		return &builder.SSHKeyPair{PrivateKey: secret.Data["identity"], PublicKey: secret.Data["identity.pub"]}, nil
	case err != nil && !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("reading the auth Secret: %w", err)
	}
	return builder.GenerateSSHKeyPair()
}

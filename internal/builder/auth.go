package builder

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// authResult is what the auth step hands to the source: the Secrets to
// create and the names the source refers to.
type authResult struct {
	secret    *corev1.Secret
	tls       *corev1.Secret
	secretRef string
	tlsRef    string
	publicKey string
}

const protectedField = "spec.protectedParametersSecretRef"

// NeedsGeneratedKey tells whether the FluxConfig uses an SSH URL with no key
// of its own, so the controller must generate (or keep) one.
func NeedsGeneratedKey(fc *v1alpha1.FluxConfig, protected map[string][]byte) bool {
	g := fc.Spec.GitRepository
	return (fc.Spec.SourceKind == v1alpha1.SourceKindGitRepository || fc.Spec.SourceKind == "") && g != nil &&
		IsSSHURL(g.URL) && g.LocalAuthRef == "" && len(protected[v1alpha1.ProtectedSSHPrivateKey]) == 0
}

func buildAuth(in Input) (authResult, error) {
	fc := in.Config
	switch fc.Spec.SourceKind {
	case v1alpha1.SourceKindGitRepository, "":
		if fc.Spec.GitRepository == nil {
			return authResult{}, nil
		}
		return gitAuth(in)
	case v1alpha1.SourceKindBucket:
		return bucketAuth(in)
	case v1alpha1.SourceKindAzureBlob:
		return azureAuth(in)
	case v1alpha1.SourceKindOCIRepository:
		return ociAuth(in)
	}
	return authResult{}, nil
}

// identityConflict refuses credentials in the protected parameters next to
// an objectLevelIdentity: the workload identity is the credential, and Flux
// refuses a secretRef with serviceAccountName.
func identityConflict(id *v1alpha1.ObjectLevelIdentityDefinition, p map[string][]byte, source string, keys ...string) error {
	if id == nil {
		return nil
	}
	for _, k := range keys {
		if len(p[k]) > 0 {
			return configErr(protectedField, "has %s, but %s.objectLevelIdentity authenticates without it; remove %s from the Secret, or remove objectLevelIdentity", k, source, k)
		}
	}
	return nil
}

func authSecret(fc *v1alpha1.FluxConfig, name string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: objectMeta(fc, name),
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
}

func withSecret(fc *v1alpha1.FluxConfig, data map[string][]byte) authResult {
	if len(data) == 0 {
		return authResult{}
	}
	s := authSecret(fc, AuthSecretName(fc), data)
	return authResult{secret: s, secretRef: s.Name}
}

func gitAuth(in Input) (authResult, error) {
	fc, g, p := in.Config, in.Config.Spec.GitRepository, in.Protected
	if err := identityConflict(g.ObjectLevelIdentity, p, "spec.gitRepository", v1alpha1.ProtectedHTTPSKey); err != nil {
		return authResult{}, err
	}
	if g.LocalAuthRef != "" {
		return authResult{secretRef: g.LocalAuthRef}, nil
	}
	data := map[string][]byte{}
	var res authResult
	if IsSSHURL(g.URL) {
		if len(p[v1alpha1.ProtectedHTTPSKey]) > 0 {
			return res, configErr(protectedField, "httpsKey is set but spec.gitRepository.url is an SSH URL; give sshPrivateKey instead, or use an https:// URL")
		}
		key := p[v1alpha1.ProtectedSSHPrivateKey]
		if len(key) == 0 {
			if in.GeneratedKey == nil {
				return res, configErr("spec.gitRepository.url", "an SSH URL needs a key: sshPrivateKey in the protected parameters, localAuthRef, or a generated key")
			}
			data["identity"], data["identity.pub"] = in.GeneratedKey.PrivateKey, in.GeneratedKey.PublicKey
			res.publicKey = strings.TrimSpace(string(in.GeneratedKey.PublicKey))
		} else {
			pub, err := publicKeyOf(key)
			if err != nil {
				return res, configErr(protectedField, "sshPrivateKey %s", err.Error())
			}
			data["identity"], data["identity.pub"] = key, pub
		}
		if g.SSHKnownHosts != "" {
			data["known_hosts"] = []byte(g.SSHKnownHosts)
		}
	} else {
		if len(p[v1alpha1.ProtectedSSHPrivateKey]) > 0 {
			return res, configErr(protectedField, "sshPrivateKey is set but spec.gitRepository.url is not an SSH URL; use an ssh:// or git@ URL, or give httpsKey instead")
		}
		user, pass := g.HTTPSUser, p[v1alpha1.ProtectedHTTPSKey]
		switch {
		case user != "" && len(pass) == 0:
			return res, configErr("spec.gitRepository.httpsUser", "is set but the Secret of %s has no httpsKey; add httpsKey (the password or token) to that Secret", protectedField)
		case user == "" && len(pass) > 0:
			return res, configErr("spec.gitRepository.httpsUser", "is required with httpsKey; set the user name that goes with the token")
		case user != "":
			data["username"], data["password"] = []byte(user), pass
		}
		if g.HTTPSCACert != "" {
			data["ca.crt"] = []byte(g.HTTPSCACert)
		}
	}
	s := withSecret(fc, data)
	if res.publicKey != "" && s.secret != nil {
		s.secret.Annotations = map[string]string{GeneratedKeyAnnotation: "true"}
	}
	s.publicKey = res.publicKey
	return s, nil
}

func bucketAuth(in Input) (authResult, error) {
	fc, b, p := in.Config, in.Config.Spec.Bucket, in.Protected
	if b == nil {
		return authResult{}, nil
	}
	if err := identityConflict(b.ObjectLevelIdentity, p, "spec.bucket", v1alpha1.ProtectedBucketSecretKey); err != nil {
		return authResult{}, err
	}
	if b.LocalAuthRef != "" {
		return authResult{secretRef: b.LocalAuthRef}, nil
	}
	secret := p[v1alpha1.ProtectedBucketSecretKey]
	switch {
	case b.AccessKey != "" && len(secret) == 0:
		return authResult{}, configErr("spec.bucket.accessKey", "is set but the Secret of %s has no bucketSecretKey; add it, or use localAuthRef", protectedField)
	case b.AccessKey == "" && len(secret) > 0:
		return authResult{}, configErr("spec.bucket.accessKey", "is required with bucketSecretKey; set the access key ID that goes with it")
	case b.AccessKey == "":
		return authResult{}, nil
	}
	return withSecret(fc, map[string][]byte{"accesskey": []byte(b.AccessKey), "secretkey": secret}), nil
}

func azureAuth(in Input) (authResult, error) {
	fc, a, p := in.Config, in.Config.Spec.AzureBlob, in.Protected
	if a == nil {
		return authResult{}, nil
	}
	if err := identityConflict(a.ObjectLevelIdentity, p, "spec.azureBlob", v1alpha1.ProtectedAccountKey, v1alpha1.ProtectedSASToken); err != nil {
		return authResult{}, err
	}
	if a.LocalAuthRef != "" {
		return authResult{secretRef: a.LocalAuthRef}, nil
	}
	data := map[string][]byte{}
	switch {
	case a.ServicePrincipal != nil:
		sp := a.ServicePrincipal
		data["clientId"], data["tenantId"] = []byte(sp.ClientID), []byte(sp.TenantID)
		secret, cert := p[v1alpha1.ProtectedClientSecret], p[v1alpha1.ProtectedClientCertificate]
		switch {
		case len(secret) > 0 && len(cert) > 0:
			return authResult{}, configErr(protectedField, "has both clientSecret and clientCertificate for spec.azureBlob.servicePrincipal; keep one")
		case len(secret) > 0:
			data["clientSecret"] = secret
		case len(cert) > 0:
			data["clientCertificate"] = cert
			if pw := p[v1alpha1.ProtectedClientCertificatePassword]; len(pw) > 0 {
				data["clientCertificatePassword"] = pw
			}
			if sp.ClientCertificateSendChain {
				data["clientCertificateSendChain"] = []byte(strconv.FormatBool(true))
			}
		default:
			return authResult{}, configErr("spec.azureBlob.servicePrincipal", "needs clientSecret or clientCertificate in the Secret of %s", protectedField)
		}
	case a.ManagedIdentity != nil:
		data["clientId"] = []byte(a.ManagedIdentity.ClientID)
	case len(p[v1alpha1.ProtectedAccountKey]) > 0:
		data["accountKey"] = p[v1alpha1.ProtectedAccountKey]
	case len(p[v1alpha1.ProtectedSASToken]) > 0:
		data["sasKey"] = p[v1alpha1.ProtectedSASToken]
	}
	return withSecret(fc, data), nil
}

func ociAuth(in Input) (authResult, error) {
	fc, o, p := in.Config, in.Config.Spec.OCIRepository, in.Protected
	if o == nil {
		return authResult{}, nil
	}
	res := authResult{secretRef: o.LocalAuthRef}
	t := o.TLSConfig
	if t == nil {
		return res, nil
	}
	data := map[string][]byte{}
	if t.CACertificate != "" {
		data["ca.crt"] = []byte(t.CACertificate)
	}
	key := p[v1alpha1.ProtectedTLSPrivateKey]
	switch {
	case t.ClientCertificate != "" && len(key) == 0:
		return res, configErr("spec.ociRepository.tlsConfig.clientCertificate", "is set but the Secret of %s has no tlsPrivateKey; add the client key there", protectedField)
	case t.ClientCertificate != "":
		data["tls.crt"], data["tls.key"] = []byte(t.ClientCertificate), key
	}
	if len(data) > 0 {
		res.tls = authSecret(fc, TLSSecretName(fc), data)
		res.tlsRef = res.tls.Name
	}
	return res, nil
}

package cli

import (
	"encoding/json"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

// source fills the source body of fc from the flags of its kind, the
// protected parameters, and returns the verification keys (oci).
func (o *createOptions) source(fc *v1alpha1.FluxConfig, protected map[string][]byte) (map[string][]byte, error) {
	interval, err := optionalDuration("interval", o.interval)
	if err != nil {
		return nil, err
	}
	timeout, err := optionalDuration("timeout", o.timeout)
	if err != nil {
		return nil, err
	}
	put := func(key, value string) {
		if value != "" {
			protected[key] = []byte(value)
		}
	}
	switch fc.Spec.SourceKind {
	case v1alpha1.SourceKindGitRepository:
		g, err := o.gitSource(put)
		if g != nil {
			g.SyncInterval, g.Timeout = interval, timeout
		}
		fc.Spec.GitRepository = g
		return nil, err
	case v1alpha1.SourceKindBucket:
		b := o.bucketSource(put)
		b.SyncInterval, b.Timeout = interval, timeout
		fc.Spec.Bucket = b
		return nil, nil
	case v1alpha1.SourceKindAzureBlob:
		a, err := o.blobSource(put)
		if a != nil {
			a.SyncInterval, a.Timeout = interval, timeout
		}
		fc.Spec.AzureBlob = a
		return nil, err
	}
	c, keys, err := o.ociSource(fc, put)
	if c != nil {
		c.SyncInterval, c.Timeout = interval, timeout
	}
	fc.Spec.OCIRepository = c
	return keys, err
}

func optionalDuration(flag, value string) (*metav1.Duration, error) {
	if value == "" {
		return nil, nil
	}
	d, err := parseDuration(value)
	if err != nil {
		return nil, usagef("--%s: %v", flag, err)
	}
	return d, nil
}

func (o *createOptions) gitSource(put func(key, value string)) (*v1alpha1.GitRepositoryDefinition, error) {
	g := o.git
	key, err := base64OrFile("ssh-private-key", g.sshKey, g.sshKeyFile)
	if err != nil {
		return nil, err
	}
	ca, err := base64OrFile("https-ca-cert", g.caCert, g.caCertFile)
	if err != nil {
		return nil, err
	}
	hosts, err := base64OrFile("known-hosts", g.knownHosts, g.knownHostsFile)
	if err != nil {
		return nil, err
	}
	if g.branch == "" && g.tag == "" && g.semver == "" && g.commit == "" {
		return nil, usagef("give one of --branch, --tag, --semver or --commit")
	}
	put(v1alpha1.ProtectedSSHPrivateKey, key)
	put(v1alpha1.ProtectedHTTPSKey, g.httpsKey)
	return &v1alpha1.GitRepositoryDefinition{
		URL:           o.url,
		RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: g.branch, Tag: g.tag, Semver: g.semver, Commit: g.commit},
		SSHKnownHosts: hosts,
		HTTPSUser:     g.httpsUser,
		HTTPSCACert:   ca,
		LocalAuthRef:  o.localAuthRef,
		Provider:      strings.ToLower(g.provider),
	}, nil
}

func (o *createOptions) bucketSource(put func(key, value string)) *v1alpha1.BucketDefinition {
	b := o.bucket
	put(v1alpha1.ProtectedBucketSecretKey, b.secretKey)
	return &v1alpha1.BucketDefinition{
		URL: o.url, BucketName: b.name, Insecure: b.insecure, AccessKey: b.accessKey, LocalAuthRef: o.localAuthRef,
	}
}

func (o *createOptions) blobSource(put func(key, value string)) (*v1alpha1.AzureBlobDefinition, error) {
	a := o.blob
	cert, err := base64OrFile("sp-client-cert", a.spCert, "")
	if err != nil {
		return nil, err
	}
	out := &v1alpha1.AzureBlobDefinition{URL: o.url, ContainerName: a.container, LocalAuthRef: o.localAuthRef}
	if a.spClientID != "" || a.spTenantID != "" {
		out.ServicePrincipal = &v1alpha1.ServicePrincipalDefinition{ClientID: a.spClientID, TenantID: a.spTenantID, ClientCertificateSendChain: a.spSendChain}
	}
	if a.miClientID != "" {
		out.ManagedIdentity = &v1alpha1.ManagedIdentityDefinition{ClientID: a.miClientID}
	}
	put(v1alpha1.ProtectedClientSecret, a.spSecret)
	put(v1alpha1.ProtectedClientCertificate, cert)
	put(v1alpha1.ProtectedClientCertificatePassword, a.spCertPassword)
	put(v1alpha1.ProtectedAccountKey, a.accountKey)
	put(v1alpha1.ProtectedSASToken, a.sasToken)
	return out, nil
}

func (o *createOptions) ociSource(fc *v1alpha1.FluxConfig, put func(key, value string)) (*v1alpha1.OCIRepositoryDefinition, map[string][]byte, error) {
	c := o.oci
	out := &v1alpha1.OCIRepositoryDefinition{URL: o.url, Insecure: c.insecure, UseWorkloadIdentity: c.workloadIdentity,
		ServiceAccountName: c.serviceAccount, LocalAuthRef: o.localAuthRef}
	if ref := (v1alpha1.OCIRepositoryRefDefinition{Tag: o.git.tag, Semver: o.git.semver, Digest: c.digest}); ref != (v1alpha1.OCIRepositoryRefDefinition{}) {
		out.RepositoryRef = &ref
	}
	if c.mediaType != "" || c.operation != "" {
		out.LayerSelector = &v1alpha1.LayerSelectorDefinition{MediaType: c.mediaType, Operation: c.operation}
	}
	if err := o.ociTLS(out, put); err != nil {
		return nil, nil, err
	}
	keys, err := o.ociVerify(fc, out)
	return out, keys, err
}

func (o *createOptions) ociTLS(out *v1alpha1.OCIRepositoryDefinition, put func(key, value string)) error {
	c := o.oci
	var vals [3]string
	for i, f := range []struct{ flag, value string }{{"tls-ca-certificate", c.caCert}, {"tls-client-certificate", c.clientCert}, {"tls-private-key", c.privateKey}} {
		v, err := base64OrFile(f.flag, f.value, "")
		if err != nil {
			return err
		}
		vals[i] = v
	}
	if vals[0] != "" || vals[1] != "" {
		out.TLSConfig = &v1alpha1.TLSConfigDefinition{CACertificate: vals[0], ClientCertificate: vals[1]}
	}
	put(v1alpha1.ProtectedTLSPrivateKey, vals[2])
	return nil
}

func (o *createOptions) ociVerify(fc *v1alpha1.FluxConfig, out *v1alpha1.OCIRepositoryDefinition) (map[string][]byte, error) {
	c := o.oci
	if c.verifyProvider == "" && len(c.matchOIDC) == 0 && len(c.verifyConfig) == 0 {
		return nil, nil
	}
	out.Verify = &v1alpha1.VerifyDefinition{Provider: c.verifyProvider}
	for _, s := range c.matchOIDC {
		var id v1alpha1.MatchOIDCIdentityDefinition
		if err := json.Unmarshal([]byte(s), &id); err != nil {
			return nil, usagef(`--match-oidc-identity %q: want {"issuer": "...", "subject": "..."}`, s)
		}
		out.Verify.MatchOIDCIdentity = append(out.Verify.MatchOIDCIdentity, id)
	}
	keys := map[string][]byte{}
	for _, kv := range c.verifyConfig {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usagef("--verification-config %q: want KEY=PUBLIC-KEY", kv)
		}
		keys[k] = []byte(v)
	}
	if len(keys) > 0 {
		out.Verify.VerificationConfigRef = arm.VerificationSecretName(fc.Name)
	}
	return keys, nil
}

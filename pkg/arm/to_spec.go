package arm

import (
	"encoding/base64"
	"sort"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func (t *toARM) git(g *v1alpha1.GitRepositoryDefinition) *GitRepository {
	if g == nil {
		return nil
	}
	out := &GitRepository{
		URL:                   g.URL,
		SyncIntervalInSeconds: t.seconds("spec.gitRepository.syncInterval", g.SyncInterval),
		TimeoutInSeconds:      t.seconds("spec.gitRepository.timeout", g.Timeout),
		HTTPSUser:             g.HTTPSUser,
		LocalAuthRef:          g.LocalAuthRef,
		ObjectLevelIdentity:   identityToARM(g.ObjectLevelIdentity),
		SparseCheckout:        g.SparseCheckout,
	}
	if a := g.AdditionalConfigurations; a != nil {
		out.AdditionalConfigurations = additionalToARM(a.Fields)
	}
	if g.SSHKnownHosts != "" {
		out.SSHKnownHosts = b64(g.SSHKnownHosts)
	}
	if g.HTTPSCACert != "" {
		out.HTTPSCACert = b64(g.HTTPSCACert)
	}
	if r := g.RepositoryRef; r != (v1alpha1.RepositoryRefDefinition{}) {
		out.RepositoryRef = &RepositoryRef{Branch: r.Branch, Tag: r.Tag, Semver: r.Semver, Commit: r.Commit}
	}
	if g.Provider != "" {
		for arm, flux := range providers {
			if flux == g.Provider {
				out.Provider = arm
			}
		}
		if out.Provider == "" {
			t.errs.addf("spec.gitRepository.provider", "is %q: use generic, azure or github", g.Provider)
		}
	}
	return out
}

func (t *toARM) bucket(b *v1alpha1.BucketDefinition) *Bucket {
	if b == nil {
		return nil
	}
	out := &Bucket{
		URL:        b.URL,
		BucketName: b.BucketName,
		// Azure reads an absent insecure as true: false is written.
		Insecure:              omitDefault(b.Insecure, true),
		SyncIntervalInSeconds: t.seconds("spec.bucket.syncInterval", b.SyncInterval),
		TimeoutInSeconds:      t.seconds("spec.bucket.timeout", b.Timeout),
		AccessKey:             b.AccessKey,
		LocalAuthRef:          b.LocalAuthRef,
		ObjectLevelIdentity:   identityToARM(b.ObjectLevelIdentity),
	}
	if a := b.AdditionalConfigurations; a != nil {
		out.AdditionalConfigurations = additionalToARM(a.Fields)
	}
	return out
}

func (t *toARM) azureBlob(a *v1alpha1.AzureBlobDefinition) *AzureBlob {
	if a == nil {
		return nil
	}
	out := &AzureBlob{
		URL:                   a.URL,
		ContainerName:         a.ContainerName,
		SyncIntervalInSeconds: t.seconds("spec.azureBlob.syncInterval", a.SyncInterval),
		TimeoutInSeconds:      t.seconds("spec.azureBlob.timeout", a.Timeout),
		LocalAuthRef:          a.LocalAuthRef,
		ObjectLevelIdentity:   identityToARM(a.ObjectLevelIdentity),
	}
	if add := a.AdditionalConfigurations; add != nil {
		out.AdditionalConfigurations = additionalToARM(add.Fields)
	}
	if sp := a.ServicePrincipal; sp != nil {
		out.ServicePrincipal = &ServicePrincipal{ClientID: sp.ClientID, TenantID: sp.TenantID,
			ClientCertificateSendChain: omitDefault(sp.ClientCertificateSendChain, false)}
	}
	if mi := a.ManagedIdentity; mi != nil {
		out.ManagedIdentity = &ManagedIdentity{ClientID: mi.ClientID}
	}
	return out
}

func (t *toARM) oci(o *v1alpha1.OCIRepositoryDefinition, c *Converted) *OCIRepository {
	if o == nil {
		return nil
	}
	out := &OCIRepository{
		URL:                   o.URL,
		Insecure:              omitDefault(o.Insecure, false),
		UseWorkloadIdentity:   omitDefault(o.UseWorkloadIdentity, false),
		ServiceAccountName:    o.ServiceAccountName,
		SyncIntervalInSeconds: t.seconds("spec.ociRepository.syncInterval", o.SyncInterval),
		TimeoutInSeconds:      t.seconds("spec.ociRepository.timeout", o.Timeout),
		LocalAuthRef:          o.LocalAuthRef,
		ObjectLevelIdentity:   identityToARM(o.ObjectLevelIdentity),
	}
	if a := o.AdditionalConfigurations; a != nil {
		out.AdditionalConfigurations = additionalToARM(a.Fields)
	}
	if r := o.RepositoryRef; r != nil {
		out.RepositoryRef = &OCIRepositoryRef{Tag: r.Tag, Semver: r.Semver, Digest: r.Digest}
	}
	if l := o.LayerSelector; l != nil {
		out.LayerSelector = &LayerSelector{MediaType: l.MediaType, Operation: l.Operation}
	}
	if tls := o.TLSConfig; tls != nil {
		out.TLSConfig = &TLSConfig{}
		if tls.ClientCertificate != "" {
			out.TLSConfig.ClientCertificate = b64(tls.ClientCertificate)
		}
		if tls.CACertificate != "" {
			out.TLSConfig.CACertificate = b64(tls.CACertificate)
		}
	}
	if v := o.Verify; v != nil {
		out.Verify = &Verify{Provider: v.Provider}
		for _, id := range v.MatchOIDCIdentity {
			out.Verify.MatchOIDCIdentity = append(out.Verify.MatchOIDCIdentity, MatchOIDCIdentity(id))
		}
		out.Verify.VerificationConfig = t.verificationConfig(v.VerificationConfigRef, c)
	}
	return out
}

// verificationConfig reads the trusted keys ARM carries inline from the
// Secret the FluxConfig names.
func (t *toARM) verificationConfig(ref string, c *Converted) map[string]string {
	const path = "spec.ociRepository.verify.verificationConfigRef"
	switch {
	case ref == "":
		return nil
	case c.Verification == nil:
		t.errs.addf(path, "names Secret %s, whose keys ARM carries in properties.ociRepository.verify.verificationConfig: give that Secret", ref)
		return nil
	case c.Verification.Name != ref:
		t.errs.addf(path, "names Secret %s, but the Secret given is %s", ref, c.Verification.Name)
		return nil
	}
	out := map[string]string{}
	for k, v := range secretData(c.Verification.Data, c.Verification.StringData) {
		out[k] = string(v)
	}
	return out
}

func (t *toARM) kustomizations(ks []v1alpha1.KustomizationDefinition, get bool) Kustomizations {
	var out Kustomizations
	for _, k := range ks {
		path := "spec.kustomizations[" + k.Name + "]"
		e := &Kustomization{
			Path:                   k.Path,
			DependsOn:              k.DependsOn,
			SyncIntervalInSeconds:  t.seconds(path+".syncInterval", k.SyncInterval),
			RetryIntervalInSeconds: t.seconds(path+".retryInterval", k.RetryInterval),
			TimeoutInSeconds:       t.seconds(path+".timeout", k.Timeout),
			Prune:                  omitDefault(k.Prune, false),
			Force:                  omitDefault(k.Force, false),
			Wait:                   k.Wait,
			KubeConfig:             kubeConfigToARM(k.KubeConfig),
		}
		if a := k.AdditionalConfigurations; a != nil {
			e.AdditionalConfigurations = additionalToARM(a.Fields)
		}
		if get {
			e.Name = k.Name
		}
		if pb := k.PostBuild; pb != nil {
			e.PostBuild = &PostBuild{Substitute: pb.Substitute}
			for _, s := range pb.SubstituteFrom {
				e.PostBuild.SubstituteFrom = append(e.PostBuild.SubstituteFrom,
					SubstituteFrom{Kind: s.Kind, Name: s.Name, Optional: omitDefault(s.Optional, false)})
			}
		}
		out = append(out, NamedKustomization{Key: k.Name, Value: e})
	}
	return out
}

// protected writes the protected parameters: each where ARM carries it
// inline when that object exists, else in configurationProtectedSettings
// (base64).
func (t *toARM) protected(c *Converted, p *Properties, opts ToOptions) {
	const path = "spec.protectedParametersSecretRef"
	ref := c.Config.Spec.ProtectedParametersSecretRef
	switch {
	case ref == nil && c.Protected != nil:
		t.errs.addf(path, "is not set, but Secret %s was given: name it there, or leave it out", c.Protected.Name)
		return
	case ref == nil, c.Protected == nil && opts.WithoutSecrets:
		return
	case c.Protected == nil:
		t.errs.addf(path, "names Secret %s, whose values become properties.configurationProtectedSettings: give that Secret, or ask for the output without secrets", ref.Name)
		return
	case c.Protected.Name != ref.Name:
		t.errs.addf(path, "names Secret %s, but the Secret given is %s", ref.Name, c.Protected.Name)
		return
	}
	data := secretData(c.Protected.Data, c.Protected.StringData)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, set := inline(p, k); set != nil {
			set(data[k])
			continue
		}
		if p.ConfigurationProtectedSettings == nil {
			p.ConfigurationProtectedSettings = map[string]string{}
		}
		p.ConfigurationProtectedSettings[k] = base64.StdEncoding.EncodeToString(data[k])
	}
}

// secretData merges a Secret's data and stringData as the API server
// does: stringData wins.
func secretData(data map[string][]byte, str map[string]string) map[string][]byte {
	out := make(map[string][]byte, len(data)+len(str))
	for k, v := range data {
		out[k] = v
	}
	for k, v := range str {
		out[k] = []byte(v)
	}
	return out
}

// inline finds the ARM field that carries a protected key inline, when
// the object holding it exists: its path, and a setter for the value.
func inline(p *Properties, key string) (string, func([]byte)) {
	a, o := p.AzureBlob, p.OCIRepository
	sp := func() *ServicePrincipal {
		if a == nil {
			return nil
		}
		return a.ServicePrincipal
	}()
	switch {
	case key == v1alpha1.ProtectedAccountKey && a != nil:
		return blobPath + ".accountKey", func(v []byte) { a.AccountKey = string(v) }
	case key == v1alpha1.ProtectedSASToken && a != nil:
		return blobPath + ".sasToken", func(v []byte) { a.SASToken = string(v) }
	case key == v1alpha1.ProtectedClientSecret && sp != nil:
		return blobPath + ".servicePrincipal.clientSecret", func(v []byte) { sp.ClientSecret = string(v) }
	case key == v1alpha1.ProtectedClientCertificate && sp != nil:
		return blobPath + ".servicePrincipal.clientCertificate", func(v []byte) { sp.ClientCertificate = base64.StdEncoding.EncodeToString(v) }
	case key == v1alpha1.ProtectedClientCertificatePassword && sp != nil:
		return blobPath + ".servicePrincipal.clientCertificatePassword", func(v []byte) { sp.ClientCertificatePassword = string(v) }
	case key == v1alpha1.ProtectedTLSPrivateKey && o != nil && o.TLSConfig != nil:
		return ociPath + ".tlsConfig.privateKey", func(v []byte) { o.TLSConfig.PrivateKey = base64.StdEncoding.EncodeToString(v) }
	}
	return "", nil
}

// inlinePath is the path of the inline ARM field of a protected key, when
// the object holding it exists.
func inlinePath(p *Properties, key string) (string, bool) {
	path, set := inline(p, key)
	return path, set != nil
}

package arm

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Git providers: ARM spells them capitalised, FluxConfig as Flux does.
var providers = map[string]string{"Azure": "azure", "GitHub": "github", "Generic": "generic"}

const (
	gitPath  = "properties.gitRepository"
	bktPath  = "properties.bucket"
	blobPath = "properties.azureBlob"
	ociPath  = "properties.ociRepository"
)

func (f *fromARM) git(g *GitRepository) *v1alpha1.GitRepositoryDefinition {
	if g == nil {
		return nil
	}
	out := &v1alpha1.GitRepositoryDefinition{
		URL:                 g.URL,
		SyncInterval:        f.seconds(gitPath+".syncIntervalInSeconds", g.SyncIntervalInSeconds),
		Timeout:             f.seconds(gitPath+".timeoutInSeconds", g.TimeoutInSeconds),
		SSHKnownHosts:       f.decode(gitPath+".sshKnownHosts", g.SSHKnownHosts),
		HTTPSUser:           g.HTTPSUser,
		HTTPSCACert:         f.decode(gitPath+".httpsCACert", g.HTTPSCACert),
		LocalAuthRef:        g.LocalAuthRef,
		ObjectLevelIdentity: identityFromARM(g.ObjectLevelIdentity),
		SparseCheckout:      g.SparseCheckout,
	}
	if a, ok := additionalFromARM(g.AdditionalConfigurations); ok {
		out.AdditionalConfigurations = &v1alpha1.GitRepositoryAdditionalConfigurations{AdditionalConfigurations: a}
	}
	if r := g.RepositoryRef; r != nil {
		out.RepositoryRef = v1alpha1.RepositoryRefDefinition{Branch: r.Branch, Tag: r.Tag, Semver: r.Semver, Commit: r.Commit}
	}
	if g.Provider != "" {
		p, ok := providers[g.Provider]
		if !ok {
			f.errs.addf(gitPath+".provider", "is %q: use Azure, GitHub or Generic", g.Provider)
		}
		out.Provider = p
	}
	return out
}

func (f *fromARM) bucket(b *Bucket) *v1alpha1.BucketDefinition {
	if b == nil {
		return nil
	}
	out := &v1alpha1.BucketDefinition{
		URL:                 b.URL,
		BucketName:          b.BucketName,
		Insecure:            f.bucketInsecure(b),
		SyncInterval:        f.seconds(bktPath+".syncIntervalInSeconds", b.SyncIntervalInSeconds),
		Timeout:             f.seconds(bktPath+".timeoutInSeconds", b.TimeoutInSeconds),
		AccessKey:           b.AccessKey,
		LocalAuthRef:        b.LocalAuthRef,
		ObjectLevelIdentity: identityFromARM(b.ObjectLevelIdentity),
	}
	if a, ok := additionalFromARM(b.AdditionalConfigurations); ok {
		out.AdditionalConfigurations = &v1alpha1.BucketAdditionalConfigurations{AdditionalConfigurations: a}
	}
	return out
}

// bucketInsecure: Azure documents insecure as true when it is absent;
// FluxConfig takes plain HTTP from the URL's scheme instead and refuses
// insecure with an https:// URL (Flux would send the request and the
// content in clear text to a TLS endpoint). An absent insecure is read
// from the scheme (Normalize does the same), an explicit true with
// https:// is refused.
func (f *fromARM) bucketInsecure(b *Bucket) bool {
	if b.Insecure == nil {
		return bucketPlainHTTP(b.URL)
	}
	if *b.Insecure && strings.HasPrefix(b.URL, "https://") {
		f.errs.addf(bktPath+".insecure", "is true with an https:// URL, which FluxConfig refuses (Flux would talk plain HTTP to a TLS endpoint): use an http:// URL for plain HTTP, or set insecure to false")
	}
	return *b.Insecure
}

// bucketPlainHTTP tells whether a bucket URL is plain HTTP.
func bucketPlainHTTP(url string) bool { return strings.HasPrefix(url, "http://") }

func (f *fromARM) azureBlob(a *AzureBlob) *v1alpha1.AzureBlobDefinition {
	if a == nil {
		return nil
	}
	out := &v1alpha1.AzureBlobDefinition{
		URL:                 a.URL,
		ContainerName:       a.ContainerName,
		SyncInterval:        f.seconds(blobPath+".syncIntervalInSeconds", a.SyncIntervalInSeconds),
		Timeout:             f.seconds(blobPath+".timeoutInSeconds", a.TimeoutInSeconds),
		LocalAuthRef:        a.LocalAuthRef,
		ObjectLevelIdentity: identityFromARM(a.ObjectLevelIdentity),
	}
	if add, ok := additionalFromARM(a.AdditionalConfigurations); ok {
		out.AdditionalConfigurations = &v1alpha1.AzureBlobAdditionalConfigurations{AdditionalConfigurations: add}
	}
	f.setProtected(v1alpha1.ProtectedAccountKey, blobPath+".accountKey", a.AccountKey, false)
	f.setProtected(v1alpha1.ProtectedSASToken, blobPath+".sasToken", a.SASToken, false)
	if sp := a.ServicePrincipal; sp != nil {
		out.ServicePrincipal = &v1alpha1.ServicePrincipalDefinition{
			ClientID: sp.ClientID, TenantID: sp.TenantID, ClientCertificateSendChain: isTrue(sp.ClientCertificateSendChain),
		}
		spPath := blobPath + ".servicePrincipal"
		f.setProtected(v1alpha1.ProtectedClientSecret, spPath+".clientSecret", sp.ClientSecret, false)
		f.setProtected(v1alpha1.ProtectedClientCertificate, spPath+".clientCertificate", sp.ClientCertificate, true)
		f.setProtected(v1alpha1.ProtectedClientCertificatePassword, spPath+".clientCertificatePassword", sp.ClientCertificatePassword, false)
	}
	if mi := a.ManagedIdentity; mi != nil {
		out.ManagedIdentity = &v1alpha1.ManagedIdentityDefinition{ClientID: mi.ClientID}
	}
	return out
}

func (f *fromARM) oci(o *OCIRepository, fc *v1alpha1.FluxConfig, opts Options) (*v1alpha1.OCIRepositoryDefinition, *corev1.Secret) {
	if o == nil {
		return nil, nil
	}
	out := &v1alpha1.OCIRepositoryDefinition{
		URL:                 o.URL,
		Insecure:            isTrue(o.Insecure),
		UseWorkloadIdentity: isTrue(o.UseWorkloadIdentity),
		ServiceAccountName:  o.ServiceAccountName,
		SyncInterval:        f.seconds(ociPath+".syncIntervalInSeconds", o.SyncIntervalInSeconds),
		Timeout:             f.seconds(ociPath+".timeoutInSeconds", o.TimeoutInSeconds),
		LocalAuthRef:        o.LocalAuthRef,
		ObjectLevelIdentity: identityFromARM(o.ObjectLevelIdentity),
	}
	if a, ok := additionalFromARM(o.AdditionalConfigurations); ok {
		out.AdditionalConfigurations = &v1alpha1.OCIRepositoryAdditionalConfigurations{AdditionalConfigurations: a}
	}
	if r := o.RepositoryRef; r != nil {
		out.RepositoryRef = &v1alpha1.OCIRepositoryRefDefinition{Tag: r.Tag, Semver: r.Semver, Digest: r.Digest}
	}
	if l := o.LayerSelector; l != nil {
		out.LayerSelector = &v1alpha1.LayerSelectorDefinition{MediaType: l.MediaType, Operation: l.Operation}
	}
	if t := o.TLSConfig; t != nil {
		out.TLSConfig = &v1alpha1.TLSConfigDefinition{
			ClientCertificate: f.decode(ociPath+".tlsConfig.clientCertificate", t.ClientCertificate),
			CACertificate:     f.decode(ociPath+".tlsConfig.caCertificate", t.CACertificate),
		}
		f.setProtected(v1alpha1.ProtectedTLSPrivateKey, ociPath+".tlsConfig.privateKey", t.PrivateKey, true)
	}
	var verification *corev1.Secret
	if v := o.Verify; v != nil {
		out.Verify = &v1alpha1.VerifyDefinition{Provider: v.Provider}
		for _, id := range v.MatchOIDCIdentity {
			out.Verify.MatchOIDCIdentity = append(out.Verify.MatchOIDCIdentity, v1alpha1.MatchOIDCIdentityDefinition(id))
		}
		if len(v.VerificationConfig) > 0 {
			data := map[string][]byte{}
			for k, val := range v.VerificationConfig {
				data[k] = []byte(val)
			}
			out.Verify.VerificationConfigRef = or(opts.VerificationSecretName, VerificationSecretName(fc.Name))
			verification = secret(fc, out.Verify.VerificationConfigRef, data)
		}
	}
	return out, verification
}

func (f *fromARM) kustomizations(ks Kustomizations) []v1alpha1.KustomizationDefinition {
	var out []v1alpha1.KustomizationDefinition
	for _, e := range ks {
		path := "properties.kustomizations." + e.Key
		k := e.Value
		if k == nil {
			f.errs.addf(path, "is null: give the kustomization's properties, or remove the key")
			continue
		}
		if k.Name != "" && k.Name != e.Key {
			f.errs.addf(path+".name", "is %q but the key is %q: they must be equal", k.Name, e.Key)
		}
		kd := v1alpha1.KustomizationDefinition{
			Name:          e.Key,
			Path:          k.Path,
			DependsOn:     k.DependsOn,
			SyncInterval:  f.seconds(path+".syncIntervalInSeconds", k.SyncIntervalInSeconds),
			RetryInterval: f.seconds(path+".retryIntervalInSeconds", k.RetryIntervalInSeconds),
			Timeout:       f.seconds(path+".timeoutInSeconds", k.TimeoutInSeconds),
			Prune:         isTrue(k.Prune),
			Force:         isTrue(k.Force),
			Wait:          k.Wait,
			PostBuild:     postBuildFromARM(k.PostBuild),
			KubeConfig:    f.kubeConfigFromARM(path+".kubeConfig", k.KubeConfig),
		}
		if a, ok := additionalFromARM(k.AdditionalConfigurations); ok {
			kd.AdditionalConfigurations = &v1alpha1.KustomizationAdditionalConfigurations{AdditionalConfigurations: a}
		}
		out = append(out, kd)
	}
	return out
}

func postBuildFromARM(pb *PostBuild) *v1alpha1.PostBuildDefinition {
	if pb == nil {
		return nil
	}
	out := &v1alpha1.PostBuildDefinition{Substitute: pb.Substitute}
	for _, s := range pb.SubstituteFrom {
		out.SubstituteFrom = append(out.SubstituteFrom, v1alpha1.SubstituteReferenceDefinition{
			Kind: s.Kind, Name: s.Name, Optional: isTrue(s.Optional),
		})
	}
	return out
}

// protectedSettings decodes configurationProtectedSettings (base64 values)
// into the protected parameters. A key that an inline ARM field carries
// must be given there when that field's object exists.
func (f *fromARM) protectedSettings(p *Properties) {
	keys := make([]string, 0, len(p.ConfigurationProtectedSettings))
	for k := range p.ConfigurationProtectedSettings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := "properties.configurationProtectedSettings." + k
		if inline, ok := inlinePath(p, k); ok {
			f.errs.addf(path, "give it as %s instead", inline)
			continue
		}
		f.setProtected(k, path, p.ConfigurationProtectedSettings[k], true)
	}
}

package builder

import (
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// DefaultInterval is the sync interval and timeout when the spec has none.
const DefaultInterval = 10 * time.Minute

// orDefaultInterval is d, or DefaultInterval when the spec has none.
func orDefaultInterval(d *metav1.Duration) metav1.Duration {
	if d == nil {
		return metav1.Duration{Duration: DefaultInterval}
	}
	return *d
}

func localRef(name string) *meta.LocalObjectReference {
	if name == "" {
		return nil
	}
	return &meta.LocalObjectReference{Name: name}
}

// FluxSourceKind is the Flux kind of the source for a FluxConfig: AzureBlob
// becomes a Bucket.
func FluxSourceKind(fc *v1alpha1.FluxConfig) string {
	switch fc.Spec.SourceKind {
	case v1alpha1.SourceKindBucket, v1alpha1.SourceKindAzureBlob:
		return sourcev1.BucketKind
	case v1alpha1.SourceKindOCIRepository:
		return sourcev1.OCIRepositoryKind
	default:
		return sourcev1.GitRepositoryKind
	}
}

// SourceURL is the URL of the configured source, for display.
func SourceURL(fc *v1alpha1.FluxConfig) string {
	s := fc.Spec
	switch {
	case s.GitRepository != nil:
		return s.GitRepository.URL
	case s.Bucket != nil:
		return s.Bucket.URL
	case s.AzureBlob != nil:
		return s.AzureBlob.URL
	case s.OCIRepository != nil:
		return s.OCIRepository.URL
	}
	return ""
}

func buildSource(fc *v1alpha1.FluxConfig, secretRef, tlsRef string) (client.Object, error) {
	s := fc.Spec
	switch s.SourceKind {
	case v1alpha1.SourceKindGitRepository, "":
		if s.GitRepository == nil {
			return nil, configErr("spec.gitRepository", "is required when spec.sourceKind is GitRepository")
		}
		return gitRepository(fc, secretRef), nil
	case v1alpha1.SourceKindBucket:
		if s.Bucket == nil {
			return nil, configErr("spec.bucket", "is required when spec.sourceKind is Bucket")
		}
		return bucket(fc, secretRef), nil
	case v1alpha1.SourceKindAzureBlob:
		if s.AzureBlob == nil {
			return nil, configErr("spec.azureBlob", "is required when spec.sourceKind is AzureBlob")
		}
		return azureBlob(fc, secretRef), nil
	case v1alpha1.SourceKindOCIRepository:
		if s.OCIRepository == nil {
			return nil, configErr("spec.ociRepository", "is required when spec.sourceKind is OCIRepository")
		}
		return ociRepository(fc, secretRef, tlsRef), nil
	}
	return nil, configErr("spec.sourceKind", "%q is not one of GitRepository, Bucket, AzureBlob, OCIRepository", s.SourceKind)
}

// FluxGitURL is the URL Flux accepts: the scp-like form git@host:path
// becomes ssh://git@host/path.
func FluxGitURL(url string) string {
	rest, ok := strings.CutPrefix(url, "git@")
	if !ok {
		return url
	}
	host, path, found := strings.Cut(rest, ":")
	if !found || strings.Contains(host, "/") {
		return "ssh://" + url
	}
	return "ssh://git@" + host + "/" + strings.TrimPrefix(path, "/")
}

func gitRepository(fc *v1alpha1.FluxConfig, secretRef string) *sourcev1.GitRepository {
	g := fc.Spec.GitRepository
	timeout := orDefaultInterval(g.Timeout)
	provider := ""
	if g.Provider != "" && g.Provider != "generic" {
		provider = g.Provider
	}
	return &sourcev1.GitRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
		ObjectMeta: fluxObjectMeta(fc, SourceName(fc)),
		Spec: sourcev1.GitRepositorySpec{
			URL: FluxGitURL(g.URL),
			Reference: &sourcev1.GitRepositoryRef{
				Branch: g.RepositoryRef.Branch,
				Tag:    g.RepositoryRef.Tag,
				SemVer: g.RepositoryRef.Semver,
				Commit: g.RepositoryRef.Commit,
			},
			SecretRef:      localRef(secretRef),
			Provider:       provider,
			Interval:       orDefaultInterval(g.SyncInterval),
			Timeout:        &timeout,
			Suspend:        fc.Spec.Suspend,
			SparseCheckout: g.SparseCheckout,
		},
	}
}

func bucket(fc *v1alpha1.FluxConfig, secretRef string) *sourcev1.Bucket {
	b := fc.Spec.Bucket
	timeout := orDefaultInterval(b.Timeout)
	endpoint, plain := strings.CutPrefix(b.URL, "http://")
	endpoint = strings.TrimSuffix(strings.TrimPrefix(endpoint, "https://"), "/")
	return &sourcev1.Bucket{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.BucketKind},
		ObjectMeta: fluxObjectMeta(fc, SourceName(fc)),
		Spec: sourcev1.BucketSpec{
			Provider:   sourcev1.BucketProviderGeneric,
			BucketName: b.BucketName,
			Endpoint:   endpoint,
			Insecure:   b.Insecure || plain,
			SecretRef:  localRef(secretRef),
			Interval:   orDefaultInterval(b.SyncInterval),
			Timeout:    &timeout,
			Suspend:    fc.Spec.Suspend,
		},
	}
}

func azureBlob(fc *v1alpha1.FluxConfig, secretRef string) *sourcev1.Bucket {
	a := fc.Spec.AzureBlob
	timeout := orDefaultInterval(a.Timeout)
	return &sourcev1.Bucket{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.BucketKind},
		ObjectMeta: fluxObjectMeta(fc, SourceName(fc)),
		Spec: sourcev1.BucketSpec{
			Provider:   sourcev1.BucketProviderAzure,
			BucketName: a.ContainerName,
			Endpoint:   a.URL,
			SecretRef:  localRef(secretRef),
			Interval:   orDefaultInterval(a.SyncInterval),
			Timeout:    &timeout,
			Suspend:    fc.Spec.Suspend,
		},
	}
}

func ociRepository(fc *v1alpha1.FluxConfig, secretRef, tlsRef string) *sourcev1.OCIRepository {
	o := fc.Spec.OCIRepository
	timeout := orDefaultInterval(o.Timeout)
	repo := &sourcev1.OCIRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.OCIRepositoryKind},
		ObjectMeta: fluxObjectMeta(fc, SourceName(fc)),
		Spec: sourcev1.OCIRepositorySpec{
			URL:                o.URL,
			SecretRef:          localRef(secretRef),
			CertSecretRef:      localRef(tlsRef),
			ServiceAccountName: o.ServiceAccountName,
			Insecure:           o.Insecure,
			Interval:           orDefaultInterval(o.SyncInterval),
			Timeout:            &timeout,
			Suspend:            fc.Spec.Suspend,
		},
	}
	if o.UseWorkloadIdentity {
		repo.Spec.Provider = sourcev1.AzureOCIProvider
	}
	if r := o.RepositoryRef; r != nil {
		// Flux resolves digest > semver > tag itself; the same precedence is
		// kept by passing only the strongest one.
		ref := &sourcev1.OCIRepositoryRef{}
		switch {
		case r.Digest != "":
			ref.Digest = r.Digest
		case r.Semver != "":
			ref.SemVer = r.Semver
		default:
			ref.Tag = r.Tag
		}
		repo.Spec.Reference = ref
	}
	if l := o.LayerSelector; l != nil {
		repo.Spec.LayerSelector = &sourcev1.OCILayerSelector{MediaType: l.MediaType, Operation: l.Operation}
	}
	if v := o.Verify; v != nil {
		ver := &sourcev1.OCIRepositoryVerification{Provider: v.Provider, SecretRef: localRef(v.VerificationConfigRef)}
		if ver.Provider == "" {
			ver.Provider = "cosign"
		}
		for _, id := range v.MatchOIDCIdentity {
			ver.MatchOIDCIdentity = append(ver.MatchOIDCIdentity, sourcev1.OIDCIdentityMatch{Issuer: id.Issuer, Subject: id.Subject})
		}
		repo.Spec.Verify = ver
	}
	return repo
}

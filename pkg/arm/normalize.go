package arm

import (
	"time"
)

// Normalize rewrites r in place into the one form of everything ARM reads
// alike, so that two documents can be compared: ARM's documented defaults
// are filled in (scope cluster, namespace default, sourceKind
// GitRepository, the booleans), a kustomization's read-only name is its
// key, empty lists and maps are absent, additionalConfigurations values
// are compact JSON, zero Helm counters are absent, and timestamps are UTC
// RFC 3339 to the second (what Kubernetes keeps). One default is read as
// FromARM reads it, not as Azure documents it: an absent bucket.insecure
// is true for an http:// URL only (see FromARM).
func Normalize(r *Resource) {
	r.Type = or(r.Type, ResourceType)
	if r.Properties == nil {
		r.Properties = &Properties{}
	}
	p := r.Properties
	p.Scope = or(p.Scope, "cluster")
	p.Namespace = or(p.Namespace, "default")
	p.SourceKind = or(p.SourceKind, "GitRepository")
	p.Suspend = withDefault(p.Suspend, false)
	if len(p.ConfigurationProtectedSettings) == 0 {
		p.ConfigurationProtectedSettings = nil
	}
	normalizeSources(p)
	for _, e := range p.Kustomizations {
		if e.Value != nil {
			e.Value.Name = or(e.Value.Name, e.Key)
			normalizeKustomization(e.Value)
		}
	}
	if len(p.Kustomizations) == 0 {
		p.Kustomizations = nil
	}
	normalizeStatus(p)
}

func normalizeSources(p *Properties) {
	if g := p.GitRepository; g != nil {
		if g.RepositoryRef != nil && *g.RepositoryRef == (RepositoryRef{}) {
			g.RepositoryRef = nil
		}
		if len(g.SparseCheckout) == 0 {
			g.SparseCheckout = nil
		}
		g.AdditionalConfigurations = nilIfEmpty(g.AdditionalConfigurations)
	}
	if b := p.Bucket; b != nil {
		// Read from the URL, as FromARM does (see bucketInsecure).
		b.Insecure = withDefault(b.Insecure, bucketPlainHTTP(b.URL))
		b.AdditionalConfigurations = nilIfEmpty(b.AdditionalConfigurations)
	}
	if a := p.AzureBlob; a != nil {
		if a.ServicePrincipal != nil {
			a.ServicePrincipal.ClientCertificateSendChain = withDefault(a.ServicePrincipal.ClientCertificateSendChain, false)
		}
		a.AdditionalConfigurations = nilIfEmpty(a.AdditionalConfigurations)
	}
	if o := p.OCIRepository; o != nil {
		o.Insecure = withDefault(o.Insecure, false)
		o.UseWorkloadIdentity = withDefault(o.UseWorkloadIdentity, false)
		if o.Verify != nil {
			if len(o.Verify.VerificationConfig) == 0 {
				o.Verify.VerificationConfig = nil
			}
			if len(o.Verify.MatchOIDCIdentity) == 0 {
				o.Verify.MatchOIDCIdentity = nil
			}
		}
		o.AdditionalConfigurations = nilIfEmpty(o.AdditionalConfigurations)
	}
}

func normalizeKustomization(k *Kustomization) {
	if len(k.DependsOn) == 0 {
		k.DependsOn = nil
	}
	k.Prune = withDefault(k.Prune, false)
	k.Force = withDefault(k.Force, false)
	k.Wait = withDefault(k.Wait, true)
	k.AdditionalConfigurations = nilIfEmpty(k.AdditionalConfigurations)
	if pb := k.PostBuild; pb != nil {
		if len(pb.Substitute) == 0 {
			pb.Substitute = nil
		}
		if len(pb.SubstituteFrom) == 0 {
			pb.SubstituteFrom = nil
		}
		for i := range pb.SubstituteFrom {
			pb.SubstituteFrom[i].Optional = withDefault(pb.SubstituteFrom[i].Optional, false)
		}
	}
}

func normalizeStatus(p *Properties) {
	p.SourceUpdatedAt = normalizeTime(p.SourceUpdatedAt)
	p.StatusUpdatedAt = normalizeTime(p.StatusUpdatedAt)
	if len(p.Statuses) == 0 {
		p.Statuses = nil
	}
	for i := range p.Statuses {
		s := &p.Statuses[i]
		if len(s.StatusConditions) == 0 {
			s.StatusConditions = nil
		}
		for j := range s.StatusConditions {
			c := &s.StatusConditions[j]
			c.LastTransitionTime = normalizeTime(c.LastTransitionTime)
		}
		if h := s.HelmReleaseProperties; h != nil {
			for _, n := range []**int64{&h.LastRevisionApplied, &h.FailureCount, &h.InstallFailureCount, &h.UpgradeFailureCount} {
				if *n != nil && **n == 0 {
					*n = nil
				}
			}
		}
	}
}

func normalizeTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func withDefault(b *bool, def bool) *bool {
	if b == nil {
		return &def
	}
	return b
}

// nilIfEmpty drops an empty additionalConfigurations and compacts the
// JSON of each value.
func nilIfEmpty(m Additional) Additional {
	if len(m) == 0 {
		return nil
	}
	for k, v := range m {
		m[k] = compact(v)
	}
	return m
}

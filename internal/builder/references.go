package builder

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// The schema refuses what these checks find, but a FluxConfig stored before
// a rule existed is read as it is: without them a reference the API server
// can never resolve, or a duration Flux's CRDs refuse, would be retried for
// ever instead of stalling with the field named.

// reference is one name of an object in the FluxConfig's namespace.
type reference struct {
	field, kind, name string
}

// references lists every object name the FluxConfig refers to.
func references(fc *v1alpha1.FluxConfig) []reference {
	s := fc.Spec
	var refs []reference
	add := func(field, kind, name string) {
		if name != "" {
			refs = append(refs, reference{field, kind, name})
		}
	}
	if r := s.ProtectedParametersSecretRef; r != nil {
		refs = append(refs, reference{"spec.protectedParametersSecretRef.name", "Secret", r.Name})
	}
	if g := s.GitRepository; g != nil {
		add("spec.gitRepository.localAuthRef", "Secret", g.LocalAuthRef)
	}
	if b := s.Bucket; b != nil {
		add("spec.bucket.localAuthRef", "Secret", b.LocalAuthRef)
	}
	if a := s.AzureBlob; a != nil {
		add("spec.azureBlob.localAuthRef", "Secret", a.LocalAuthRef)
	}
	if o := s.OCIRepository; o != nil {
		add("spec.ociRepository.localAuthRef", "Secret", o.LocalAuthRef)
		add("spec.ociRepository.serviceAccountName", "ServiceAccount", o.ServiceAccountName)
		if o.Verify != nil {
			add("spec.ociRepository.verify.verificationConfigRef", "Secret", o.Verify.VerificationConfigRef)
		}
	}
	for _, k := range s.Kustomizations {
		if k.PostBuild == nil {
			continue
		}
		for i, sf := range k.PostBuild.SubstituteFrom {
			refs = append(refs, reference{fmt.Sprintf("spec.kustomizations[%s].postBuild.substituteFrom[%d].name", k.Name, i), sf.Kind, sf.Name})
		}
	}
	return refs
}

// validateReferences: every name must be one the API server can look up in
// the FluxConfig's namespace.
func validateReferences(fc *v1alpha1.FluxConfig) error {
	for _, r := range references(fc) {
		if msgs := validation.IsDNS1123Subdomain(r.name); len(msgs) > 0 {
			return configErr(r.field, "%q is not the name of a %s in this namespace (%s); give the name alone, a DNS-1123 subdomain, without a namespace/ prefix",
				r.name, r.kind, strings.Join(msgs, "; "))
		}
	}
	return nil
}

// varName is what Flux accepts as a postBuild variable name.
var varName = regexp.MustCompile(`^[_a-zA-Z][_a-zA-Z0-9]*$`)

func validateSubstitutions(fc *v1alpha1.FluxConfig) error {
	for _, k := range fc.Spec.Kustomizations {
		if k.PostBuild == nil {
			continue
		}
		for name := range k.PostBuild.Substitute {
			if !varName.MatchString(name) {
				return configErr("spec.kustomizations["+k.Name+"].postBuild.substitute",
					"%q is not a variable name Flux accepts: start with a letter or '_', then only letters, digits and '_'", name)
			}
		}
	}
	return nil
}

// duration is one duration of the spec and the longest value Flux takes
// there (0: no limit).
type duration struct {
	field string
	value *metav1.Duration
	below time.Duration
}

// sourceTimeoutLimit: Flux's source CRDs refuse a timeout of an hour or
// more (their pattern has no h unit).
const sourceTimeoutLimit = time.Hour

func durations(fc *v1alpha1.FluxConfig) []duration {
	s := fc.Spec
	var ds []duration
	source := func(field string, interval, timeout *metav1.Duration) {
		ds = append(ds, duration{field + ".syncInterval", interval, 0}, duration{field + ".timeout", timeout, sourceTimeoutLimit})
	}
	switch {
	case s.GitRepository != nil:
		source("spec.gitRepository", s.GitRepository.SyncInterval, s.GitRepository.Timeout)
	case s.Bucket != nil:
		source("spec.bucket", s.Bucket.SyncInterval, s.Bucket.Timeout)
	case s.AzureBlob != nil:
		source("spec.azureBlob", s.AzureBlob.SyncInterval, s.AzureBlob.Timeout)
	case s.OCIRepository != nil:
		source("spec.ociRepository", s.OCIRepository.SyncInterval, s.OCIRepository.Timeout)
	}
	for _, k := range s.Kustomizations {
		f := "spec.kustomizations[" + k.Name + "]"
		ds = append(ds, duration{f + ".syncInterval", k.SyncInterval, 0}, duration{f + ".retryInterval", k.RetryInterval, 0}, duration{f + ".timeout", k.Timeout, 0})
	}
	return ds
}

// validateDurations: Flux takes a duration in ms, s, m and h (timeouts of
// sources without h), as Go writes it; below a millisecond Go writes µs or
// ns, and zero would mean no interval or no time at all.
func validateDurations(fc *v1alpha1.FluxConfig) error {
	for _, d := range durations(fc) {
		if d.value == nil {
			continue
		}
		v := d.value.Duration
		switch {
		case v < time.Millisecond:
			return configErr(d.field, "%s is under 1ms, which Flux cannot take; use at least 1ms, for example 1m", v)
		case d.below > 0 && v >= d.below:
			return configErr(d.field, "%s is not less than %s, the longest timeout Flux's sources accept; use for example 10m", v, d.below)
		}
	}
	return nil
}

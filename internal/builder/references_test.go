package builder_test

import (
	"testing"
	"time"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// TestValidateStalledInput: a FluxConfig stored before the schema refused
// these values comes back from Validate (which the controller runs before
// it reads anything the FluxConfig names) as a ConfigError on the field,
// so it stalls instead of being retried for ever.
func TestValidateStalledInput(t *testing.T) {
	git := func(mutate func(*v1alpha1.FluxConfigSpec)) v1alpha1.FluxConfigSpec {
		s := gitSpec("https://example.com/org/repo.git")
		mutate(&s)
		return s
	}
	oci := func(mutate func(*v1alpha1.OCIRepositoryDefinition)) v1alpha1.FluxConfigSpec {
		o := &v1alpha1.OCIRepositoryDefinition{URL: "oci://registry.example.com/configs"}
		mutate(o)
		return v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindOCIRepository, OCIRepository: o}
	}
	tests := []struct {
		name      string
		spec      v1alpha1.FluxConfigSpec
		wantField string
		want      string
	}{
		{"protected Secret in another namespace", git(func(s *v1alpha1.FluxConfigSpec) {
			s.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "other-ns/secret"}
		}), "spec.protectedParametersSecretRef.name", `"other-ns/secret" is not the name of a Secret in this namespace`},
		{"git localAuthRef with capitals", git(func(s *v1alpha1.FluxConfigSpec) { s.GitRepository.LocalAuthRef = "Creds" }),
			"spec.gitRepository.localAuthRef", "without a namespace/ prefix"},
		{"bucket localAuthRef with a slash", v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindBucket,
			Bucket: &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "b", LocalAuthRef: "ns/creds"}},
			"spec.bucket.localAuthRef", `"ns/creds"`},
		{"azureBlob localAuthRef with an underscore", v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindAzureBlob,
			AzureBlob: &v1alpha1.AzureBlobDefinition{URL: "https://a.blob.core.windows.net", ContainerName: "c", LocalAuthRef: "my_creds"}},
			"spec.azureBlob.localAuthRef", `"my_creds"`},
		{"oci serviceAccountName in another namespace", oci(func(o *v1alpha1.OCIRepositoryDefinition) { o.ServiceAccountName = "flux-system/puller" }),
			"spec.ociRepository.serviceAccountName", "ServiceAccount"},
		{"oci verificationConfigRef ending with a dot", oci(func(o *v1alpha1.OCIRepositoryDefinition) {
			o.Verify = &v1alpha1.VerifyDefinition{VerificationConfigRef: "keys."}
		}), "spec.ociRepository.verify.verificationConfigRef", `"keys."`},
		{"oci localAuthRef", oci(func(o *v1alpha1.OCIRepositoryDefinition) { o.LocalAuthRef = "a/b" }),
			"spec.ociRepository.localAuthRef", `"a/b"`},
		{"substituteFrom in another namespace", git(func(s *v1alpha1.FluxConfigSpec) {
			s.Kustomizations[0].PostBuild = &v1alpha1.PostBuildDefinition{SubstituteFrom: []v1alpha1.SubstituteReferenceDefinition{
				{Kind: "ConfigMap", Name: "vars"}, {Kind: "Secret", Name: "flux-system/vars"}}}
		}), "spec.kustomizations[apps].postBuild.substituteFrom[1].name", "Secret"},
		{"variable name with a dash", git(func(s *v1alpha1.FluxConfigSpec) {
			s.Kustomizations[0].PostBuild = &v1alpha1.PostBuildDefinition{Substitute: map[string]string{"cluster-name": "dev"}}
		}), "spec.kustomizations[apps].postBuild.substitute", `"cluster-name" is not a variable name Flux accepts`},
		{"git timeout of an hour", git(func(s *v1alpha1.FluxConfigSpec) { s.GitRepository.Timeout = dur(time.Hour) }),
			"spec.gitRepository.timeout", "1h0m0s is not less than 1h0m0s"},
		{"bucket timeout over an hour", v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindBucket,
			Bucket: &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "b", Timeout: dur(90 * time.Minute)}},
			"spec.bucket.timeout", "1h30m0s is not less than"},
		{"azureBlob timeout of an hour", v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindAzureBlob,
			AzureBlob: &v1alpha1.AzureBlobDefinition{URL: "https://a.blob.core.windows.net", ContainerName: "c", Timeout: dur(time.Hour)}},
			"spec.azureBlob.timeout", "not less than"},
		{"oci timeout of an hour", oci(func(o *v1alpha1.OCIRepositoryDefinition) { o.Timeout = dur(time.Hour) }),
			"spec.ociRepository.timeout", "not less than"},
		{"source interval under a millisecond", git(func(s *v1alpha1.FluxConfigSpec) { s.GitRepository.SyncInterval = dur(500 * time.Microsecond) }),
			"spec.gitRepository.syncInterval", "500µs is under 1ms"},
		{"zero retry interval", git(func(s *v1alpha1.FluxConfigSpec) { s.Kustomizations[0].RetryInterval = dur(0) }),
			"spec.kustomizations[apps].retryInterval", "0s is under 1ms"},
		{"kustomization timeout in nanoseconds", git(func(s *v1alpha1.FluxConfigSpec) { s.Kustomizations[0].Timeout = dur(1) }),
			"spec.kustomizations[apps].timeout", "1ns is under 1ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fc := fluxConfig(tc.spec)
			assertConfigError(t, builder.Validate(fc), tc.wantField, []string{tc.want})
			_, err := builder.Build(builder.Input{Config: fc}, builder.Options{})
			assertConfigError(t, err, tc.wantField, []string{tc.want})
		})
	}
}

// TestValidateAcceptsLimits: the values at the edge of every rule pass.
func TestValidateAcceptsLimits(t *testing.T) {
	s := gitSpec("https://example.com/org/repo.git")
	s.GitRepository.Timeout = dur(time.Hour - time.Nanosecond)
	s.GitRepository.SyncInterval = dur(time.Millisecond)
	s.GitRepository.LocalAuthRef = "creds.team-a"
	s.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "a"}
	s.Kustomizations[0].Timeout = dur(100 * time.Hour)
	s.Kustomizations[0].RetryInterval = dur(1500 * time.Microsecond)
	s.Kustomizations[0].PostBuild = &v1alpha1.PostBuildDefinition{
		Substitute:     map[string]string{"_x": "", "Cluster_Name2": "dev"},
		SubstituteFrom: []v1alpha1.SubstituteReferenceDefinition{{Kind: "ConfigMap", Name: "vars.v1"}},
	}
	if err := builder.Validate(fluxConfig(s)); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

package builder_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// Every value below is a fake test fixture.
const (
	testName      = "cfg"
	testNamespace = "team-a"
	testUID       = types.UID("00000000-0000-4000-8000-000000000001")

	fakeHTTPSKey      = "fake-https-token"
	fakeCACert        = "-----BEGIN CERTIFICATE-----\nFAKE-CA-CERT\n-----END CERTIFICATE-----\n"
	fakeBucketSecret  = "fake-bucket-secret-key"
	fakeClientSecret  = "fake-client-secret"
	fakeClientCert    = "-----BEGIN CERTIFICATE-----\nFAKE-CLIENT-CERT\n-----END CERTIFICATE-----\n"
	fakeTLSPrivateKey = "-----BEGIN PRIVATE KEY-----\nFAKE-TLS-KEY\n-----END PRIVATE KEY-----\n"
)

// fluxConfig returns a FluxConfig named cfg in team-a with a fixed UID.
func fluxConfig(spec v1alpha1.FluxConfigSpec) *v1alpha1.FluxConfig {
	return &v1alpha1.FluxConfig{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FluxConfig"},
		ObjectMeta: metav1.ObjectMeta{
			Name:       testName,
			Namespace:  testNamespace,
			UID:        testUID,
			Generation: 1,
		},
		Spec: spec,
	}
}

// gitSpec is a GitRepository spec on url with one kustomization "apps".
func gitSpec(url string) v1alpha1.FluxConfigSpec {
	return v1alpha1.FluxConfigSpec{
		Scope:      v1alpha1.ScopeCluster,
		SourceKind: v1alpha1.SourceKindGitRepository,
		GitRepository: &v1alpha1.GitRepositoryDefinition{
			URL:           url,
			RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
		},
		Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
	}
}

func withKustomizations(spec v1alpha1.FluxConfigSpec, ks ...v1alpha1.KustomizationDefinition) v1alpha1.FluxConfigSpec {
	spec.Kustomizations = ks
	return spec
}

func dur(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }

func boolPtr(b bool) *bool { return ptr.To(b) }

// fixtureKey is a fixed ed25519 key pair checked into testdata, so golden
// files do not change from run to run. It protects nothing.
func fixtureKey(t *testing.T) *builder.SSHKeyPair {
	t.Helper()
	priv, err := os.ReadFile(filepath.Join("testdata", "fixture_ed25519.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join("testdata", "fixture_ed25519.pub"))
	if err != nil {
		t.Fatal(err)
	}
	return &builder.SSHKeyPair{PrivateKey: priv, PublicKey: pub}
}

func mustBuild(t *testing.T, in builder.Input, opts builder.Options) *builder.Objects {
	t.Helper()
	objs, err := builder.Build(in, opts)
	if err != nil {
		t.Fatalf("Build: unexpected error: %v", err)
	}
	return objs
}

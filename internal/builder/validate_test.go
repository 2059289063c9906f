package builder_test

import (
	"encoding/pem"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

func ks(name string, dependsOn ...string) v1alpha1.KustomizationDefinition {
	return v1alpha1.KustomizationDefinition{Name: name, DependsOn: dependsOn}
}

// TestBuildConfigErrors: mistakes in the FluxConfig come back as a
// *builder.ConfigError that names the field to fix.
func TestBuildConfigErrors(t *testing.T) {
	validKey, _ := newEd25519PEM(t)
	// A real key with its middle cut out: ParsePrivateKey fails on it, and
	// no line of it may leak into the error.
	lines := strings.Split(strings.TrimSpace(string(validKey)), "\n")
	brokenKey := []byte(strings.Join([]string{lines[0], lines[1], lines[len(lines)-1]}, "\n"))
	garbageKey := []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key-ZmFrZS1rZXktbWF0ZXJpYWw=\n-----END OPENSSH PRIVATE KEY-----\n")

	https := func() v1alpha1.FluxConfigSpec { return gitSpec("https://example.com/org/repo.git") }
	sshURL := func() v1alpha1.FluxConfigSpec { return gitSpec("ssh://git@example.com/org/repo.git") }
	azureSP := func() v1alpha1.FluxConfigSpec {
		return v1alpha1.FluxConfigSpec{
			Scope: v1alpha1.ScopeCluster, SourceKind: v1alpha1.SourceKindAzureBlob,
			AzureBlob: &v1alpha1.AzureBlobDefinition{
				URL: "https://fake.blob.core.windows.net", ContainerName: "configs",
				ServicePrincipal: &v1alpha1.ServicePrincipalDefinition{ClientID: "fake-client", TenantID: "fake-tenant"},
			},
		}
	}

	tests := []struct {
		name      string
		spec      v1alpha1.FluxConfigSpec
		protected map[string][]byte
		opts      builder.Options
		wantField string
		// wantAnyOf: the message contains at least one of these.
		wantAnyOf []string
		// secret: bytes that must not appear in the message.
		secret [][]byte
	}{
		{
			name:      "dependsOn cycle",
			spec:      withKustomizations(https(), ks("a", "b"), ks("b", "c"), ks("c", "a")),
			wantField: "spec.kustomizations",
			wantAnyOf: []string{"a -> b -> c -> a", "b -> c -> a -> b", "c -> a -> b -> c"},
		},
		{
			name:      "self dependency",
			spec:      withKustomizations(https(), ks("a"), ks("b", "b")),
			wantField: "spec.kustomizations[b].dependsOn",
			wantAnyOf: []string{"cannot depend on itself"},
		},
		{
			name:      "unknown dependsOn",
			spec:      withKustomizations(https(), ks("a"), ks("b", "a", "missing")),
			wantField: "spec.kustomizations[b].dependsOn",
			wantAnyOf: []string{`"missing"`},
		},
		{
			name: "httpsUser without httpsKey",
			spec: func() v1alpha1.FluxConfigSpec {
				s := https()
				s.GitRepository.HTTPSUser = "fake-user"
				return s
			}(),
			wantField: "spec.gitRepository.httpsUser",
			wantAnyOf: []string{"httpsKey"},
		},
		{
			name:      "httpsKey without httpsUser",
			spec:      https(),
			protected: map[string][]byte{v1alpha1.ProtectedHTTPSKey: []byte(fakeHTTPSKey)},
			wantField: "spec.gitRepository.httpsUser",
			wantAnyOf: []string{"required"},
			secret:    [][]byte{[]byte(fakeHTTPSKey)},
		},
		{
			name:      "sshPrivateKey with an https URL",
			spec:      https(),
			protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: validKey},
			wantField: "spec.protectedParametersSecretRef",
			wantAnyOf: []string{"sshPrivateKey"},
			secret:    [][]byte{validKey},
		},
		{
			name:      "httpsKey with an ssh URL",
			spec:      sshURL(),
			protected: map[string][]byte{v1alpha1.ProtectedHTTPSKey: []byte(fakeHTTPSKey)},
			wantField: "spec.protectedParametersSecretRef",
			wantAnyOf: []string{"httpsKey"},
			secret:    [][]byte{[]byte(fakeHTTPSKey)},
		},
		{
			name:      "ssh URL with no key at all",
			spec:      sshURL(),
			wantField: "spec.gitRepository.url",
			wantAnyOf: []string{"needs a key"},
		},
		{
			name:      "invalid sshPrivateKey: garbage",
			spec:      sshURL(),
			protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: garbageKey},
			wantField: "spec.protectedParametersSecretRef",
			wantAnyOf: []string{"is not a PEM-encoded SSH private key"},
			secret:    [][]byte{garbageKey, []byte("not-a-key"), []byte("ZmFrZS1rZXktbWF0ZXJpYWw")},
		},
		{
			name:      "invalid sshPrivateKey: truncated real key",
			spec:      sshURL(),
			protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: brokenKey},
			wantField: "spec.protectedParametersSecretRef",
			wantAnyOf: []string{"is not a PEM-encoded SSH private key"},
			secret:    linesOf(validKey),
		},
		{
			name:      "sshPrivateKey with a passphrase",
			spec:      sshURL(),
			protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: passphraseKey(t)},
			wantField: "spec.protectedParametersSecretRef",
			wantAnyOf: []string{"passphrase"},
		},
		{
			name: "bucket accessKey without bucketSecretKey",
			spec: v1alpha1.FluxConfigSpec{
				Scope: v1alpha1.ScopeCluster, SourceKind: v1alpha1.SourceKindBucket,
				Bucket: &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "configs", AccessKey: "fake-access-key-id"},
			},
			wantField: "spec.bucket.accessKey",
			wantAnyOf: []string{"bucketSecretKey"},
		},
		{
			name:      "azure servicePrincipal with neither clientSecret nor clientCertificate",
			spec:      azureSP(),
			wantField: "spec.azureBlob.servicePrincipal",
			wantAnyOf: []string{"clientSecret or clientCertificate"},
		},
		{
			name: "azure servicePrincipal with both clientSecret and clientCertificate",
			spec: azureSP(),
			protected: map[string][]byte{
				v1alpha1.ProtectedClientSecret:      []byte(fakeClientSecret),
				v1alpha1.ProtectedClientCertificate: []byte(fakeClientCert),
			},
			wantField: "spec.protectedParametersSecretRef",
			wantAnyOf: []string{"both clientSecret and clientCertificate"},
			secret:    [][]byte{[]byte(fakeClientSecret), []byte("FAKE-CLIENT-CERT")},
		},
		{
			name:      "scope cluster in a namespace not allowed",
			spec:      https(),
			opts:      builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"cluster-config"}},
			wantField: "spec.scope",
			wantAnyOf: []string{"--cluster-scope-namespaces"},
		},
		{
			name: "defaulted (empty) scope counts as cluster",
			spec: func() v1alpha1.FluxConfigSpec {
				s := https()
				s.Scope = ""
				return s
			}(),
			opts:      builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"cluster-config"}},
			wantField: "spec.scope",
			wantAnyOf: []string{"--cluster-scope-namespaces"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := builder.Build(builder.Input{Config: fluxConfig(tc.spec), Protected: tc.protected}, tc.opts)
			assertConfigError(t, err, tc.wantField, tc.wantAnyOf, tc.secret...)
		})
	}
}

// assertConfigError: err is a *builder.ConfigError on wantField, its
// message starts with the field and holds one of wantAnyOf, and none of the
// secret bytes.
func assertConfigError(t *testing.T, err error, wantField string, wantAnyOf []string, secret ...[]byte) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want a ConfigError on %s", wantField)
	}
	var ce *builder.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %q is not a *builder.ConfigError", err, err)
	}
	if ce.Field != wantField {
		t.Errorf("Field = %q, want %q (error: %s)", ce.Field, wantField, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, wantField+": ") {
		t.Errorf("error %q does not start with the field name", msg)
	}
	if !containsAny(msg, wantAnyOf) {
		t.Errorf("error %q contains none of %q", msg, wantAnyOf)
	}
	for _, s := range secret {
		if len(s) > 0 && strings.Contains(msg, string(s)) {
			t.Errorf("error message leaks protected data %q", s)
		}
	}
}

// TestBuildAcceptsValidConfigs is the other side of the error table: the
// boundary cases that must not fail.
func TestBuildAcceptsValidConfigs(t *testing.T) {
	tests := []struct {
		name string
		spec v1alpha1.FluxConfigSpec
		opts builder.Options
	}{
		{name: "diamond dependsOn", spec: withKustomizations(gitSpec("https://example.com/r.git"),
			ks("base"), ks("left", "base"), ks("right", "base"), ks("top", "left", "right"))},
		{name: "scope cluster anywhere without multi-tenancy", spec: gitSpec("https://example.com/r.git"),
			opts: builder.Options{ClusterScopeNamespaces: []string{"cluster-config"}}},
		{name: "scope namespace is allowed anywhere", spec: func() v1alpha1.FluxConfigSpec {
			s := gitSpec("https://example.com/r.git")
			s.Scope = v1alpha1.ScopeNamespace
			return s
		}(), opts: builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"cluster-config"}}},
		{name: "public https repository needs no auth Secret", spec: gitSpec("https://example.com/r.git")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := builder.Build(builder.Input{Config: fluxConfig(tc.spec)}, tc.opts); err != nil {
				t.Errorf("Build: unexpected error: %v", err)
			}
		})
	}
}

func TestFindCycle(t *testing.T) {
	tests := []struct {
		name string
		ks   []v1alpha1.KustomizationDefinition
		want []string
	}{
		{name: "empty", ks: nil, want: nil},
		{name: "no dependencies", ks: []v1alpha1.KustomizationDefinition{ks("a"), ks("b")}, want: nil},
		{name: "simple two-node cycle", ks: []v1alpha1.KustomizationDefinition{ks("a", "b"), ks("b", "a")},
			want: []string{"a", "b", "a"}},
		{name: "three-node cycle", ks: []v1alpha1.KustomizationDefinition{ks("a", "b"), ks("b", "c"), ks("c", "a")},
			want: []string{"a", "b", "c", "a"}},
		{name: "long chain without a cycle", ks: []v1alpha1.KustomizationDefinition{
			ks("e", "d"), ks("d", "c"), ks("c", "b"), ks("b", "a"), ks("a")}, want: nil},
		{name: "diamond is not a cycle", ks: []v1alpha1.KustomizationDefinition{
			ks("top", "left", "right"), ks("left", "base"), ks("right", "base"), ks("base")}, want: nil},
		{name: "two components, the second with a cycle", ks: []v1alpha1.KustomizationDefinition{
			ks("x"), ks("y", "x"), ks("p", "q"), ks("q", "r"), ks("r", "q")}, want: []string{"q", "r", "q"}},
		{name: "unknown dependencies are not followed", ks: []v1alpha1.KustomizationDefinition{
			ks("a", "ghost"), ks("b", "a")}, want: nil},
		{name: "self-loop", ks: []v1alpha1.KustomizationDefinition{ks("a", "a")}, want: []string{"a", "a"}},
		{name: "cycle found after a finished branch names only the cycle", ks: []v1alpha1.KustomizationDefinition{
			ks("b", "x", "c"), ks("x"), ks("c", "b")}, want: []string{"b", "c", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := builder.FindCycle(tc.ks); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FindCycle = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFindCycleDenseGraph: 50 kustomizations (the schema's maximum), each
// depending on all the previous ones, have 2^48 dependency paths; a search
// that walks them all never returns. Each must be visited once.
func TestFindCycleDenseGraph(t *testing.T) {
	var defs []v1alpha1.KustomizationDefinition
	for i := range 50 {
		d := ks(fmt.Sprintf("k%02d", i))
		for j := range i {
			d.DependsOn = append(d.DependsOn, fmt.Sprintf("k%02d", j))
		}
		defs = append(defs, d)
	}
	// Visit the most dependent first, so the search starts at the top.
	slices.Reverse(defs)

	done := make(chan []string, 1)
	go func() { done <- builder.FindCycle(defs) }()
	select {
	case c := <-done:
		if c != nil {
			t.Errorf("FindCycle = %q, want no cycle", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("FindCycle did not return within 5s on a 50-node dense DAG")
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// linesOf returns the non-trivial lines of a PEM block, the base64 body.
func linesOf(b []byte) [][]byte {
	var out [][]byte
	for _, l := range strings.Split(string(b), "\n") {
		if len(l) > 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, []byte(l))
		}
	}
	return out
}

func passphraseKey(t *testing.T) []byte {
	t.Helper()
	// Any valid key works; the fixture is reused to avoid a second keygen.
	raw, err := ssh.ParseRawPrivateKey(fixtureKey(t).PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(raw, "", []byte("fake-passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

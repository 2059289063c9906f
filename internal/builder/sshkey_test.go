package builder_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// newEd25519PEM makes a fresh OpenSSH PEM private key and its
// authorized_keys line.
func newEd25519PEM(t *testing.T) (priv, pub []byte) {
	t.Helper()
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(sk, "test")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), ssh.MarshalAuthorizedKey(sshPub)
}

// TestGenerateSSHKeyPair: every algorithm gives a key pair in the formats
// Flux reads (an OpenSSH private key, an authorized_keys line), RSA by
// default (Azure DevOps accepts only RSA), of the documented size.
func TestGenerateSSHKeyPair(t *testing.T) {
	for _, tc := range []struct {
		algorithm, wantType string
	}{
		{"", ssh.KeyAlgoRSA},
		{builder.KeyAlgorithmRSA, ssh.KeyAlgoRSA},
		{builder.KeyAlgorithmECDSA, ssh.KeyAlgoECDSA256},
		{builder.KeyAlgorithmEd25519, ssh.KeyAlgoED25519},
	} {
		t.Run(tc.algorithm, func(t *testing.T) {
			kp, err := builder.GenerateSSHKeyPair(tc.algorithm)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(kp.PrivateKey, []byte("BEGIN OPENSSH PRIVATE KEY")) {
				t.Errorf("private key is not in OpenSSH's format")
			}
			raw, err := ssh.ParseRawPrivateKey(kp.PrivateKey)
			if err != nil {
				t.Fatalf("generated private key does not parse: %v", err)
			}
			signer, err := ssh.NewSignerFromKey(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := ssh.MarshalAuthorizedKey(signer.PublicKey()); !bytes.Equal(got, kp.PublicKey) {
				t.Errorf("PublicKey = %q, want the private key's public half %q", kp.PublicKey, got)
			}
			if typ := signer.PublicKey().Type(); typ != tc.wantType {
				t.Errorf("key type %s, want %s", typ, tc.wantType)
			}
			if k, ok := raw.(*rsa.PrivateKey); ok && k.N.BitLen() != builder.RSAKeyBits {
				t.Errorf("RSA key of %d bits, want %d", k.N.BitLen(), builder.RSAKeyBits)
			}
		})
	}
	a, errA := builder.GenerateSSHKeyPair(builder.KeyAlgorithmEd25519)
	b, errB := builder.GenerateSSHKeyPair(builder.KeyAlgorithmEd25519)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if bytes.Equal(a.PrivateKey, b.PrivateKey) {
		t.Error("two calls returned the same private key")
	}
	if _, err := builder.GenerateSSHKeyPair("dsa"); err == nil || !strings.Contains(err.Error(), "rsa, ecdsa, ed25519") {
		t.Errorf("an unknown algorithm: error %v, want one that lists the algorithms", err)
	}
}

func TestNeedsGeneratedKey(t *testing.T) {
	key, _ := newEd25519PEM(t)
	tests := []struct {
		name      string
		spec      func() v1alpha1.FluxConfigSpec
		protected map[string][]byte
		want      bool
	}{
		{name: "ssh:// URL without a key", spec: func() v1alpha1.FluxConfigSpec { return gitSpec("ssh://git@example.com/org/repo.git") }, want: true},
		{name: "git@ URL without a key", spec: func() v1alpha1.FluxConfigSpec { return gitSpec("git@example.com:org/repo.git") }, want: true},
		{name: "ssh URL with an empty sshPrivateKey", spec: func() v1alpha1.FluxConfigSpec { return gitSpec("ssh://git@example.com/org/repo.git") },
			protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: {}}, want: true},
		{name: "ssh URL with sshPrivateKey", spec: func() v1alpha1.FluxConfigSpec { return gitSpec("ssh://git@example.com/org/repo.git") },
			protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: key}, want: false},
		{name: "ssh URL with localAuthRef", spec: func() v1alpha1.FluxConfigSpec {
			s := gitSpec("ssh://git@example.com/org/repo.git")
			s.GitRepository.LocalAuthRef = "my-key"
			return s
		}, want: false},
		{name: "https URL", spec: func() v1alpha1.FluxConfigSpec { return gitSpec("https://example.com/org/repo.git") }, want: false},
		{name: "not a Git source", spec: func() v1alpha1.FluxConfigSpec {
			return v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindBucket,
				Bucket: &v1alpha1.BucketDefinition{URL: "https://s3.example.com", BucketName: "configs"}}
		}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := builder.NeedsGeneratedKey(fluxConfig(tc.spec()), tc.protected); got != tc.want {
				t.Errorf("NeedsGeneratedKey = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSSHAuthSecret: the auth Secret holds the key Flux needs and the public
// key is published only when it is the controller's generated key.
func TestSSHAuthSecret(t *testing.T) {
	provided, providedPub := newEd25519PEM(t)
	generated := fixtureKey(t)
	tests := []struct {
		name          string
		in            builder.Input
		wantIdentity  []byte
		wantPub       []byte
		wantPublished string
		wantAnnotated bool
	}{
		{
			name: "provided key: public half derived, not published",
			in: builder.Input{
				Config:    fluxConfig(gitSpec("ssh://git@example.com/org/repo.git")),
				Protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: provided},
			},
			wantIdentity: provided,
			wantPub:      providedPub,
		},
		{
			name: "provided key wins over a generated one",
			in: builder.Input{
				Config:       fluxConfig(gitSpec("ssh://git@example.com/org/repo.git")),
				Protected:    map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: provided},
				GeneratedKey: generated,
			},
			wantIdentity: provided,
			wantPub:      providedPub,
		},
		{
			name:          "generated key: published and annotated",
			in:            builder.Input{Config: fluxConfig(gitSpec("git@example.com:org/repo.git")), GeneratedKey: generated},
			wantIdentity:  generated.PrivateKey,
			wantPub:       generated.PublicKey,
			wantPublished: strings.TrimSpace(string(generated.PublicKey)),
			wantAnnotated: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs := mustBuild(t, tc.in, builder.Options{})
			s := objs.AuthSecret
			if s == nil {
				t.Fatal("no auth Secret")
			}
			if s.Name != "cfg-auth" {
				t.Errorf("auth Secret name %q, want cfg-auth", s.Name)
			}
			if !bytes.Equal(s.Data["identity"], tc.wantIdentity) {
				t.Error("identity is not the expected private key")
			}
			if !bytes.Equal(s.Data["identity.pub"], tc.wantPub) {
				t.Errorf("identity.pub = %q, want %q", s.Data["identity.pub"], tc.wantPub)
			}
			if objs.RepositoryPublicKey != tc.wantPublished {
				t.Errorf("RepositoryPublicKey = %q, want %q", objs.RepositoryPublicKey, tc.wantPublished)
			}
			if got := s.Annotations[builder.GeneratedKeyAnnotation] == "true"; got != tc.wantAnnotated {
				t.Errorf("generated-key annotation present = %v, want %v", got, tc.wantAnnotated)
			}
		})
	}
}

func TestFluxGitURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "https unchanged", in: "https://example.com/org/repo.git", want: "https://example.com/org/repo.git"},
		{name: "ssh unchanged", in: "ssh://git@example.com/org/repo.git", want: "ssh://git@example.com/org/repo.git"},
		{name: "scp-like becomes ssh://", in: "git@github.com:org/repo.git", want: "ssh://git@github.com/org/repo.git"},
		{name: "scp-like with absolute path", in: "git@example.com:/srv/repo.git", want: "ssh://git@example.com/srv/repo.git"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := builder.FluxGitURL(tc.in); got != tc.want {
				t.Errorf("FluxGitURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

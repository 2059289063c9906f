package builder_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.yaml from the current output of Build")

type goldenCase struct {
	name string
	in   func(t *testing.T) builder.Input
	opts builder.Options
}

var multiTenantEverywhere = builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"*"}}

func goldenCases() []goldenCase {
	return append(azurePreviewGoldenCases(), []goldenCase{
		{
			name: "git-https-user-key-cacert",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec.GitRepository.HTTPSUser = "fake-user"
				spec.GitRepository.HTTPSCACert = fakeCACert
				spec.GitRepository.SyncInterval = dur(time.Minute)
				spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "cfg-protected"}
				spec = withKustomizations(spec,
					v1alpha1.KustomizationDefinition{Name: "infra", Path: "./infra", Prune: true},
					v1alpha1.KustomizationDefinition{
						Name: "apps", Path: "./apps", DependsOn: []string{"infra"},
						SyncInterval: dur(5 * time.Minute), RetryInterval: dur(time.Minute), Timeout: dur(2 * time.Minute),
						Force: true, Wait: boolPtr(false),
						PostBuild: &v1alpha1.PostBuildDefinition{
							Substitute:     map[string]string{"cluster": "dev", "region": "westeurope"},
							SubstituteFrom: []v1alpha1.SubstituteReferenceDefinition{{Kind: "ConfigMap", Name: "vars", Optional: true}},
						},
					})
				return builder.Input{
					Config:    fluxConfig(spec),
					Protected: map[string][]byte{v1alpha1.ProtectedHTTPSKey: []byte(fakeHTTPSKey)},
				}
			},
		},
		{
			name: "git-ssh-provided-key",
			in: func(t *testing.T) builder.Input {
				t.Helper()
				spec := gitSpec("ssh://git@example.com/org/repo.git")
				spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Semver: ">=1.0.0"}
				spec.GitRepository.SSHKnownHosts = "example.com ssh-ed25519 AAAAFAKEHOSTKEY"
				return builder.Input{
					Config:    fluxConfig(spec),
					Protected: map[string][]byte{v1alpha1.ProtectedSSHPrivateKey: fixtureKey(t).PrivateKey},
				}
			},
		},
		{
			name: "git-ssh-generated-key",
			in: func(t *testing.T) builder.Input {
				t.Helper()
				spec := gitSpec("git@example.com:org/repo.git")
				spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Commit: "0123456789abcdef0123456789abcdef01234567"}
				return builder.Input{Config: fluxConfig(spec), GeneratedKey: fixtureKey(t)}
			},
		},
		{
			// Azure's commit with branch: Flux clones only the branch and
			// checks out the commit, which must be on it. Dotted names, as
			// the Azure CLI allows them, make dotted child names.
			name: "git-commit-with-branch-dotted-names",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Branch: "release/1.x", Commit: "0123456789abcdef0123456789abcdef01234567"}
				spec = withKustomizations(spec,
					v1alpha1.KustomizationDefinition{Name: "infra.base", Path: "./infra"},
					v1alpha1.KustomizationDefinition{Name: "apps.web", Path: "./apps", DependsOn: []string{"infra.base"}})
				fc := fluxConfig(spec)
				fc.Name = "platform.cfg"
				return builder.Input{Config: fc}
			},
			opts: multiTenantEverywhere,
		},
		{
			name: "git-local-auth-ref",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec.GitRepository.RepositoryRef = v1alpha1.RepositoryRefDefinition{Tag: "v1.2.3"}
				spec.GitRepository.LocalAuthRef = "my-git-credentials"
				spec.GitRepository.Provider = "azure"
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
		{
			name: "bucket-access-key",
			in: func(*testing.T) builder.Input {
				spec := v1alpha1.FluxConfigSpec{
					Scope:      v1alpha1.ScopeCluster,
					SourceKind: v1alpha1.SourceKindBucket,
					Bucket: &v1alpha1.BucketDefinition{
						URL:        "http://minio.example.com:9000/",
						BucketName: "configs",
						AccessKey:  "fake-access-key-id",
						Timeout:    dur(30 * time.Second),
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{
					Config:    fluxConfig(spec),
					Protected: map[string][]byte{v1alpha1.ProtectedBucketSecretKey: []byte(fakeBucketSecret)},
				}
			},
		},
		{
			name: "azureblob-service-principal-secret",
			in: func(*testing.T) builder.Input {
				spec := v1alpha1.FluxConfigSpec{
					Scope:      v1alpha1.ScopeCluster,
					SourceKind: v1alpha1.SourceKindAzureBlob,
					AzureBlob: &v1alpha1.AzureBlobDefinition{
						URL:           "https://fakeaccount.blob.core.windows.net",
						ContainerName: "configs",
						ServicePrincipal: &v1alpha1.ServicePrincipalDefinition{
							ClientID: "00000000-0000-0000-0000-00000000c11e",
							TenantID: "00000000-0000-0000-0000-0000000007e1",
						},
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{
					Config:    fluxConfig(spec),
					Protected: map[string][]byte{v1alpha1.ProtectedClientSecret: []byte(fakeClientSecret)},
				}
			},
		},
		{
			name: "azureblob-managed-identity",
			in: func(*testing.T) builder.Input {
				spec := v1alpha1.FluxConfigSpec{
					Scope:      v1alpha1.ScopeCluster,
					SourceKind: v1alpha1.SourceKindAzureBlob,
					AzureBlob: &v1alpha1.AzureBlobDefinition{
						URL:             "https://fakeaccount.blob.core.windows.net",
						ContainerName:   "configs",
						ManagedIdentity: &v1alpha1.ManagedIdentityDefinition{ClientID: "00000000-0000-0000-0000-0000000000a1"},
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
		{
			name: "oci-digest-wins-tlsconfig",
			in: func(*testing.T) builder.Input {
				spec := v1alpha1.FluxConfigSpec{
					Scope:      v1alpha1.ScopeCluster,
					SourceKind: v1alpha1.SourceKindOCIRepository,
					OCIRepository: &v1alpha1.OCIRepositoryDefinition{
						URL: "oci://registry.example.com/org/configs",
						RepositoryRef: &v1alpha1.OCIRepositoryRefDefinition{
							Tag:    "latest",
							Semver: ">=1.0.0",
							Digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
						},
						LayerSelector: &v1alpha1.LayerSelectorDefinition{MediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", Operation: "extract"},
						Verify: &v1alpha1.VerifyDefinition{
							VerificationConfigRef: "cosign-keys",
							MatchOIDCIdentity:     []v1alpha1.MatchOIDCIdentityDefinition{{Issuer: "^https://token.actions.githubusercontent.com$", Subject: "^https://github.com/org/.*$"}},
						},
						UseWorkloadIdentity: true,
						ServiceAccountName:  "oci-puller",
						LocalAuthRef:        "registry-credentials",
						TLSConfig: &v1alpha1.TLSConfigDefinition{
							ClientCertificate: fakeClientCert,
							CACertificate:     fakeCACert,
						},
					},
					Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps", Path: "./apps"}},
				}
				return builder.Input{
					Config:    fluxConfig(spec),
					Protected: map[string][]byte{v1alpha1.ProtectedTLSPrivateKey: []byte(fakeTLSPrivateKey)},
				}
			},
		},
		{
			name: "multitenancy-scope-namespace",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec.Scope = v1alpha1.ScopeNamespace
				return builder.Input{Config: fluxConfig(spec)}
			},
			opts: multiTenantEverywhere,
		},
		{
			name: "multitenancy-scope-cluster",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				return builder.Input{Config: fluxConfig(spec)}
			},
			opts: multiTenantEverywhere,
		},
		{
			name: "no-multitenancy-scope-namespace",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec.Scope = v1alpha1.ScopeNamespace
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
		{
			name: "suspended",
			in: func(*testing.T) builder.Input {
				spec := gitSpec("https://example.com/org/repo.git")
				spec.Suspend = true
				spec = withKustomizations(spec,
					v1alpha1.KustomizationDefinition{Name: "infra", Path: "./infra"},
					v1alpha1.KustomizationDefinition{Name: "apps", Path: "./apps", DependsOn: []string{"infra"}})
				return builder.Input{Config: fluxConfig(spec)}
			},
		},
	}...)
}

// TestBuildGolden renders Build's objects, in apply order, as YAML and
// compares them with testdata/<case>.golden.yaml. Run
// `go test ./internal/builder -update` to rewrite the files after an
// intended change, and review the diff.
func TestBuildGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			objs := mustBuild(t, tc.in(t), tc.opts)
			got := renderYAML(t, objs)
			path := filepath.Join("testdata", tc.name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run `go test ./internal/builder -update` to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Build output differs from %s (run `go test ./internal/builder -update` if the change is intended):\n%s",
					path, lineDiff(string(want), string(got)))
			}
		})
	}
}

// TestGoldenFilesHaveCases catches golden files left behind by a renamed or
// removed case.
func TestGoldenFilesHaveCases(t *testing.T) {
	known := map[string]bool{}
	for _, tc := range goldenCases() {
		if known[tc.name] {
			t.Errorf("duplicate golden case name %q", tc.name)
		}
		known[tc.name] = true
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".golden.yaml")
		if !known[name] {
			t.Errorf("%s has no case in goldenCases; delete it or add the case", f)
		}
	}
}

func renderYAML(t *testing.T, objs *builder.Objects) []byte {
	t.Helper()
	var buf bytes.Buffer
	for i, o := range objs.All() {
		b, err := yaml.Marshal(o)
		if err != nil {
			t.Fatalf("marshaling %T: %v", o, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	return buf.Bytes()
}

// lineDiff lists the lines that differ, with their line numbers.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  - %s\n  + %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

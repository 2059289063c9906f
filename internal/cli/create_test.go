package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// The tutorial's command line (docs: "Flux の構成を適用"), as a user pastes
// it after replacing "az k8s-configuration flux create" with
// "fluxconfig create".
const tutorialCommand = `-g flux-demo-rg \
-c flux-demo-arc \
-n cluster-config \
--namespace cluster-config \
-t connectedClusters \
--scope cluster \
-u https://github.com/Azure/gitops-flux2-kustomize-helm-mt \
--branch main  \
--kustomization name=infra path=./infrastructure prune=true \
--kustomization name=apps path=./apps/staging prune=true dependsOn=\["infra"\]`

// shellWords splits a command line the way the user's shell does.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "sh", "-c", "set -- "+line+"\nprintf '%s\\0' \"$@\"").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// withDefaults applies the CRD defaults the API server would.
func withDefaults(fc *v1alpha1.FluxConfig) *v1alpha1.FluxConfig {
	fc = fc.DeepCopy()
	ten := &metav1.Duration{Duration: 10 * time.Minute}
	fc.Spec.Scope = or(fc.Spec.Scope, v1alpha1.ScopeCluster)
	fc.Spec.SourceKind = or(fc.Spec.SourceKind, v1alpha1.SourceKindGitRepository)
	if g := fc.Spec.GitRepository; g != nil {
		if g.SyncInterval == nil {
			g.SyncInterval = ten
		}
		if g.Timeout == nil {
			g.Timeout = ten
		}
	}
	for i := range fc.Spec.Kustomizations {
		k := &fc.Spec.Kustomizations[i]
		if k.SyncInterval == nil {
			k.SyncInterval = ten
		}
		if k.Timeout == nil {
			k.Timeout = ten
		}
		if k.Wait == nil {
			k.Wait = new(true)
		}
	}
	return fc
}

func TestCreateTutorialCommandGivesTheTutorialsFluxConfig(t *testing.T) {
	args := append([]string{"create"}, shellWords(t, tutorialCommand)...)
	out, errOut, code := run(t, "", args...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m, err := decodeManifests([]byte(out), "create output")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.one("create output")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.secrets) != 0 {
		t.Errorf("a public repository needs no Secret, got %d", len(m.secrets))
	}
	data, err := os.ReadFile("../../config/samples/clusterconfig_v1alpha1_fluxconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	samples, err := decodeManifests(data, "config/samples")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := samples.one("config/samples")
	if !equality.Semantic.DeepEqual(withDefaults(got), withDefaults(want)) {
		t.Errorf("create printed:\n%s\nwant the tutorial's FluxConfig (config/samples)", out)
	}
	golden(t, "create-tutorial.golden.yaml", out)
}

// dependsOn arrives however the shell left the az quoting.
func TestParseDependsOn(t *testing.T) {
	tests := []struct {
		shell string
		want  []string
	}{
		{`dependsOn=\["infra"\]`, []string{"infra"}},       // the tutorial, in bash
		{`'dependsOn=["a","b"]'`, []string{"a", "b"}},      // single-quoted JSON
		{`dependsOn='["a", "b"]'`, []string{"a", "b"}},     // quoted value with spaces
		{`dependsOn=[a,b]`, []string{"a", "b"}},            // unquoted brackets
		{`dependsOn=a,b`, []string{"a", "b"}},              // a plain list
		{`dependsOn=a`, []string{"a"}},                     // one name
		{`depends_on="[\"a\"]"`, []string{"a"}},            // escaped JSON, snake_case key
		{`dependencies=[]`, nil},                           // none
		{`dependsOn=" a , 'b' "`, []string{"a", "b"}},      // stray spaces and quotes
		{`dependsOn='["a","b"]'x`, []string{"a", "b\"]x"}}, // garbage stays visible
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			words := shellWords(t, tt.shell)
			k, err := parseKustomization("name=apps" + groupSep + strings.Join(words, groupSep))
			if err != nil {
				t.Fatal(err)
			}
			if !equality.Semantic.DeepEqual(k.DependsOn, tt.want) {
				t.Errorf("dependsOn = %q, want %q", k.DependsOn, tt.want)
			}
		})
	}
}

func TestParseKustomization(t *testing.T) {
	k, err := parseKustomization("name=apps path=./apps sync_interval=5m retryInterval=1m timeout=2m prune=true force=true disable_health_check=true")
	if err != nil {
		t.Fatal(err)
	}
	want := v1alpha1.KustomizationDefinition{Name: "apps", Path: "./apps", Prune: true, Force: true, Wait: new(false),
		SyncInterval: &metav1.Duration{Duration: 5 * time.Minute}, RetryInterval: &metav1.Duration{Duration: time.Minute},
		Timeout: &metav1.Duration{Duration: 2 * time.Minute}}
	if !equality.Semantic.DeepEqual(k, want) {
		t.Errorf("got %+v\nwant %+v", k, want)
	}
	for group, msg := range map[string]string{
		"path=./x":           "name=NAME is required",
		"name=a color=blue":  `unknown key "color"`,
		"name=a prune=maybe": "prune=maybe",
		"name=a timeout=10":  `"10" is not a duration`,
		"name=a path":        "want KEY=VALUE",
	} {
		if _, err := parseKustomization(group); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("parseKustomization(%q) = %v, want %q", group, err, msg)
		}
	}
}

// Auth flags that carry secrets go to the protected parameters Secret,
// with the FluxConfig naming it; base64 flags are decoded as az does.
func TestCreateSources(t *testing.T) {
	tests := []struct {
		name string
		args string
	}{
		{"git-ssh", `create fleet --url ssh://git@example.com/org/fleet.git --tag v1.2.0 --ssh-private-key ZmFrZS1rZXk= --known-hosts ZXhhbXBsZS5jb20gc3NoLWVkMjU1MTkgQUFBQQo= -k name=all path=./ --interval 1m --timeout 30s`},
		{"git-https", `create fleet --ns team-a --scope namespace --url https://example.com/org/fleet.git --commit 0123abcd --https-user bot --https-key fake-token --https-ca-cert ZmFrZS1jYQ== --provider generic -k name=all`},
		{"bucket", `create edge --kind bucket --url http://minio:9000 --bucket-name edge --bucket-access-key reader --bucket-secret-key fake-secret --bucket-insecure -k name=edge path=./edge prune=true`},
		{"azblob", `create blob --kind azblob --url https://st.blob.core.windows.net --container-name cfg --sp-client-id cid --sp-tenant-id tid --sp-client-cert ZmFrZS1jZXJ0 --sp-cert-password pw --sp-cert-send-chain -k name=cfg`},
		{"azblob-sas", `create blob --kind azblob --url https://st.blob.core.windows.net --container-name cfg --sas-token sv=fake -k name=cfg`},
		{"oci", `create shop --kind oci --url oci://registry.example.com/shop --semver >=1.0.0 --oci-media-type application/vnd.cncf.flux.content.v1.tar+gzip --oci-operation copy --tls-ca-certificate ZmFrZS1jYQ== --tls-client-certificate ZmFrZS1jZXJ0 --tls-private-key ZmFrZS1rZXk= --service-account-name puller --use-workload-identity --verification-provider cosign --verification-config cosign.pub=fake-public-key --match-oidc-identity {"issuer":"^https://token.example.com$","subject":"^repo$"} -k name=shop`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", strings.Fields(tt.args)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, "create-"+tt.name+".golden.yaml", out)
		})
	}
}

func TestCreateUsageErrors(t *testing.T) {
	for args, msg := range map[string]string{
		"create --url https://x --branch main":                      "give the FluxConfig's name",
		"create a --branch main":                                    "--url is required",
		"create a --url https://x":                                  "give one of --branch, --tag, --semver or --commit",
		"create a --url https://x --branch m --kind svn":            `--kind "svn"`,
		"create a --url https://x --branch m --ssh-private-key %%%": "--ssh-private-key: not base64",
		"create a --url https://x --branch m -k name=a -k name=a":   "name=a is given twice",
		"create a --url https://x --branch m --interval often":      "--interval",
		"create a --url https://x --branch m --color blue":          "unknown flag: --color",
	} {
		_, errOut, code := run(t, "", strings.Fields(args)...)
		if code != ExitUsage || !strings.Contains(errOut, msg) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", args, code, errOut, msg)
		}
	}
}

package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

const sample = "../../config/samples/clusterconfig_v1alpha1_fluxconfig.yaml"

func TestRenderTutorial(t *testing.T) {
	out, errOut, code := run(t, "", "render", "-f", sample)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "render-tutorial.golden.yaml", out)
	// Without multi-tenancy there is no ServiceAccount and no binding.
	out, _, _ = run(t, "", "render", "-f", sample, "--enable-multi-tenancy=false", "-o", "json")
	if strings.Contains(out, "ServiceAccount") || !strings.Contains(out, `"kind": "List"`) {
		t.Errorf("render --enable-multi-tenancy=false -o json:\n%s", out)
	}
	// Scope cluster outside the allowed namespaces is what the controller refuses.
	_, errOut, code = run(t, "", "render", "-f", sample, "--cluster-scope-namespaces=platform-*")
	if code != ExitFindings || !strings.Contains(errOut, "spec.scope: cluster is not allowed in namespace cluster-config") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

const protectedConfig = `apiVersion: clusterconfig.azure.com/v1alpha1
kind: FluxConfig
metadata: {name: private, namespace: team-a}
spec:
  scope: namespace
  gitRepository:
    url: https://git.example.com/team/private.git
    repositoryRef: {branch: main}
    httpsUser: bot
  protectedParametersSecretRef: {name: private-protected}
  kustomizations: [{name: app, path: ./app}]
`

const protectedSecret = `apiVersion: v1
kind: Secret
metadata: {name: private-protected, namespace: team-a}
stringData: {httpsKey: fake-token-value}
`

// Secret values are redacted unless asked for, and the Secret can come
// from stdin, the same file, or --secret.
func TestRenderSecrets(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/secret.yaml", []byte(protectedSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, protectedConfig, "render", "-f", "-", "--secret", dir+"/secret.yaml")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "render-protected.golden.yaml", out)
	if strings.Contains(out, "fake-token-value") || strings.Contains(out, "ZmFrZS10b2tlbi12YWx1ZQ") {
		t.Errorf("a secret value was printed without --show-secrets:\n%s", out)
	}
	out, _, _ = run(t, protectedConfig+"---\n"+protectedSecret, "render", "-f", "-", "--show-secrets")
	if !strings.Contains(out, "password: ZmFrZS10b2tlbi12YWx1ZQ==") {
		t.Errorf("--show-secrets did not print the value:\n%s", out)
	}
	_, errOut, code = run(t, protectedConfig, "render", "-f", "-")
	if code != ExitFindings || !strings.Contains(errOut, "names Secret private-protected: give it with --secret") {
		t.Errorf("missing Secret: exit %d, stderr %q", code, errOut)
	}
}

func TestConvertFromARM(t *testing.T) {
	in := "../../pkg/arm/testdata/2025-04-01/git-get.json"
	out, errOut, code := run(t, "", "convert", "--from-arm", in)
	want, err := os.ReadFile("../../pkg/arm/testdata/2025-04-01/git-get.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if code != ExitOK || withoutEmptyStatus(out) != withoutEmptyStatus(string(want)) {
		t.Errorf("exit %d %s\n%s", code, errOut, out)
	}
	// And back: the same resource as ARM reads it.
	back, errOut, code := run(t, out, "convert", "--to-arm", "-")
	if code != ExitOK || !strings.Contains(back, `"sourceSyncedCommitId": "main/4f2d9c0a8b7e6d5c4b3a29180f7e6d5c4b3a2918"`) {
		t.Errorf("--to-arm: exit %d %s\n%s", code, errOut, back)
	}
	// The 2026-07-01-preview additions go there and back.
	preview := "../../pkg/arm/testdata/2026-07-01-preview/git-workload-identity-put.json"
	out, errOut, code = run(t, "", "convert", "--from-arm", preview, "--name", "fleet")
	if code != ExitOK || !strings.Contains(out, "sparseCheckout:") || !strings.Contains(out, "kubeConfig:") {
		t.Errorf("preview: exit %d %s\n%s", code, errOut, out)
	}
	back, errOut, code = run(t, out, "convert", "--to-arm", "-")
	if code != ExitOK || !strings.Contains(back, `"clusterResourceId": "/subscriptions/`) || !strings.Contains(back, `"recurseSubmodules": true`) {
		t.Errorf("preview --to-arm: exit %d %s\n%s", code, errOut, back)
	}
	// A value FluxConfig refuses is an error naming its ARM path.
	refused := `{"properties":{"sourceKind":"Bucket","bucket":{"url":"https://s3.example.com","bucketName":"b","insecure":true},"kubernetes":1}}`
	_, errOut, code = run(t, refused, "convert", "--from-arm", "-", "--name", "x")
	if code != ExitFindings || !strings.Contains(errOut, "properties.kubernetes: is not a property of") {
		t.Errorf("refused: exit %d, stderr %q", code, errOut)
	}
	refused = `{"properties":{"sourceKind":"Bucket","bucket":{"url":"https://s3.example.com","bucketName":"b","insecure":true}}}`
	_, errOut, code = run(t, refused, "convert", "--from-arm", "-", "--name", "x")
	if code != ExitFindings || !strings.Contains(errOut, "properties.bucket.insecure: is true with an https:// URL") {
		t.Errorf("refused: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = run(t, "", "convert")
	if code != ExitUsage || !strings.Contains(errOut, "exactly one of --from-arm and --to-arm") {
		t.Errorf("no direction: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = run(t, protectedConfig, "convert", "--to-arm", "-")
	if code != ExitFindings || !strings.Contains(errOut, "spec.protectedParametersSecretRef: names Secret private-protected") {
		t.Errorf("missing Secret: exit %d, stderr %q", code, errOut)
	}
}

// The CLI leaves an empty status out; pkg/arm's golden files keep it.
func withoutEmptyStatus(s string) string { return strings.ReplaceAll(s, "status: {}\n", "") }

func TestExitCodes(t *testing.T) {
	for args, want := range map[string]int{
		"version":             ExitOK,
		"nonsense":            ExitUsage,
		"render":              ExitUsage,
		"render -f x -o xml":  ExitUsage,
		"tree":                ExitUsage,
		"why a b":             ExitUsage,
		"render -f /no/file":  ExitFindings,
		"get --all-namespace": ExitUsage,
	} {
		if _, errOut, code := run(t, "", strings.Fields(args)...); code != want {
			t.Errorf("%s: exit %d, want %d (%s)", args, code, want, errOut)
		}
	}
}

// The fixes why prints are the rows of docs/troubleshooting.md.
func TestFixesAreTheTroubleshootingTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "### Root causes and their fixes")
	if !ok {
		t.Fatal("docs/troubleshooting.md has no Root causes table")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\| (.+) \\|$")
	var got []fix
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		got = append(got, fix{match: m[1], text: m[2]})
	}
	if len(got) != len(fixes) {
		t.Fatalf("the doc has %d rows, the CLI %d", len(got), len(fixes))
	}
	for i := range got {
		if got[i] != fixes[i] {
			t.Errorf("row %d:\n doc %+v\n cli %+v", i, got[i], fixes[i])
		}
	}
}

func cond(typ string, s metav1.ConditionStatus, reason, msg string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: s, Reason: reason, Message: msg, ObservedGeneration: 1}
}

// brokenTutorial is what the live commands observe in the e2e suite's
// broken-commit scenario.
func brokenTutorial() *observation {
	fc := &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "cluster-config", Name: "cluster-config",
		CreationTimestamp: metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))},
		Spec: v1alpha1.FluxConfigSpec{Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "infra"}, {Name: "apps"}}},
		Status: v1alpha1.FluxConfigStatus{ComplianceState: v1alpha1.ComplianceNonCompliant, SourceSyncedCommitID: "main@sha1:0a1b2c",
			ErrorMessage: "Kustomization cluster-config/cluster-config-infra: kustomize build failed: yaml: line 5"}}
	obj := func(kind, name string, c metav1.Condition) status.Object {
		return status.Object{Kind: kind, Namespace: "cluster-config", Name: name, Found: true, Generation: 1, ObservedGeneration: 1,
			Conditions: []metav1.Condition{c}}
	}
	hr := obj("HelmRelease", "nginx", cond("Ready", "True", "InstallSucceeded", "Helm install succeeded"))
	hr.AppliedBy = &v1alpha1.ObjectReferenceDefinition{Name: "cluster-config-infra", Namespace: "cluster-config"}
	src := obj("GitRepository", "cluster-config", cond("Ready", "True", "Succeeded", "stored artifact for revision 'main@sha1:0a1b2c'"))
	src.Revision = "main@sha1:0a1b2c"
	return &observation{config: fc, objects: []status.Object{
		src,
		obj("Kustomization", "cluster-config-infra", cond("Ready", "False", "BuildFailed", "kustomize build failed: yaml: line 5")),
		obj("Kustomization", "cluster-config-apps", cond("Ready", "False", "DependencyNotReady", "dependency 'cluster-config/cluster-config-infra' is not ready")),
		hr,
	}, inventories: map[string][]entry{"cluster-config-infra": {
		{Name: "nginx", Kind: "Namespace"}, {Namespace: "cluster-config", Name: "nginx", Group: "helm.toolkit.fluxcd.io", Kind: "HelmRelease"},
	}}}
}

func TestViews(t *testing.T) {
	obs := brokenTutorial()
	var b strings.Builder
	writeTree(&b, buildTree(obs), "", "", palette{})
	golden(t, "tree-broken.golden.txt", b.String())

	e := explain(obs)
	want := "apps waits for infra; infra failed: kustomize build failed: yaml: line 5"
	if e.Chain != want || !strings.HasPrefix(e.Fix, "a manifest or kustomization.yaml") {
		t.Errorf("explain = %+v, want chain %q with the build fix", e, want)
	}
	b.Reset()
	if err := writeExplanation(&b, e, "", palette{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "why-broken.golden.txt", b.String())

	b.Reset()
	now := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	if err := writeTable(&b, []v1alpha1.FluxConfig{*obs.config}, true, palette{}, now); err != nil {
		t.Fatal(err)
	}
	golden(t, "get-broken.golden.txt", b.String())
}

func TestPaletteOnlyOnATerminal(t *testing.T) {
	var b strings.Builder
	if paletteFor(&b).on {
		t.Error("color on a buffer")
	}
	if got := (palette{on: true}).compliance("Compliant"); got != "\x1b[32mCompliant\x1b[0m" {
		t.Errorf("compliance color = %q", got)
	}
}

// reconcile waits until Flux finished, not only started, the request.
func TestSettled(t *testing.T) {
	obj := func(conds ...metav1.Condition) status.Object {
		return status.Object{Kind: "Kustomization", Found: true, Generation: 1, ObservedGeneration: 1, Conditions: conds}
	}
	tests := []struct {
		name string
		o    status.Object
		want bool
	}{
		{"ready", obj(cond("Ready", "True", "ReconciliationSucceeded", "Applied")), true},
		{"failed", obj(cond("Ready", "False", "BuildFailed", "kustomize build failed")), true},
		{"waiting for a dependency", obj(cond("Ready", "False", "DependencyNotReady", "dependency 'a/b' is not ready")), true},
		{"in progress", obj(cond("Ready", "Unknown", "Progressing", "Reconciliation in progress")), false},
		{"reconciling", obj(cond("Ready", "True", "ReconciliationSucceeded", "Applied"), cond("Reconciling", "True", "Progressing", "")), false},
		{"an older generation", func() status.Object { o := obj(cond("Ready", "True", "Succeeded", "")); o.Generation = 2; return o }(), false},
		{"no status", obj(), false},
	}
	for _, tt := range tests {
		if got := settled(tt.o); got != tt.want {
			t.Errorf("%s: settled = %t, want %t", tt.name, got, tt.want)
		}
	}
}

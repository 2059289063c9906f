package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/admissiontable"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// TestValidateAgreesWithTheAPIServer runs every row of the admission
// table through `fluxconfig validate` (one stream, as JSON documents) and
// checks that it refuses exactly the rows the API server refuses, with the
// API server's field paths and messages: the envtest spec in
// internal/controller records those against a real kube-apiserver.
func TestValidateAgreesWithTheAPIServer(t *testing.T) {
	rows, err := admissiontable.Rows()
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]string, 0, len(rows))
	for _, r := range rows {
		obj := r.Object.DeepCopy()
		obj.SetNamespace("admission-table")
		b, err := json.Marshal(obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	out, errOut, code := run(t, strings.Join(docs, "\n---\n"), "validate", "-f", "-", "-o", "json", "--cluster-scope-namespaces", "*")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d (the table has refused rows): %s", code, ExitFindings, errOut)
	}
	var results []result
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("-o json: %v\n%s", err, out)
	}
	if len(results) != len(rows) {
		t.Fatalf("%d verdicts for %d rows", len(results), len(rows))
	}
	refused := 0
	for i, r := range rows {
		var causes []admissiontable.Cause
		for _, f := range results[i].Findings {
			if f.Stage == stageAdmission {
				causes = append(causes, admissiontable.Cause{Field: f.Field, Message: f.Message})
			}
		}
		if len(r.Refused) > 0 {
			refused++
		}
		if err := admissiontable.Compare(r.Refused, causes); err != nil {
			t.Errorf("row %q (%s): %v", r.Name, results[i].Source, err)
		}
	}
	if refused < 50 || len(rows)-refused < 10 {
		t.Errorf("the table has %d refused and %d accepted rows, want at least 50 and 10", refused, len(rows)-refused)
	}
}

// The human output: every verdict, its findings with their fixes, notes,
// for files, a directory (recursively) and a List.
func TestValidateGolden(t *testing.T) {
	out, errOut, code := run(t, "", "validate", "-f", "testdata/validate", "-R", "-n", "team-a")
	if code != ExitFindings || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "validate.golden.txt", out)
}

func TestValidate(t *testing.T) {
	sample, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string
	}{
		{"the tutorial's sample from stdin", string(sample), []string{"-f", "-"}, ExitOK,
			[]string{"✔ - (document 2): FluxConfig cluster-config/cluster-config", "1 FluxConfig in 2 documents: 1 valid, 0 with findings"}},
		{"the controller's flags: scope cluster not allowed there", string(sample), []string{"-f", "-", "--cluster-scope-namespaces", "platform-*"}, ExitFindings,
			[]string{"admitted, but the controller stalls it (InvalidConfiguration)", "spec.scope: cluster is not allowed in namespace cluster-config"}},
		{"without multi-tenancy every namespace may have scope cluster", string(sample), []string{"-f", "-", "--cluster-scope-namespaces", "x", "--enable-multi-tenancy=false"}, ExitOK,
			[]string{"1 valid"}},
		{"a directory without recursion skips its subdirectories", "", []string{"-f", "testdata/validate"}, ExitFindings,
			[]string{"5 FluxConfigs in 6 documents"}},
		{"the Secret from --secret", remoteConfig, []string{"-f", "-", "--secret", "testdata/validate/configs.yaml", "--allow-remote-clusters-in-namespace-scope"}, ExitFindings,
			[]string{"spec.protectedParametersSecretRef: sshPrivateKey is set but spec.gitRepository.url is not an SSH URL"}},
		{"a remote cluster under scope namespace", remoteConfig, []string{"-f", "-"}, ExitFindings,
			[]string{"spec.kustomizations[remote].kubeConfig", "--allow-remote-clusters-in-namespace-scope"}},
		{"not YAML", "a: [b\n", []string{"-f", "-"}, ExitFindings, []string{"✗ -: cannot be read"}},
		{"a FluxConfig of no API version", "kind: FluxConfig\nmetadata: {name: x}\n", []string{"-f", "-"}, ExitFindings,
			[]string{"✗ -: FluxConfig default/x: the API server refuses it", `kind: Unsupported value: "/, Kind=FluxConfig"`}},
		{"no FluxConfig", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", []string{"-f", "-"}, ExitOK, []string{"0 FluxConfigs in 1 document"}},
		{"no input", "", nil, ExitUsage, []string{"give at least one -f"}},
		{"a wrong format", "", []string{"-f", "-", "-o", "table"}, ExitUsage, []string{`-o "table"`}},
		{"a missing file", "", []string{"-f", "testdata/validate/none.yaml"}, ExitFindings, []string{"none.yaml: no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.stdin, append([]string{"validate"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}
}

const remoteConfig = `apiVersion: clusterconfig.azure.com/v1alpha1
kind: FluxConfig
metadata: {name: private, namespace: team-a}
spec:
  scope: namespace
  gitRepository:
    url: https://git.example.com/team-a/private
    repositoryRef: {branch: main}
    httpsUser: bot
  protectedParametersSecretRef: {name: private-protected}
  kustomizations:
  - name: remote
    kubeConfig:
      clusterResourceId: /subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c
      objectLevelIdentity: {clientId: 11111111-2222-3333-4444-555555555555}
`

// -o json gives each FluxConfig's findings as data, stage, field, message
// and fix.
func TestValidateJSON(t *testing.T) {
	out, _, code := run(t, "", "validate", "-f", "testdata/validate/configs.yaml", "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	var results []result
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 5 || len(results[0].Findings) != 0 {
		t.Fatalf("results: %+v", results)
	}
	want := finding{Stage: stageReconcile, Field: "spec.kustomizations", Message: "dependsOn forms a cycle: a -> b -> a; remove one of these dependencies", Fix: "remove one of these dependencies"}
	if got := results[2].Findings; len(got) != 1 || got[0] != want {
		t.Errorf("cycle: %+v, want %+v", got, want)
	}
}

// With Flux's CRDs, what Flux's API server refuses in a generated object
// is found too, on the additionalConfigurations key that put it there.
func TestValidateFluxCRDs(t *testing.T) {
	dir, err := testenv.FluxCRDs()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the Flux CRDs are not in %s: run `make envtest`", dir)
	}
	fc := strings.Replace(remoteConfig, "  - name: remote\n    kubeConfig:\n      clusterResourceId: /subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c\n      objectLevelIdentity: {clientId: 11111111-2222-3333-4444-555555555555}\n",
		"  - name: apps\n    additionalConfigurations: {deletionPolicy: Sometimes}\n", 1)
	out, _, code := run(t, fc, "validate", "-f", "-", "--flux-crds", dir)
	if code != ExitFindings || !strings.Contains(out, "spec.kustomizations[apps].additionalConfigurations.deletionPolicy: the API server would refuse Kustomization team-a/private-apps") ||
		!strings.Contains(out, `spec.deletionPolicy: Unsupported value: "Sometimes"`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
	out, _, code = run(t, sample0(t), "validate", "-f", "-", "--flux-crds", dir)
	if code != ExitOK {
		t.Errorf("the tutorial's sample: exit %d:\n%s", code, out)
	}
}

func sample0(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

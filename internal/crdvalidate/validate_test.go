package crdvalidate_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/admissiontable"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
)

func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

const minimal = `
apiVersion: clusterconfig.azure.com/v1alpha1
kind: FluxConfig
metadata: {name: cfg, namespace: team-a}
spec:
  gitRepository:
    url: https://example.com/repo
    repositoryRef: {branch: main}
status: {complianceState: Compliant}
`

func TestLoadRefusesWhatHoldsNoCRD(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "x.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(empty, "missing"), empty} {
		if _, err := crdvalidate.Load(dir); err == nil {
			t.Errorf("Load(%s) succeeded", dir)
		}
	}
}

// TestDefault fills in the schema's defaults as the API server does, and
// drops what the schema does not declare.
func TestDefault(t *testing.T) {
	v := ownCRD(t)
	u := object(t, minimal)
	u.Object["spec"].(map[string]any)["typo"] = true
	errs := v.Default(u)
	if len(errs) != 1 || errs[0].Field != "spec.typo" || !crdvalidate.IsUnknownField(errs[0]) {
		t.Errorf("Default findings = %v, want the unknown field spec.typo", errs)
	}
	spec := u.Object["spec"].(map[string]any)
	git := spec["gitRepository"].(map[string]any)
	want := map[string]any{"scope": "cluster", "sourceKind": "GitRepository"}
	for k, w := range want {
		if spec[k] != w {
			t.Errorf("spec.%s = %v, want %v", k, spec[k], w)
		}
	}
	if git["syncInterval"] != "10m" || git["timeout"] != "10m" {
		t.Errorf("gitRepository durations = %v, %v, want the 10m defaults", git["syncInterval"], git["timeout"])
	}
	if _, ok := spec["typo"]; ok {
		t.Error("the unknown field was kept")
	}
}

// TestValidateFindings: each finding carries the API server's field path
// and message; the input is left as it was.
func TestValidateFindings(t *testing.T) {
	v := ownCRD(t)
	u := object(t, minimal)
	u.Object["spec"].(map[string]any)["typo"] = true
	u.Object["spec"].(map[string]any)["gitRepository"].(map[string]any)["timeout"] = "1h"
	before := u.DeepCopy()
	got := admissiontable.FromFieldErrors(v.Validate(u))
	want := []admissiontable.Cause{
		{Field: "spec.typo", Message: `Forbidden: unknown field "spec.typo"`},
		{Field: "spec.gitRepository.timeout", Message: `Invalid value: "1h": must be at least 1ms and less than 1h`},
	}
	if err := admissiontable.Compare(want, got); err != nil {
		t.Error(err)
	}
	if !reflect.DeepEqual(before.Object, u.Object) {
		t.Error("Validate changed its input")
	}
	if errs := v.Validate(object(t, minimal)); len(errs) > 0 {
		t.Errorf("a valid FluxConfig (with a status, which a create drops) was refused: %v", errs)
	}
}

func TestValidateGenerateName(t *testing.T) {
	v := ownCRD(t)
	u := object(t, minimal)
	u.SetName("")
	u.SetGenerateName("cfg-")
	if errs := v.Validate(u); len(errs) > 0 {
		t.Errorf("generateName: %v", errs)
	}
	u.SetGenerateName(strings.Repeat("g", 59))
	errs := v.Validate(u)
	if len(errs) != 1 || errs[0].Field != "metadata" {
		t.Errorf("a generated name over 63 characters: findings %v, want one on metadata", errs)
	}
}

func TestValidateUnknownKind(t *testing.T) {
	v := ownCRD(t)
	errs := v.Validate(object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"))
	if len(errs) != 1 || errs[0].Field != "kind" || !strings.Contains(errs[0].Error(), "clusterconfig.azure.com/v1alpha1, Kind=FluxConfig") {
		t.Errorf("findings = %v, want one on kind listing the known kinds", errs)
	}
}

// TestFluxCRDsRefuse pins what the FluxConfig rules are made for: Flux's
// own CRDs refuse a source timeout in hours and any duration in µs.
func TestFluxCRDsRefuse(t *testing.T) {
	v := allCRDs(t)
	repo := func(timeout time.Duration) *unstructured.Unstructured {
		g := &sourcev1.GitRepository{
			TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
			ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "team-a"},
			Spec: sourcev1.GitRepositorySpec{URL: "https://example.com/repo", Interval: metav1.Duration{Duration: time.Minute},
				Timeout: &metav1.Duration{Duration: timeout}},
		}
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(g)
		if err != nil {
			t.Fatal(err)
		}
		return &unstructured.Unstructured{Object: content}
	}
	if errs := v.Validate(repo(59*time.Minute + 59*time.Second)); len(errs) > 0 {
		t.Errorf("59m59s refused: %v", errs)
	}
	for _, d := range []time.Duration{time.Hour, 500 * time.Microsecond, time.Nanosecond} {
		errs := v.Validate(repo(d))
		if len(errs) != 1 || errs[0].Field != "spec.timeout" {
			t.Errorf("timeout %s: findings %v, want one on spec.timeout", d, errs)
		}
	}
}

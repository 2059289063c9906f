package builder_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	validatecontent "k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/admissiontable"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// The property the fuzz targets check: whatever the FluxConfig CRD admits
// (after its defaulting) decodes into the Go type, passes builder.Validate
// (but for a dependsOn cycle, which no schema rule can see), never makes
// Build panic, and every object Build returns is accepted: the Flux objects
// by the Flux CRDs of bin/flux-crds, the core objects by the API server's
// metadata rules.

type validators struct {
	own, flux *crdvalidate.Validator
	err       error
	missing   string
}

var (
	loadOnce sync.Once
	loaded   validators
)

// loadValidators loads this project's CRD and the Flux CRDs once; the
// test is skipped when the Flux CRDs are not there (`make envtest` fetches
// them; `make test` always does).
func loadValidators(tb testing.TB) validators {
	tb.Helper()
	loadOnce.Do(func() {
		own, err := testenv.CRDs()
		if err != nil {
			loaded.err = err
			return
		}
		fluxDir, err := testenv.FluxCRDs()
		if err != nil {
			loaded.err = err
			return
		}
		if _, err := os.Stat(fluxDir); err != nil {
			loaded.missing = fluxDir
			return
		}
		if loaded.own, loaded.err = crdvalidate.Load(own); loaded.err == nil {
			loaded.flux, loaded.err = crdvalidate.Load(fluxDir)
		}
	})
	if loaded.missing != "" {
		tb.Skipf("the Flux CRDs are not in %s: run `make envtest` to fetch them (make test does)", loaded.missing)
	}
	if loaded.err != nil {
		tb.Fatal(loaded.err)
	}
	return loaded
}

// checkAdmitted applies the property to one object; it returns whether the
// FluxConfig CRD admitted it.
func checkAdmitted(t *testing.T, v validators, u *unstructured.Unstructured, protected map[string][]byte) bool {
	t.Helper()
	if errs := v.own.Validate(u); len(errs) > 0 {
		return false
	}
	v.own.Default(u)
	raw, err := json.Marshal(u.Object)
	if err != nil {
		t.Fatalf("marshaling an admitted FluxConfig: %v", err)
	}
	fc := &v1alpha1.FluxConfig{}
	if err := json.Unmarshal(raw, fc); err != nil {
		t.Fatalf("the CRD admits a FluxConfig the controller cannot decode: %v\n%s", err, raw)
	}
	fc.UID, fc.Generation = "00000000-0000-4000-8000-000000000001", 1
	if err := builder.Validate(fc); err != nil && !isCycle(err) {
		t.Fatalf("the CRD admits what builder.Validate refuses: %v\n%s", err, raw)
	}
	key := fixtureKey(t)
	for _, opts := range []builder.Options{{}, {MultiTenancy: true, ClusterScopeNamespaces: []string{"*"}}} {
		objs, err := build(builder.Input{Config: fc, Protected: protected, GeneratedKey: key}, opts)
		var ce *builder.ConfigError
		switch {
		case errors.As(err, &ce):
			continue
		case err != nil:
			t.Fatalf("Build returned %T %v, not a ConfigError\n%s", err, err, raw)
		}
		for _, o := range objs.All() {
			checkChild(t, v.flux, o, raw)
		}
	}
	return true
}

func isCycle(err error) bool {
	var ce *builder.ConfigError
	return errors.As(err, &ce) && ce.Field == "spec.kustomizations" && strings.Contains(ce.Message, "cycle")
}

// build turns a panic of Build into an error the test reports.
func build(in builder.Input, opts builder.Options) (objs *builder.Objects, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{r}
		}
	}()
	return builder.Build(in, opts)
}

type panicError struct{ value any }

func (p *panicError) Error() string { return "Build panicked: " + strings.TrimSpace(yamlOf(p.value)) }

func yamlOf(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

// checkChild: a Flux object passes the Flux CRD as a create would; a core
// object has a name, namespace, labels and Secret keys the API server takes.
func checkChild(t *testing.T, flux *crdvalidate.Validator, o client.Object, fc []byte) {
	t.Helper()
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		t.Fatalf("converting %T: %v", o, err)
	}
	u := &unstructured.Unstructured{Object: content}
	var errs field.ErrorList
	switch obj := o.(type) {
	case *corev1.Secret:
		errs = apivalidation.ValidateObjectMetaAccessor(obj, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
		for k := range obj.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
			}
		}
	case *corev1.ServiceAccount:
		errs = apivalidation.ValidateObjectMetaAccessor(obj, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	case *corev1.ConfigMap:
		errs = apivalidation.ValidateObjectMetaAccessor(obj, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
		for k := range obj.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
			}
		}
	case *rbacv1.RoleBinding:
		errs = apivalidation.ValidateObjectMetaAccessor(obj, true, rbacName, field.NewPath("metadata"))
	case *rbacv1.ClusterRoleBinding:
		errs = apivalidation.ValidateObjectMetaAccessor(obj, false, rbacName, field.NewPath("metadata"))
	default:
		errs = flux.Validate(u)
	}
	if len(errs) > 0 {
		t.Fatalf("the CRD admits a FluxConfig whose %s %s is refused:\n%s\nFluxConfig:\n%s\nobject:\n%s",
			u.GetKind(), u.GetName(), errs.ToAggregate(), fc, yamlOf(u.Object))
	}
}

// FuzzBuild generates FluxConfigs from the fuzz input (see specGen).
func FuzzBuild(f *testing.F) {
	for _, seed := range []string{"", "\x00\x01\x02\x03", "seed-git-ssh\x00\x01\x00\x00\x01", "\x01\x01\x01\x01\x01\x01\x01\x01", "\x02\x00\x05\x07\x03\x01", "\x03\xff\x10\x20\x30\x40\x50"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v := loadValidators(t)
		g := &specGen{data: data}
		u := &unstructured.Unstructured{Object: g.fluxConfig()}
		checkAdmitted(t, v, u, g.protected(fixtureKey(t).PrivateKey))
	})
}

// FuzzBuildDocument mutates whole FluxConfig documents, starting from the
// rows of the admission table.
func FuzzBuildDocument(f *testing.F) {
	rows, err := admissiontable.Rows()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range rows {
		doc, err := yaml.Marshal(r.Object.Object)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		v := loadValidators(t)
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil || u.Object == nil {
			return
		}
		u.SetNamespace("team-a")
		checkAdmitted(t, v, u, nil)
	})
}

// TestFuzzCorpusAdmitsSomething keeps the generator honest: among the
// seeds and the committed corpus, some FluxConfigs must be admitted, or
// the fuzz targets would check nothing.
func TestFuzzCorpusAdmitsSomething(t *testing.T) {
	v := loadValidators(t)
	rows, err := admissiontable.Rows()
	if err != nil {
		t.Fatal(err)
	}
	admitted := 0
	for _, r := range rows {
		u := r.Object.DeepCopy()
		u.SetNamespace("team-a")
		if checkAdmitted(t, v, u, nil) {
			admitted++
		}
	}
	if admitted < 10 {
		t.Errorf("only %d rows of the admission table were admitted and built", admitted)
	}
}

// rbacName is how the API server validates the name of a RoleBinding or a
// ClusterRoleBinding (Kubernetes' rbac ValidateRBACName): a name that can
// be a path segment.
func rbacName(name string, prefix bool) []string {
	if prefix {
		return validatecontent.IsPathSegmentPrefix(name)
	}
	return validatecontent.IsPathSegmentName(name)
}

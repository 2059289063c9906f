package crdvalidate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/admissiontable"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

var (
	allOnce sync.Once
	all     *crdvalidate.Validator
	allErr  error
	allSkip string
)

// allCRDs loads this project's CRD and the Flux CRDs, or skips the test
// when the Flux CRDs are absent (`make envtest` fetches them).
func allCRDs(tb testing.TB) *crdvalidate.Validator {
	tb.Helper()
	allOnce.Do(func() {
		own, err := testenv.CRDs()
		if err != nil {
			allErr = err
			return
		}
		flux, err := testenv.FluxCRDs()
		if err != nil {
			allErr = err
			return
		}
		if _, err := os.Stat(flux); err != nil {
			allSkip = flux
			return
		}
		all, allErr = crdvalidate.Load(own, flux)
	})
	if allSkip != "" {
		tb.Skipf("the Flux CRDs are not in %s: run `make envtest` to fetch them (make test does)", allSkip)
	}
	if allErr != nil {
		tb.Fatal(allErr)
	}
	return all
}

// FuzzValidate feeds documents of any kind to the validator, starting from
// the admission table and the builder's golden Flux objects. The validator
// never panics and never changes its input; it gives the same findings
// twice; defaulting is idempotent and does not change the verdict (but for
// the unknown fields it drops); and a FluxConfig it admits still passes
// after a round trip through the Go type, which is what the controller
// sends back when it updates the object (a finalizer, a status).
func FuzzValidate(f *testing.F) {
	rows, err := admissiontable.Rows()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range rows {
		doc, _ := json.Marshal(r.Object.Object)
		f.Add(doc)
	}
	golden, _ := filepath.Glob("../builder/testdata/*.golden.yaml")
	for _, path := range golden {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, doc := range bytes.Split(data, []byte("\n---\n")) {
			f.Add(doc)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		v := allCRDs(t)
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil || u.Object == nil {
			return
		}
		before := u.DeepCopy()
		errs := v.Validate(u)
		if !reflect.DeepEqual(before.Object, u.Object) {
			t.Fatalf("Validate changed its input")
		}
		if again := v.Validate(u); !reflect.DeepEqual(causes(errs), causes(again)) {
			t.Fatalf("Validate is not deterministic:\n%v\n%v", errs, again)
		}
		checkDefaulting(t, v, u, errs)
		if len(errs) == 0 && u.GetKind() == "FluxConfig" {
			checkRoundTrip(t, v, u)
		}
	})
}

func causes(errs field.ErrorList) []admissiontable.Cause { return admissiontable.FromFieldErrors(errs) }

// withoutUnknown drops the unknown-field findings, which defaulting prunes.
func withoutUnknown(errs field.ErrorList) []admissiontable.Cause {
	var out field.ErrorList
	for _, e := range errs {
		if !crdvalidate.IsUnknownField(e) {
			out = append(out, e)
		}
	}
	return causes(out)
}

func checkDefaulting(t *testing.T, v *crdvalidate.Validator, u *unstructured.Unstructured, errs field.ErrorList) {
	t.Helper()
	once := u.DeepCopy()
	v.Default(once)
	twice := once.DeepCopy()
	v.Default(twice)
	if !reflect.DeepEqual(once.Object, twice.Object) {
		t.Fatalf("Default is not idempotent:\n%v\n%v", once.Object, twice.Object)
	}
	if got := v.Validate(once); admissiontable.Compare(withoutUnknown(errs), withoutUnknown(got)) != nil {
		t.Fatalf("defaulting changed the verdict:\nbefore: %v\nafter: %v", errs, got)
	}
}

func checkRoundTrip(t *testing.T, v *crdvalidate.Validator, u *unstructured.Unstructured) {
	t.Helper()
	d := u.DeepCopy()
	v.Default(d)
	raw, err := json.Marshal(d.Object)
	if err != nil {
		t.Fatal(err)
	}
	fc := &v1alpha1.FluxConfig{}
	if err := json.Unmarshal(raw, fc); err != nil {
		t.Fatalf("an admitted FluxConfig does not decode into the Go type: %v\n%s", err, raw)
	}
	back, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	written := &unstructured.Unstructured{}
	if err := written.UnmarshalJSON(back); err != nil {
		t.Fatal(err)
	}
	if errs := v.Validate(written); len(errs) > 0 {
		t.Fatalf("an admitted FluxConfig is refused once written back by the controller: %v\nadmitted: %s\nwritten: %s", errs.ToAggregate(), raw, back)
	}
}

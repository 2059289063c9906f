package admissiontable

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestCompare(t *testing.T) {
	got := []Cause{{"spec.a", "Invalid value: \"x\": must be y"}, {"spec.a", "Required value"}, {"<nil>", "not checked"}}
	tests := []struct {
		name string
		want []Cause
		ok   bool
	}{
		{"every cause, any order", []Cause{{"<nil>", "not checked"}, {"spec.a", "Required"}, {"spec.a", "must be y"}}, true},
		{"a cause left over", []Cause{{"spec.a", "Required"}, {"spec.a", "must be y"}}, false},
		{"a message that differs", []Cause{{"<nil>", "not checked"}, {"spec.a", "Required"}, {"spec.a", "must be z"}}, false},
		{"the right message on another field", []Cause{{"<nil>", "not checked"}, {"spec.a", "Required"}, {"spec.b", "must be y"}}, false},
		{"one cause matched twice", []Cause{{"<nil>", "not checked"}, {"spec.a", "Required"}, {"spec.a", "Required"}}, false},
		{"accepted", nil, false},
	}
	for _, tc := range tests {
		if err := Compare(tc.want, got); (err == nil) != tc.ok {
			t.Errorf("%s: Compare = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	if err := Compare(nil, nil); err != nil {
		t.Errorf("accepted and accepted: %v", err)
	}
}

func TestFromAPIError(t *testing.T) {
	gk := schema.GroupKind{Group: "clusterconfig.azure.com", Kind: "FluxConfig"}
	invalid := apierrors.NewInvalid(gk, "x", field.ErrorList{field.Invalid(field.NewPath("spec", "scope"), "global", "bad")})
	causes, err := FromAPIError(invalid)
	if err != nil || len(causes) != 1 || causes[0] != (Cause{"spec.scope", `Invalid value: "global": bad`}) {
		t.Errorf("FromAPIError(invalid) = %v, %v", causes, err)
	}
	strict := apierrors.NewBadRequest(`FluxConfig in version "v1alpha1" cannot be handled as a FluxConfig: strict decoding error: unknown field "spec.a", unknown field "spec.b[0].c"`)
	causes, err = FromAPIError(strict)
	if err != nil || len(causes) != 2 || causes[1] != (Cause{"spec.b[0].c", `Forbidden: unknown field "spec.b[0].c"`}) {
		t.Errorf("FromAPIError(strict) = %v, %v", causes, err)
	}
	if _, err := FromAPIError(apierrors.NewConflict(schema.GroupResource{}, "x", nil)); err == nil {
		t.Error("a conflict was taken for a validation error")
	}
}

func TestRows(t *testing.T) {
	rows, err := Rows()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Object.GetKind() != "FluxConfig" || r.Object.GetName() == "" {
			t.Errorf("row %q: not a named FluxConfig", r.Name)
		}
		for _, c := range r.Refused {
			if c.Field == "" || strings.TrimSpace(c.Message) == "" {
				t.Errorf("row %q: a cause without a field or a message", r.Name)
			}
		}
	}
}

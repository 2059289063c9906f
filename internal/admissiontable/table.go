// Package admissiontable is the admission table of the FluxConfig CRD: FluxConfigs
// the API server must refuse, each with the causes it gives (field path and
// a distinctive part of the message), and FluxConfigs at every limit that
// it must accept. The rows are data, in fluxconfigs.yaml; two tests share
// them: the envtest spec in internal/controller creates each row on a real
// kube-apiserver, and the plain test in internal/crdvalidate validates the
// same rows offline. Both compare what they get with the recorded causes
// through Compare, so the offline verdict agrees with the API server's on
// every row.
package admissiontable

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

//go:embed fluxconfigs.yaml
var tableYAML []byte

// Cause is one reason the API server gives for refusing an object: the
// field path as it reports it (metav1.StatusCause.Field, "<nil>" for the
// object itself), and a part of its message (StatusCause.Message, which is
// field.Error.ErrorBody()).
type Cause struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (c Cause) String() string { return c.Field + ": " + c.Message }

// Row is one FluxConfig of the table.
type Row struct {
	// Name says what the row tries.
	Name string
	// Object is the FluxConfig, without a namespace.
	Object *unstructured.Unstructured
	// Refused lists every cause the API server gives, in any order; empty
	// when it accepts the object.
	Refused []Cause
}

type file struct {
	Base json.RawMessage `json:"base"`
	Rows []struct {
		Name    string          `json:"name"`
		Patch   json.RawMessage `json:"patch"`
		Refused []Cause         `json:"refused"`
	} `json:"rows"`
}

// Rows returns the table: each row's object is the base FluxConfig with the
// row's JSON merge patch (RFC 7386) applied.
func Rows() ([]Row, error) {
	raw, err := yaml.YAMLToJSON(tableYAML)
	if err != nil {
		return nil, fmt.Errorf("admission table: %w", err)
	}
	var f file
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("admission table: %w", err)
	}
	rows := make([]Row, 0, len(f.Rows))
	seen := map[string]bool{}
	for _, r := range f.Rows {
		if seen[r.Name] {
			return nil, fmt.Errorf("admission table: two rows named %q", r.Name)
		}
		seen[r.Name] = true
		doc := []byte(f.Base)
		if len(r.Patch) > 0 {
			if doc, err = jsonpatch.MergePatch(doc, r.Patch); err != nil {
				return nil, fmt.Errorf("admission table, row %q: %w", r.Name, err)
			}
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(doc); err != nil {
			return nil, fmt.Errorf("admission table, row %q: %w", r.Name, err)
		}
		rows = append(rows, Row{Name: r.Name, Object: u, Refused: r.Refused})
	}
	return rows, nil
}

// Compare tells how the causes an API server (or the offline validator)
// gave differ from the recorded ones: every recorded cause must match one
// cause given, with the same field and a message that contains the
// recorded part, and no cause may be left over. nil means they agree.
func Compare(want, got []Cause) error {
	left := slices.Clone(got)
	var problems []string
	for _, w := range want {
		i := slices.IndexFunc(left, func(g Cause) bool { return g.Field == w.Field && strings.Contains(g.Message, w.Message) })
		if i < 0 {
			problems = append(problems, "missing "+w.String())
			continue
		}
		left = slices.Delete(left, i, i+1)
	}
	for _, g := range left {
		problems = append(problems, "unexpected "+g.String())
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s\ngot:\n  %s", strings.Join(problems, "\n"), strings.Join(causeStrings(got), "\n  "))
}

func causeStrings(cs []Cause) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// FromFieldErrors turns the offline validator's findings into causes, as
// the API server turns them into the causes of its answer.
func FromFieldErrors(errs field.ErrorList) []Cause {
	out := make([]Cause, 0, len(errs))
	for _, e := range errs {
		out = append(out, Cause{Field: e.Field, Message: e.ErrorBody()})
	}
	return out
}

// unknownField matches one unknown field of a strict decoding error.
var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// FromAPIError returns the causes of the API server's answer to a create:
// the causes of a 422 Invalid, or, for a 400 strict decoding error (fields
// the schema does not declare, with fieldValidation=Strict), one cause per
// unknown field, in the form the offline validator gives them. Any other
// error is returned as it is.
func FromAPIError(err error) ([]Cause, error) {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return nil, err
	}
	s := status.Status()
	switch {
	case apierrors.IsInvalid(err) && s.Details != nil:
		out := make([]Cause, 0, len(s.Details.Causes))
		for _, c := range s.Details.Causes {
			out = append(out, Cause{Field: c.Field, Message: c.Message})
		}
		return out, nil
	case apierrors.IsBadRequest(err) && strings.Contains(s.Message, "strict decoding error"):
		var out []Cause
		for _, m := range unknownField.FindAllStringSubmatch(s.Message, -1) {
			e := &field.Error{Type: field.ErrorTypeForbidden, Field: m[1], Detail: fmt.Sprintf("unknown field %q", m[1])}
			out = append(out, Cause{Field: e.Field, Message: e.ErrorBody()})
		}
		return out, nil
	}
	return nil, err
}

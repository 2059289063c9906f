package arm_test

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fluxconfig-controller/fluxconfig-controller/config/crd"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

// Every FluxConfig FromARM makes of the example documents is one the API
// server admits: the CRD's OpenAPI and CEL rules, evaluated offline with
// the API server's own code, find nothing.
func TestFromARMOutputIsAdmitted(t *testing.T) {
	crds, err := crd.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := crdvalidate.Load() // no directory: the embedded CRD only
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range crds {
		if err := v.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range examples(t) {
		t.Run(file, func(t *testing.T) {
			c := fromARM(t, file, decodeFile(t, file))
			raw, err := json.Marshal(c.Config)
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(raw); err != nil {
				t.Fatal(err)
			}
			if errs := v.Validate(u); len(errs) > 0 {
				t.Errorf("the API server would refuse the FluxConfig:\n%v", errs.ToAggregate())
			}
		})
	}
}

// additionalConfigurations values reach the other side as the JSON they
// were: numbers beyond float64's precision, nulls and nested objects
// included.
func TestAdditionalConfigurationsKeepTheirJSON(t *testing.T) {
	doc := `{"name":"x","properties":{"gitRepository":{"url":"https://e.example/r","repositoryRef":{"branch":"main"},
	  "additionalConfigurations":{"big": 12345678901234567890123, "none": null, "nested": {"b": [1, 2.50, "x"], "a": true}}}}}`
	r, err := arm.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	c, err := arm.FromARM(r, arm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fields := c.Config.Spec.GitRepository.AdditionalConfigurations.Fields
	for key, want := range map[string]string{"big": "12345678901234567890123", "none": "null", "nested": `{"b":[1,2.50,"x"],"a":true}`} {
		if got := string(fields[key].Raw); got != want {
			t.Errorf("FluxConfig %s = %s, want %s", key, got, want)
		}
	}
	back, err := arm.ToARM(c, arm.ToOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(back.Properties.GitRepository.AdditionalConfigurations)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"big":12345678901234567890123,"nested":{"b":[1,2.50,"x"],"a":true},"none":null}`; string(out) != want {
		t.Errorf("ARM additionalConfigurations = %s, want %s", out, want)
	}
	if !strings.Contains(string(toJSON(t, back)), `"big": 12345678901234567890123`) {
		t.Errorf("the number lost its digits:\n%s", toJSON(t, back))
	}
}

package arm_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

var update = flag.Bool("update", false, "rewrite testdata/*/*.golden.yaml from the current output of FromARM")

// examples are this package's own ARM documents, modeled on the public
// examples of both api-versions: every source kind, as a PUT body and as a
// GET response.
func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.Contains(f, "unsupported") {
			out = append(out, f)
		}
	}
	if len(out) < 18 {
		t.Fatalf("only %d example documents found", len(out))
	}
	return out
}

// nameOf is the name a PUT body gets from its URL: the file's name.
func nameOf(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), ".json")
	return strings.TrimSuffix(strings.TrimSuffix(base, "-put"), "-get")
}

func decodeFile(t *testing.T, file string) *arm.Resource {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := arm.Decode(data)
	if err != nil {
		t.Fatalf("Decode(%s): %v", file, err)
	}
	return r
}

func fromARM(t *testing.T, file string, r *arm.Resource) *arm.Converted {
	t.Helper()
	opts := arm.Options{}
	if r.Name == "" {
		opts.Name = nameOf(file)
	}
	c, err := arm.FromARM(r, opts)
	if err != nil {
		t.Fatalf("FromARM(%s): %v", file, err)
	}
	return c
}

// manifests renders a conversion as the multi-document YAML the CLI prints.
func manifests(t *testing.T, c *arm.Converted) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, obj := range c.Objects() {
		y, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes()
}

func TestFromARMGolden(t *testing.T) {
	for _, file := range examples(t) {
		t.Run(file, func(t *testing.T) {
			got := manifests(t, fromARM(t, file, decodeFile(t, file)))
			golden := strings.TrimSuffix(file, ".json") + ".golden.yaml"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading %s (run `go test ./pkg/arm -update` to create it): %v", golden, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("FromARM output differs from %s (run `go test ./pkg/arm -update` if intended):\n%s", golden, got)
			}
		})
	}
}

// ARM -> FluxConfig + Secrets -> ARM gives the same resource, as ARM reads
// it (Normalize fills in its defaults on both sides).
func TestRoundTripFromARM(t *testing.T) {
	for _, file := range examples(t) {
		t.Run(file, func(t *testing.T) {
			in := decodeFile(t, file)
			c := fromARM(t, file, in)
			out, err := arm.ToARM(c, arm.ToOptions{})
			if err != nil {
				t.Fatalf("ToARM: %v", err)
			}
			want := decodeFile(t, file)
			if want.Name == "" {
				want.Name = nameOf(file)
			}
			arm.Normalize(want)
			arm.Normalize(out)
			if !equality.Semantic.DeepEqual(want, out) {
				t.Errorf("round trip differs:\n--- in\n%s\n--- out\n%s", toJSON(t, want), toJSON(t, out))
			}
		})
	}
}

// FluxConfig + Secrets -> ARM (as JSON text) -> FluxConfig + Secrets gives
// the same objects.
func TestRoundTripFromFluxConfig(t *testing.T) {
	for _, file := range examples(t) {
		t.Run(file, func(t *testing.T) {
			c := fromARM(t, file, decodeFile(t, file))
			assertFluxConfigRoundTrip(t, c, arm.Options{})
		})
	}
}

func assertFluxConfigRoundTrip(t *testing.T, c *arm.Converted, opts arm.Options) {
	t.Helper()
	r, err := arm.ToARM(c, arm.ToOptions{})
	if err != nil {
		t.Fatalf("ToARM: %v", err)
	}
	back, err := arm.Decode(toJSON(t, r))
	if err != nil {
		t.Fatalf("Decode(ToARM output): %v", err)
	}
	got, err := arm.FromARM(back, opts)
	if err != nil {
		t.Fatalf("FromARM(ToARM output): %v", err)
	}
	if want, have := manifests(t, c), manifests(t, got); !bytes.Equal(want, have) {
		t.Errorf("round trip differs:\n--- in\n%s\n--- out\n%s", want, have)
	}
}

// The tutorial's FluxConfig, as written for kubectl, survives the Azure model.
func TestRoundTripTutorialFluxConfig(t *testing.T) {
	data, err := os.ReadFile("../../config/samples/clusterconfig_v1alpha1_fluxconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(data), "\n---\n")
	c := &arm.Converted{}
	if err := yaml.UnmarshalStrict([]byte(docs[len(docs)-1]), &c.Config); err != nil {
		t.Fatal(err)
	}
	assertFluxConfigRoundTrip(t, c, arm.Options{})
	r, err := arm.ToARM(c, arm.ToOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := string(toJSON(t, r))
	for _, want := range []string{`"infra": {`, `"dependsOn": [`, `"syncIntervalInSeconds": 600`, `"prune": true`, `"namespace": "cluster-config"`} {
		if !strings.Contains(got, want) {
			t.Errorf("ToARM output lacks %s:\n%s", want, got)
		}
	}
}

func toJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

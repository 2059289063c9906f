package arm_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

// FuzzFromARM: any document FromARM accepts converts back, and that
// converts to the same objects again.
func FuzzFromARM(f *testing.F) {
	files, _ := examplesForFuzz()
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"name":"x","properties":{"kustomizations":{"a":{"dependsOn":["b"]},"b":{}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := arm.Decode(data)
		if err != nil {
			return
		}
		c, err := arm.FromARM(r, arm.Options{Name: "fuzz"})
		if err != nil {
			return
		}
		back, err := arm.ToARM(c, arm.ToOptions{})
		if err != nil {
			t.Fatalf("ToARM of an accepted document failed: %v", err)
		}
		text, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := arm.Decode(text)
		if err != nil {
			t.Fatalf("Decode(ToARM output): %v\n%s", err, text)
		}
		c2, err := arm.FromARM(r2, arm.Options{Name: "fuzz"})
		if err != nil {
			t.Fatalf("FromARM(ToARM output): %v\n%s", err, text)
		}
		if a, b := fuzzJSON(t, c), fuzzJSON(t, c2); !bytes.Equal(a, b) {
			t.Fatalf("not stable:\n%s\n---\n%s", a, b)
		}
	})
}

func examplesForFuzz() ([]string, error) {
	return filepath.Glob("testdata/*/*.json")
}

func fuzzJSON(t *testing.T, c *arm.Converted) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, o := range c.Objects() {
		y, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(y)
	}
	return b.Bytes()
}

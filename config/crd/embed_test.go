package crd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fluxconfig-controller/fluxconfig-controller/config/crd"
)

// The embedded CRDs are the files of config/crd/bases, byte for byte,
// every one of them: what `make manifests` generates is what the
// fluxconfig command validates against.
func TestEmbeddedEqualsBases(t *testing.T) {
	files, err := filepath.Glob("bases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRD in config/crd/bases: %v", err)
	}
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := crd.Bases.ReadFile(filepath.ToSlash(f))
		if err != nil {
			t.Errorf("%s is not embedded: %v", f, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the embedded %s differs from the file", f)
		}
	}
	embedded, err := crd.Bases.ReadDir("bases")
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded) != len(files) {
		t.Errorf("%d files embedded, %d in config/crd/bases", len(embedded), len(files))
	}
}

func TestLoad(t *testing.T) {
	crds, err := crd.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) != 1 || crds[0].Name != "fluxconfigs.clusterconfig.azure.com" || crds[0].Spec.Names.Kind != "FluxConfig" {
		t.Fatalf("Load = %d CRDs, want the FluxConfig CRD", len(crds))
	}
}

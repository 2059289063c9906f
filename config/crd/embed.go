// Package crd carries the CustomResourceDefinitions that `make manifests`
// generates into bases/, embedded, so that a program built from this
// module (the fluxconfig command's validate) checks objects against the
// very schema and CEL rules the API server runs, outside the repository.
package crd

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Bases is config/crd/bases as it was when the program was built.
//
//go:embed bases/*.yaml
var Bases embed.FS

// Load decodes every CustomResourceDefinition of Bases.
func Load() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	files, err := fs.Glob(Bases, "bases/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, f := range files {
		data, err := Bases.ReadFile(f)
		if err != nil {
			return nil, err
		}
		crds, err := decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, crds...)
	}
	return out, nil
}

// decode reads the CRDs of a YAML stream; empty documents are skipped.
func decode(data []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*apiextensionsv1.CustomResourceDefinition
	for {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		switch err := d.Decode(crd); {
		case errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return nil, err
		case crd.Kind == "CustomResourceDefinition":
			out = append(out, crd)
		}
	}
}

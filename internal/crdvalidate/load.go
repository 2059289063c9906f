package crdvalidate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// Validator holds the schemas of the loaded CRDs, one per served version.
type Validator struct {
	kinds map[schema.GroupVersionKind]*kindSchema
}

// kindSchema is what the API server builds for one served version of a CRD.
type kindSchema struct {
	namespaced bool
	hasStatus  bool
	structural *structuralschema.Structural
	openAPI    apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

// Load reads every *.yaml and *.yml file in the given directories (not
// their subdirectories) and loads the CustomResourceDefinitions among their
// documents; other documents are skipped. It fails when a directory holds
// no CRD at all, so a missing or empty directory is never silently ignored.
func Load(dirs ...string) (*Validator, error) {
	v := &Validator{kinds: map[schema.GroupVersionKind]*kindSchema{}}
	for _, dir := range dirs {
		n, err := v.loadDir(dir)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("no CustomResourceDefinition in %s", dir)
		}
	}
	return v, nil
}

// Add loads one CRD. Only its served versions can be validated.
func (v *Validator) Add(crd *apiextensionsv1.CustomResourceDefinition) error {
	for _, ver := range crd.Spec.Versions {
		if !ver.Served {
			continue
		}
		k, err := newKindSchema(crd, ver)
		if err != nil {
			return fmt.Errorf("CRD %s version %s: %w", crd.Name, ver.Name, err)
		}
		v.kinds[schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}] = k
	}
	return nil
}

// Kinds lists the kinds the Validator knows, sorted.
func (v *Validator) Kinds() []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(v.kinds))
	for gvk := range v.kinds {
		out = append(out, gvk)
	}
	slices.SortFunc(out, func(a, b schema.GroupVersionKind) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// loadDir reads the CRDs of the YAML files directly in dir. The files are
// read through os.DirFS(dir), by the names the directory lists.
func (v *Validator) loadDir(dir string) (int, error) {
	files := os.DirFS(dir)
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return 0, fmt.Errorf("reading CRDs in %s: %w", dir, err)
	}
	n := 0
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := fs.ReadFile(files, e.Name())
		if err != nil {
			return n, fmt.Errorf("reading CRDs in %s: %w", dir, err)
		}
		crds, err := decodeCRDs(data)
		if err != nil {
			return n, fmt.Errorf("%s: %w", path, err)
		}
		for _, crd := range crds {
			if err := v.Add(crd); err != nil {
				return n, fmt.Errorf("%s: %w", path, err)
			}
			n++
		}
	}
	return n, nil
}

// decodeCRDs returns the CustomResourceDefinitions among the YAML documents.
func decodeCRDs(data []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*apiextensionsv1.CustomResourceDefinition
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var head struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, err
		}
		if head.Kind != "CustomResourceDefinition" || head.APIVersion != apiextensionsv1.SchemeGroupVersion.String() {
			continue
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(doc, crd); err != nil {
			return nil, err
		}
		out = append(out, crd)
	}
}

// newKindSchema builds the structural schema (with its defaults pruned, as
// the API server does), the OpenAPI validator and the CEL validator of one
// version, the way the API server's CRD handler does.
func newKindSchema(crd *apiextensionsv1.CustomResourceDefinition, ver apiextensionsv1.CustomResourceDefinitionVersion) (*kindSchema, error) {
	if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return nil, errors.New("has no openAPIV3Schema")
	}
	if crd.Spec.PreserveUnknownFields {
		return nil, errors.New("preserveUnknownFields is not supported")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
		return nil, fmt.Errorf("converting the schema: %w", err)
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("the schema is not structural: %w", err)
	}
	s = s.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(s); err != nil {
		return nil, fmt.Errorf("pruning defaults: %w", err)
	}
	openAPI, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("building the OpenAPI validator: %w", err)
	}
	return &kindSchema{
		namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		hasStatus:  ver.Subresources != nil && ver.Subresources.Status != nil,
		structural: s,
		openAPI:    openAPI,
		cel:        cel.NewValidator(s, true, celconfig.PerCallLimit),
	}, nil
}

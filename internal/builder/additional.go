package builder

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsjson "sigs.k8s.io/json"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// additional is one additionalConfigurations object of a FluxConfig and
// what it may set.
type additional struct {
	// field is where it is in the FluxConfig, for messages.
	field string
	// kind names the Flux spec it goes into, for messages.
	kind string
	// fields are its keys and values.
	fields map[string]apiextensionsv1.JSON
	// refused are the keys it may not set: the fields its API type declares.
	refused []string
	// appends are the list keys whose items go after the controller's own.
	appends []string
}

// newAdditional reads an additionalConfigurations object, v being a
// pointer (maybe nil) to one of the API's *AdditionalConfigurations types:
// the keys it refuses are that type's declared fields.
func newAdditional(field, kind string, v any) additional {
	a := additional{field: field, kind: kind}
	rv := reflect.ValueOf(v)
	t := rv.Type().Elem()
	for i := range t.NumField() {
		if f := t.Field(i); !f.Anonymous {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			a.refused = append(a.refused, name)
		}
	}
	if !rv.IsNil() {
		a.fields = rv.Elem().FieldByName("AdditionalConfigurations").Interface().(v1alpha1.AdditionalConfigurations).Fields
	}
	return a
}

func fluxKind(kind string, gv fmt.Stringer) string { return kind + " (" + gv.String() + ")" }

// sourceAdditional is the additionalConfigurations of the FluxConfig's
// source.
func sourceAdditional(fc *v1alpha1.FluxConfig) additional {
	s := fc.Spec
	src, bucket := fluxKind(sourcev1.GitRepositoryKind, sourcev1.GroupVersion), fluxKind(sourcev1.BucketKind, sourcev1.GroupVersion)
	switch {
	case s.GitRepository != nil:
		return newAdditional("spec.gitRepository.additionalConfigurations", src, s.GitRepository.AdditionalConfigurations)
	case s.Bucket != nil:
		return newAdditional("spec.bucket.additionalConfigurations", bucket, s.Bucket.AdditionalConfigurations)
	case s.AzureBlob != nil:
		return newAdditional("spec.azureBlob.additionalConfigurations", bucket, s.AzureBlob.AdditionalConfigurations)
	case s.OCIRepository != nil:
		return newAdditional("spec.ociRepository.additionalConfigurations",
			fluxKind(sourcev1.OCIRepositoryKind, sourcev1.GroupVersion), s.OCIRepository.AdditionalConfigurations)
	}
	return additional{}
}

// kustomizationAdditional is the additionalConfigurations of one
// kustomization; its patches go after the managed-source patch.
func kustomizationAdditional(k v1alpha1.KustomizationDefinition) additional {
	a := newAdditional("spec.kustomizations["+k.Name+"].additionalConfigurations",
		fluxKind(kustomizev1.KustomizationKind, kustomizev1.GroupVersion), k.AdditionalConfigurations)
	a.appends = []string{"patches"}
	return a
}

// mergeSourceAdditional merges the source's additionalConfigurations into
// the generated source's spec.
func mergeSourceAdditional(fc *v1alpha1.FluxConfig, src client.Object) error {
	a := sourceAdditional(fc)
	switch s := src.(type) {
	case *sourcev1.GitRepository:
		return a.merge(&s.Spec)
	case *sourcev1.Bucket:
		return a.merge(&s.Spec)
	case *sourcev1.OCIRepository:
		return a.merge(&s.Spec)
	}
	return nil
}

// mergeKustomizationAdditional merges a kustomization's
// additionalConfigurations into its Kustomization, and refuses under scope
// namespace what would reach another namespace.
func mergeKustomizationAdditional(fc *v1alpha1.FluxConfig, k v1alpha1.KustomizationDefinition, ks *kustomizev1.Kustomization) error {
	a := kustomizationAdditional(k)
	if err := a.merge(&ks.Spec); err != nil {
		return err
	}
	if fc.Spec.Scope != v1alpha1.ScopeNamespace {
		return nil
	}
	if t := ks.Spec.TargetNamespace; t != "" && t != fc.Namespace {
		return configErr(a.field+".targetNamespace", "is %s, but a FluxConfig of scope namespace applies to its own namespace only; remove it, set it to %s, or use scope cluster", t, fc.Namespace)
	}
	for i, hc := range ks.Spec.HealthChecks {
		if hc.Namespace != "" && hc.Namespace != fc.Namespace {
			return configErr(fmt.Sprintf("%s.healthChecks[%d].namespace", a.field, i), "is %s, but a FluxConfig of scope namespace may only check objects of its own namespace %s", hc.Namespace, fc.Namespace)
		}
	}
	return nil
}

// merge checks every key on its own against the Flux spec type (strictly:
// case-sensitive, no unknown field, the right JSON types), then sets them
// all in spec, a pointer to a Flux spec struct.
func (a additional) merge(spec any) error {
	if len(a.fields) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(a.fields))
	for _, k := range keys {
		if slices.Contains(a.refused, k) {
			return configErr(a.field+"."+k, "is refused: a typed field of the FluxConfig sets it, or it would reach beyond the FluxConfig's namespace or identity; docs/api.md lists these keys and what to set instead")
		}
		one, err := json.Marshal(map[string]apiextensionsv1.JSON{k: a.fields[k]})
		if err != nil {
			return configErr(a.field+"."+k, "is not valid JSON: %s", err.Error())
		}
		if err := decodeStrict(one, reflect.New(reflect.TypeOf(spec).Elem()).Interface()); err != nil {
			return configErr(a.field+"."+k, "does not fit the spec of Flux's %s: %s", a.kind, describeJSONError(err, reflect.TypeOf(spec).Elem()))
		}
	}
	return a.set(spec)
}

// set writes the keys into spec through its JSON form; list keys in
// appends go after what the controller set.
func (a additional) set(spec any) error {
	current := map[string]json.RawMessage{}
	b, err := json.Marshal(spec)
	if err == nil {
		err = json.Unmarshal(b, &current)
	}
	if err != nil {
		return fmt.Errorf("reading the generated %s spec: %w", a.kind, err)
	}
	for k, v := range a.fields {
		raw := json.RawMessage(v.Raw)
		if old, ok := current[k]; ok && slices.Contains(a.appends, k) {
			var before, after []json.RawMessage
			_ = json.Unmarshal(old, &before) // both checked: lists or null
			_ = json.Unmarshal(v.Raw, &after)
			raw, _ = json.Marshal(append(before, after...))
		}
		current[k] = raw
	}
	merged, err := json.Marshal(current)
	if err != nil {
		return fmt.Errorf("merging %s: %w", a.field, err)
	}
	reflect.ValueOf(spec).Elem().SetZero()
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(merged, spec); err != nil {
		return fmt.Errorf("merging %s: %w", a.field, err)
	}
	return nil
}

// decodeStrict decodes like the API server reads JSON: case-sensitive, and
// refusing unknown and duplicate fields.
func decodeStrict(data []byte, into any) error {
	strict, err := sigsjson.UnmarshalStrict(data, into)
	if err == nil && len(strict) > 0 {
		err = strict[0]
	}
	return err
}

// typeError reads encoding/json's "cannot unmarshal <JSON type> into Go
// struct field <Type>.<path> of type <Go type>".
var typeError = regexp.MustCompile(`cannot\sunmarshal\s(\w+)\sinto\sGo\sstruct\sfield\s\w+\.(\S+)\sof\stype`)

// describeJSONError words a decoding error into spec (a Flux spec type)
// for a user who writes YAML: the JSON kind a field wants, not Go's types.
func describeJSONError(err error, spec reflect.Type) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	m := typeError.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := jsonKindAt(spec, m[2])
	if want == "" {
		return msg
	}
	return fmt.Sprintf("%s must be %s; the value given is a JSON %s", m[2], want, m[1])
}

// jsonKindAt is the JSON kind the field at a dotted path of JSON names
// (as encoding/json reports it: list items have no index) decodes from.
func jsonKindAt(t reflect.Type, path string) string {
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return ""
		}
		f, ok := fieldByJSONName(t, name)
		if !ok {
			return ""
		}
		t = f.Type
	}
	return jsonKind(t)
}

func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonKind is the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[metav1.Duration]():
		return "a duration such as 5m"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice:
		return "a list"
	case t.Kind() == reflect.Map || t.Kind() == reflect.Struct:
		return "an object"
	}
	return ""
}

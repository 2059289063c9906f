package arm

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Decode reads a resource from JSON. A property that neither api-version
// has is an error naming its path, as is a value of the wrong type.
func Decode(data []byte) (*Resource, error) {
	r := &Resource{}
	if err := json.Unmarshal(data, r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, &FieldError{Path: te.Field, Message: fmt.Sprintf("is a JSON %s, want %s", te.Value, te.Type)}
		}
		return nil, fmt.Errorf("reading the ARM resource: %w", err)
	}
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("reading the ARM resource: %w", err)
	}
	var errs fieldErrors
	unknownFields(raw, reflect.TypeOf(Resource{}), "", &errs)
	return r, errs.err()
}

var (
	kustomizationsType = reflect.TypeOf(Kustomizations{})
	kustomizationType  = reflect.TypeOf(Kustomization{})
	rawJSONType        = reflect.TypeOf(json.RawMessage{})
)

// unknownFields reports every key of v that the Go type t has no field for.
func unknownFields(v any, t reflect.Type, path string, errs *fieldErrors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == kustomizationsType {
		t = reflect.MapOf(reflect.TypeOf(""), kustomizationType)
	}
	switch t.Kind() {
	case reflect.Struct:
		m, _ := v.(map[string]any)
		for key, val := range m {
			f, ok := jsonField(t, key)
			if !ok {
				errs.addf(join(path, key), "is not a property of %s in api-version %s or %s", ResourceType, APIVersionStable, APIVersionPreview)
				continue
			}
			unknownFields(val, f, join(path, key), errs)
		}
	case reflect.Map:
		m, _ := v.(map[string]any)
		if t.Elem().Kind() == reflect.Interface || t.Elem() == rawJSONType {
			return // free-form
		}
		for key, val := range m {
			unknownFields(val, t.Elem(), join(path, key), errs)
		}
	case reflect.Slice:
		l, _ := v.([]any)
		for i, val := range l {
			unknownFields(val, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

func jsonField(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == key {
			return f.Type, true
		}
	}
	return nil, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

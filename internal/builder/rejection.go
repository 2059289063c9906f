package builder

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// AdditionalRejectedError is the API server's refusal of a generated Flux
// object that additionalConfigurations went into, with the keys it is
// about: the builder checks their names and JSON types, the Flux CRD the
// rest (enums, patterns, its CEL rules).
type AdditionalRejectedError struct {
	// Fields are the additionalConfigurations keys the refusal names, as
	// FluxConfig paths; when it names none of them, Field and Keys say
	// what was merged in.
	Fields []string
	Field  string
	Keys   []string
	Err    error
}

func (e *AdditionalRejectedError) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: Flux's CRD refuses it: %v", strings.Join(e.Fields, ", "), e.Err)
	}
	return fmt.Sprintf("the object has %s (%s) merged in: %v", e.Field, strings.Join(e.Keys, ", "), e.Err)
}

func (e *AdditionalRejectedError) Unwrap() error { return e.Err }

// NameAdditionalKeys returns err, the API server's refusal of obj, naming
// the additionalConfigurations keys of fc that went into obj; err as it is
// when none did.
func NameAdditionalKeys(fc *v1alpha1.FluxConfig, obj client.Object, err error) error {
	a, ok := additionalOf(fc, obj)
	if !ok || len(a.fields) == 0 {
		return err
	}
	keys := slices.Sorted(maps.Keys(a.fields))
	out := &AdditionalRejectedError{Field: a.field, Keys: keys, Err: err}
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return out
	}
	for _, c := range status.Status().Details.Causes {
		key, _, _ := strings.Cut(strings.TrimPrefix(c.Field, "spec."), ".")
		key, _, _ = strings.Cut(key, "[")
		if path := a.field + "." + key; slices.Contains(keys, key) && !slices.Contains(out.Fields, path) {
			out.Fields = append(out.Fields, path)
		}
	}
	return out
}

// additionalOf finds the additionalConfigurations that went into obj.
func additionalOf(fc *v1alpha1.FluxConfig, obj client.Object) (additional, bool) {
	if _, ok := obj.(*kustomizev1.Kustomization); ok {
		for _, k := range fc.Spec.Kustomizations {
			if KustomizationName(fc, k.Name) == obj.GetName() {
				return kustomizationAdditional(k), true
			}
		}
		return additional{}, false
	}
	if obj.GetObjectKind().GroupVersionKind().Kind == FluxSourceKind(fc) && obj.GetName() == SourceName(fc) {
		return sourceAdditional(fc), true
	}
	return additional{}, false
}

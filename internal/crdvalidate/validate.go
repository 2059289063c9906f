package crdvalidate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/operation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
)

// Validate checks obj as the API server checks a create request for it:
// decoding with strict field validation, defaulting, create preparation and
// validation (see the package documentation). obj itself is not changed.
// An empty list means the API server would accept the object (admission
// webhooks and policies aside). The findings are sorted by field path; an
// unknown field is reported along with the validation findings, where the
// API server, asked for strict field validation, stops at it.
func (v *Validator) Validate(obj *unstructured.Unstructured) field.ErrorList {
	k, errs := v.kindOf(obj)
	if errs != nil {
		return errs
	}
	u := obj.DeepCopy()
	unknown, err := k.decode(u)
	if err != nil {
		return field.ErrorList{err}
	}
	structuraldefaulting.Default(u.Object, k.structural)
	k.prepareForCreate(u)
	return sorted(append(unknown, k.validate(u)...))
}

// sorted orders findings by field path, then message. The API server's
// order follows map iteration, so it changes from call to call; a stable
// order makes the findings comparable.
func sorted(errs field.ErrorList) field.ErrorList {
	slices.SortStableFunc(errs, func(a, b *field.Error) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.ErrorBody(), b.ErrorBody()))
	})
	return errs
}

// Default applies to obj, in place, what the API server does to a create
// request before it validates it: unknown fields pruned, nulls without a
// default dropped, and the schema's defaults filled in. It returns the
// findings of that step (unknown fields, malformed metadata); the object is
// defaulted even when there are some.
func (v *Validator) Default(obj *unstructured.Unstructured) field.ErrorList {
	k, errs := v.kindOf(obj)
	if errs != nil {
		return errs
	}
	unknown, err := k.decode(obj)
	if err != nil {
		return field.ErrorList{err}
	}
	structuraldefaulting.Default(obj.Object, k.structural)
	return unknown
}

func (v *Validator) kindOf(obj *unstructured.Unstructured) (*kindSchema, field.ErrorList) {
	gvk := obj.GroupVersionKind()
	k, ok := v.kinds[gvk]
	if !ok {
		return nil, field.ErrorList{field.NotSupported(field.NewPath("kind"), gvk.String(), v.kindNames())}
	}
	return k, nil
}

func (v *Validator) kindNames() []string {
	var names []string
	for _, gvk := range v.Kinds() {
		names = append(names, gvk.String())
	}
	return names
}

// decode is what the API server's schema-coercing decoder does to a
// request body: prune fields the schema does not declare (returned as
// findings, the way strict field validation reports them), drop nulls that
// have no default, and coerce metadata.
func (k *kindSchema) decode(u *unstructured.Unstructured) (field.ErrorList, *field.Error) {
	kind, apiVersion := u.GetKind(), u.GetAPIVersion()
	meta, hasMeta, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, field.Invalid(field.NewPath("metadata"), nil, err.Error())
	}
	paths := append(metaUnknown, structuralpruning.PruneWithOptions(u.Object, k.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, k.structural)
	ferr, coerced := schemaobjectmeta.CoerceWithOptions(nil, u.Object, k.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if ferr != nil {
		return nil, ferr
	}
	paths = append(paths, coerced...)
	u.SetKind(kind)
	u.SetAPIVersion(apiVersion)
	if hasMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, meta); err != nil {
			return nil, field.Invalid(field.NewPath("metadata"), nil, err.Error())
		}
	}
	var unknown field.ErrorList
	for _, p := range paths {
		unknown = append(unknown, UnknownField(p))
	}
	return unknown, nil
}

// UnknownField is the finding for a field the schema does not declare. The
// API server refuses it with `unknown field "<path>"` when the request asks
// for strict field validation (kubectl's default); otherwise it drops the
// field and warns.
func UnknownField(path string) *field.Error {
	return &field.Error{Type: field.ErrorTypeForbidden, Field: path, BadValue: "", Detail: unknownFieldDetail(path)}
}

// IsUnknownField tells whether a finding is an UnknownField.
func IsUnknownField(e *field.Error) bool {
	return e.Type == field.ErrorTypeForbidden && e.Detail == unknownFieldDetail(e.Field)
}

func unknownFieldDetail(path string) string { return fmt.Sprintf("unknown field %q", path) }

// generatedSuffix stands for the 5 random characters the API server
// appends to metadata.generateName.
const generatedSuffix = "x0x0x"

// prepareForCreate: a create cannot set status when the status subresource
// exists, the generation starts at 1, and a name is generated from
// generateName.
func (k *kindSchema) prepareForCreate(u *unstructured.Unstructured) {
	if k.hasStatus {
		delete(u.Object, "status")
	}
	u.SetGeneration(1)
	if u.GetName() == "" && u.GetGenerateName() != "" {
		u.SetName(u.GetGenerateName() + generatedSuffix)
	}
}

// validate runs the checks of the API server's custom resource strategy in
// its order.
func (k *kindSchema) validate(u *unstructured.Unstructured) field.ErrorList {
	ctx := context.Background()
	errs := k.validateMeta(ctx, u)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.UnstructuredContent(), k.openAPI)...)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, u.Object, k.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, k.structural, u.Object)...)
	if k.cel == nil {
		return errs
	}
	if blocking := blockingError(errs); blocking != nil {
		return append(errs, blocking)
	}
	celErrs, _ := k.cel.Validate(ctx, nil, k.structural, u.Object, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

func (k *kindSchema) validateMeta(ctx context.Context, u *unstructured.Unstructured) field.ErrorList {
	raw, ok := u.Object["metadata"]
	meta := &metav1.ObjectMeta{}
	if ok && raw != nil {
		m, isMap := raw.(map[string]any)
		if !isMap {
			return field.ErrorList{field.Invalid(field.NewPath("metadata"), raw, fmt.Sprintf("expected map[string]interface{}, got %T", raw))}
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, meta); err != nil {
			return field.ErrorList{field.Invalid(field.NewPath("metadata"), raw, err.Error())}
		}
	}
	return apivalidation.ValidateObjectMetaDeclaratively(ctx, operation.Create, meta, nil, k.namespaced,
		apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"), utilfeature.DefaultFeatureGate.Enabled(features.DeclarativeValidationBeta))
}

// blockingError mirrors the API server: after a schema error of one of
// these types (a missing required field, a wrong type, a value over a
// limit, a value not in an enum), the CEL rules are not evaluated, and one
// finding says so.
func blockingError(errs field.ErrorList) *field.Error {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")
		}
	}
	return nil
}

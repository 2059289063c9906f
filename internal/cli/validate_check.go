package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
)

// Who finds a problem, in the order a FluxConfig meets them.
const (
	// stageInput: the document is not YAML or JSON.
	stageInput = "input"
	// stageAdmission: the API server refuses the FluxConfig (the CRD's
	// OpenAPI schema and CEL rules, strict field validation).
	stageAdmission = "admission"
	// stageReconcile: admitted, but the controller stalls it
	// (InvalidConfiguration): what CEL cannot see.
	stageReconcile = "reconcile"
	// stageFlux: a Flux CRD refuses a generated object (Rejected); only
	// with --flux-crds.
	stageFlux = "flux"
)

// finding is one problem: where, what the API server or the controller
// says, and what to change.
type finding struct {
	Stage   string `json:"stage"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// result is the verdict on one FluxConfig (or on a document that could
// not be read).
type result struct {
	Source    string    `json:"source"`
	Namespace string    `json:"namespace,omitempty"`
	Name      string    `json:"name,omitempty"`
	Findings  []finding `json:"findings"`
	Notes     []string  `json:"notes,omitempty"`
}

// offlineUID stands for the UID the API server gives a FluxConfig: the
// generated objects' ownerReferences need one.
const offlineUID = types.UID("00000000-0000-0000-0000-000000000000")

// checker judges FluxConfigs as the API server and a controller with the
// given options do.
type checker struct {
	crd *crdvalidate.Validator
	// flux validates the generated Flux objects; nil without --flux-crds.
	flux      *crdvalidate.Validator
	opts      builder.Options
	namespace string
	secrets   []*corev1.Secret
}

// check judges one document; ok is false when it is not a FluxConfig.
func (c *checker) check(d document) (r result, ok bool) {
	r = result{Source: d.source, Findings: []finding{}}
	if d.err != nil {
		r.Findings = append(r.Findings, finding{Stage: stageInput, Message: d.err.Error(), Fix: "write one YAML or JSON object per document"})
		return r, true
	}
	var head struct{ Kind string }
	if json.Unmarshal(d.json, &head) != nil || head.Kind != "FluxConfig" {
		return r, false
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(d.json); err != nil {
		r.Findings = append(r.Findings, finding{Stage: stageInput, Message: err.Error(), Fix: "write the FluxConfig as a Kubernetes object: apiVersion, kind, metadata, spec"})
		return r, true
	}
	if u.GetNamespace() == "" {
		u.SetNamespace(c.namespace)
	}
	r.Namespace, r.Name = u.GetNamespace(), u.GetName()
	if errs := c.crd.Validate(u); len(errs) > 0 {
		r.Findings = admissionFindings(errs)
		return r, true
	}
	fc, err := c.stored(u)
	if err != nil {
		r.Findings = append(r.Findings, finding{Stage: stageAdmission, Field: "spec", Message: err.Error()})
		return r, true
	}
	protected, note := c.protected(fc)
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	built, err := buildOffline(fc, protected, c.opts)
	if err != nil {
		r.Findings = append(r.Findings, reconcileFinding(err))
		return r, true
	}
	r.Findings = append(r.Findings, c.fluxFindings(fc, built)...)
	return r, true
}

// stored is the FluxConfig as the API server stores it (defaults filled
// in) and the controller reads it.
func (c *checker) stored(u *unstructured.Unstructured) (*v1alpha1.FluxConfig, error) {
	s := u.DeepCopy()
	c.crd.Default(s)
	raw, err := json.Marshal(s.Object)
	if err != nil {
		return nil, err
	}
	fc := &v1alpha1.FluxConfig{}
	if err := json.Unmarshal(raw, fc); err != nil {
		return nil, fmt.Errorf("the admitted FluxConfig does not decode into the API's Go type: %w", err)
	}
	fc.UID = offlineUID
	return fc, nil
}

func admissionFindings(errs field.ErrorList) []finding {
	out := make([]finding, 0, len(errs))
	for _, e := range errs {
		out = append(out, finding{Stage: stageAdmission, Field: e.Field, Message: e.ErrorBody(), Fix: fixForFieldError(e)})
	}
	return out
}

func reconcileFinding(err error) finding {
	var cfg *builder.ConfigError
	if errors.As(err, &cfg) {
		return finding{Stage: stageReconcile, Field: cfg.Field, Message: cfg.Message, Fix: fixFromMessage(cfg.Field, cfg.Message)}
	}
	return finding{Stage: stageReconcile, Message: err.Error()}
}

// buildOffline builds what the controller would, with its placeholder for
// a key it would generate.
func buildOffline(fc *v1alpha1.FluxConfig, protected map[string][]byte, opts builder.Options) (*builder.Objects, error) {
	in := builder.Input{Config: fc, Protected: protected}
	if builder.NeedsGeneratedKey(fc, protected) {
		key := GeneratedKeyPlaceholder
		in.GeneratedKey = &key
	}
	return builder.Build(in, opts)
}

// fluxGroups are the API groups of the generated objects Flux's CRDs
// define.
var fluxGroups = []string{"source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"}

// fluxFindings checks the generated Flux objects against Flux's CRDs, as
// the API server does when the controller applies them, naming the
// additionalConfigurations keys a refusal is about.
func (c *checker) fluxFindings(fc *v1alpha1.FluxConfig, built *builder.Objects) []finding {
	if c.flux == nil {
		return nil
	}
	var out []finding
	for _, obj := range built.All() {
		gvk := obj.GetObjectKind().GroupVersionKind()
		if !slices.Contains(fluxGroups, gvk.Group) {
			continue
		}
		u, err := toUnstructured(obj)
		if err != nil {
			out = append(out, finding{Stage: stageFlux, Message: err.Error()})
			continue
		}
		errs := c.flux.Validate(u)
		if len(errs) == 0 {
			continue
		}
		out = append(out, fluxRefusal(fc, obj.GetName(), gvk, errs, builder.NameAdditionalKeys(fc, obj, invalid(gvk, obj.GetName(), errs))))
	}
	return out
}

func toUnstructured(obj client.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("reading the generated %s %s: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), err)
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// invalid is the API server's 422 answer with these causes.
func invalid(gvk schema.GroupVersionKind, name string, errs field.ErrorList) error {
	return apierrors.NewInvalid(gvk.GroupKind(), name, errs)
}

// fluxRefusal words a Flux CRD's refusal as the controller's Rejected
// status does, on the additionalConfigurations keys it is about when
// there are some.
func fluxRefusal(fc *v1alpha1.FluxConfig, name string, gvk schema.GroupVersionKind, errs field.ErrorList, named error) finding {
	msg := fmt.Sprintf("the API server would refuse %s %s/%s: %v", gvk.Kind, fc.Namespace, name, errs.ToAggregate())
	f := finding{Stage: stageFlux, Message: msg, Fix: "fix the value for Flux's " + gvk.Kind + " spec: `kubectl explain " + strings.ToLower(gvk.Kind) + ".spec` describes it"}
	var rejected *builder.AdditionalRejectedError
	if errors.As(named, &rejected) {
		f.Field = rejected.Field
		if len(rejected.Fields) > 0 {
			f.Field = strings.Join(rejected.Fields, ", ")
		}
	}
	return f
}

package arm

import (
	"encoding/json"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// ToOptions tune ToARM.
type ToOptions struct {
	// WithoutSecrets writes no protected settings, as a GET response
	// carries none, instead of requiring the protected parameters Secret.
	WithoutSecrets bool
}

// toARM is the state of one conversion to ARM.
type toARM struct {
	errs fieldErrors
}

// ToARM converts a FluxConfig and its Secrets to an ARM resource: a PUT
// body, plus the read-only properties (status, id, kustomization names)
// when the FluxConfig has a status or came from a GET response. Values are
// written only where they differ from ARM's defaults. Every problem is
// reported, each as a *FieldError with its FluxConfig path.
func ToARM(c *Converted, opts ToOptions) (*Resource, error) {
	fc := c.Config
	t := &toARM{}
	r := t.envelope(fc)
	p := r.Properties
	get := r.ID != "" || hasStatus(fc.Status)
	p.GitRepository = t.git(fc.Spec.GitRepository)
	p.Bucket = t.bucket(fc.Spec.Bucket)
	p.AzureBlob = t.azureBlob(fc.Spec.AzureBlob)
	p.OCIRepository = t.oci(fc.Spec.OCIRepository, c)
	p.Kustomizations = t.kustomizations(fc.Spec.Kustomizations, get)
	t.protected(c, p, opts)
	if get {
		toStatus(fc.Status, p)
	}
	if err := t.errs.err(); err != nil {
		return nil, err
	}
	return r, nil
}

// envelope writes the resource's name, type, id and systemData, and the
// properties that describe the Azure resource, from the annotations
// FromARM kept them in.
func (t *toARM) envelope(fc *v1alpha1.FluxConfig) *Resource {
	ann := fc.Annotations
	r := &Resource{ID: ann[AnnotationResourceID], Name: fc.Name, Type: ResourceType, Properties: &Properties{
		Scope:                      fc.Spec.Scope,
		Namespace:                  fc.Namespace,
		SourceKind:                 fc.Spec.SourceKind,
		Suspend:                    omitDefault(fc.Spec.Suspend, false),
		ReconciliationWaitDuration: ann[AnnotationReconciliationWaitDuration],
	}}
	annPath := func(key string) string { return "metadata.annotations[" + key + "]" }
	if s, ok := ann[AnnotationSystemData]; ok {
		r.SystemData = &SystemData{}
		if err := json.Unmarshal([]byte(s), r.SystemData); err != nil {
			t.errs.addf(annPath(AnnotationSystemData), "is not ARM systemData JSON: %v", err)
		}
	}
	if s, ok := ann[AnnotationWaitForReconciliation]; ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			t.errs.addf(annPath(AnnotationWaitForReconciliation), "is %q: use true or false", s)
		}
		r.Properties.WaitForReconciliation = &b
	}
	return r
}

func hasStatus(st v1alpha1.FluxConfigStatus) bool {
	return st.ComplianceState != "" || st.ProvisioningState != "" || st.ErrorMessage != "" ||
		st.SourceSyncedCommitID != "" || st.RepositoryPublicKey != "" || len(st.Statuses) > 0
}

// seconds turns a duration into ARM's *InSeconds, which has no fractions.
func (t *toARM) seconds(path string, d *metav1.Duration) *int64 {
	if d == nil {
		return nil
	}
	if d.Duration%time.Second != 0 || d.Duration < 0 {
		t.errs.addf(path, "%s is not a whole, non-negative number of seconds, which ARM's *InSeconds properties need", d.Duration)
		return nil
	}
	s := int64(d.Duration / time.Second)
	return &s
}

// omitDefault is a bool ARM reads as def when absent: nil when it is def.
func omitDefault(v, def bool) *bool {
	if v == def {
		return nil
	}
	return &v
}

package arm

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// status reads the properties the agent reports. Kubernetes keeps
// timestamps to the second.
func (f *fromARM) status(p *Properties) v1alpha1.FluxConfigStatus {
	st := v1alpha1.FluxConfigStatus{
		ComplianceState:      p.ComplianceState,
		ProvisioningState:    p.ProvisioningState,
		ErrorMessage:         p.ErrorMessage,
		RepositoryPublicKey:  p.RepositoryPublicKey,
		SourceSyncedCommitID: FluxRevision(p.SourceSyncedCommitID),
		SourceUpdatedAt:      f.time("properties.sourceUpdatedAt", p.SourceUpdatedAt),
		StatusUpdatedAt:      f.time("properties.statusUpdatedAt", p.StatusUpdatedAt),
	}
	for i, s := range p.Statuses {
		path := fmt.Sprintf("properties.statuses[%d]", i)
		e := v1alpha1.ObjectStatusDefinition{
			Name: s.Name, Namespace: s.Namespace, Kind: s.Kind, ComplianceState: s.ComplianceState,
		}
		if s.AppliedBy != nil {
			e.AppliedBy = &v1alpha1.ObjectReferenceDefinition{Name: s.AppliedBy.Name, Namespace: s.AppliedBy.Namespace}
		}
		for j, c := range s.StatusConditions {
			e.StatusConditions = append(e.StatusConditions, v1alpha1.ObjectStatusConditionDefinition{
				Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message,
				LastTransitionTime: f.time(fmt.Sprintf("%s.statusConditions[%d].lastTransitionTime", path, j), c.LastTransitionTime),
			})
		}
		e.HelmReleaseProperties = helmFromARM(s.HelmReleaseProperties)
		st.Statuses = append(st.Statuses, e)
	}
	return st
}

func helmFromARM(h *HelmReleaseProperties) *v1alpha1.HelmReleasePropertiesDefinition {
	if h == nil {
		return nil
	}
	out := &v1alpha1.HelmReleasePropertiesDefinition{
		LastRevisionApplied: derefInt(h.LastRevisionApplied),
		FailureCount:        derefInt(h.FailureCount),
		InstallFailureCount: derefInt(h.InstallFailureCount),
		UpgradeFailureCount: derefInt(h.UpgradeFailureCount),
	}
	if r := h.HelmChartRef; r != nil {
		out.HelmChartRef = &v1alpha1.ObjectReferenceDefinition{Name: r.Name, Namespace: r.Namespace}
	}
	return out
}

func (f *fromARM) time(path, s string) *metav1.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		f.errs.addf(path, "is %q, not an RFC 3339 date-time", s)
		return nil
	}
	mt := metav1.NewTime(t.UTC().Truncate(time.Second))
	return &mt
}

// toStatus writes the properties the agent reports from the FluxConfig's
// status. Its conditions, observedGeneration and sourceUrl have no place in
// the Azure model: the agent reports complianceState and errorMessage.
func toStatus(st v1alpha1.FluxConfigStatus, p *Properties) {
	p.ComplianceState = st.ComplianceState
	p.ProvisioningState = st.ProvisioningState
	p.ErrorMessage = st.ErrorMessage
	p.RepositoryPublicKey = st.RepositoryPublicKey
	p.SourceSyncedCommitID = AzureRevision(st.SourceSyncedCommitID)
	p.SourceUpdatedAt = formatTime(st.SourceUpdatedAt)
	p.StatusUpdatedAt = formatTime(st.StatusUpdatedAt)
	for _, e := range st.Statuses {
		s := ObjectStatus{Name: e.Name, Namespace: e.Namespace, Kind: e.Kind, ComplianceState: e.ComplianceState}
		if e.AppliedBy != nil {
			s.AppliedBy = &ObjectReference{Name: e.AppliedBy.Name, Namespace: e.AppliedBy.Namespace}
		}
		for _, c := range e.StatusConditions {
			s.StatusConditions = append(s.StatusConditions, StatusCondition{
				Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message,
				LastTransitionTime: formatTime(c.LastTransitionTime),
			})
		}
		s.HelmReleaseProperties = helmToARM(e.HelmReleaseProperties)
		p.Statuses = append(p.Statuses, s)
	}
}

func helmToARM(h *v1alpha1.HelmReleasePropertiesDefinition) *HelmReleaseProperties {
	if h == nil {
		return nil
	}
	out := &HelmReleaseProperties{
		LastRevisionApplied: nonZero(h.LastRevisionApplied),
		FailureCount:        nonZero(h.FailureCount),
		InstallFailureCount: nonZero(h.InstallFailureCount),
		UpgradeFailureCount: nonZero(h.UpgradeFailureCount),
	}
	if r := h.HelmChartRef; r != nil {
		out.HelmChartRef = &ObjectReference{Name: r.Name, Namespace: r.Namespace}
	}
	return out
}

func formatTime(t *metav1.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func derefInt(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

package status

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/equality"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

var (
	// t0 is when the Flux objects' conditions last changed; t1 and t2 are
	// the clock of two reconcile passes.
	t0      = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	tSource = metav1.NewTime(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC))
	t1      = metav1.NewTime(time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC))
	t2      = metav1.NewTime(time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC))
)

const revision = "main@sha1:0123456789abcdef0123456789abcdef01234567"

func gitSource() Object {
	rt := tSource
	return Object{Kind: "GitRepository", Namespace: "team-a", Name: "cfg", Found: true,
		Generation: 1, ObservedGeneration: 1, Revision: revision, RevisionTime: &rt,
		Conditions: []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionTrue, "Succeeded", "stored artifact for revision '"+revision+"'")}}
}

func kustomization(name string, conds ...metav1.Condition) Object {
	return Object{Kind: "Kustomization", Namespace: "team-a", Name: name, Found: true,
		Generation: 1, ObservedGeneration: 1, Revision: revision, Conditions: conds}
}

func compliantReport() Report {
	return Report{Generation: 5, SourceURL: "https://example.com/org/repo.git",
		Objects: []Object{gitSource(), kustomization("cfg-apps", readyTrue())}}
}

// condWant is what a test expects of one FluxConfig condition; a nil
// *condWant means the condition must be absent.
type condWant struct {
	status      metav1.ConditionStatus
	reason      string
	msgContains string
}

func checkCondition(t *testing.T, conds []metav1.Condition, typ string, want *condWant, generation int64) {
	t.Helper()
	c := apimeta.FindStatusCondition(conds, typ)
	switch {
	case want == nil && c != nil:
		t.Errorf("condition %s present (%s/%s: %q), want absent", typ, c.Status, c.Reason, c.Message)
	case want == nil:
	case c == nil:
		t.Errorf("condition %s absent, want %s/%s", typ, want.status, want.reason)
	default:
		if c.Status != want.status || c.Reason != want.reason {
			t.Errorf("condition %s = %s/%s, want %s/%s (message %q)", typ, c.Status, c.Reason, want.status, want.reason, c.Message)
		}
		if !strings.Contains(c.Message, want.msgContains) {
			t.Errorf("condition %s message %q does not contain %q", typ, c.Message, want.msgContains)
		}
		if c.ObservedGeneration != generation {
			t.Errorf("condition %s observedGeneration %d, want %d", typ, c.ObservedGeneration, generation)
		}
	}
}

// staleConditions are left from an earlier pass; Compute must replace or
// drop each of them.
func staleConditions() []metav1.Condition {
	return []metav1.Condition{
		{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: "Old", Message: "old", ObservedGeneration: 4, LastTransitionTime: t0},
		{Type: meta.ReconcilingCondition, Status: metav1.ConditionTrue, Reason: "Old", Message: "old", ObservedGeneration: 4, LastTransitionTime: t0},
		{Type: meta.StalledCondition, Status: metav1.ConditionTrue, Reason: "Old", Message: "old", ObservedGeneration: 4, LastTransitionTime: t0},
	}
}

func TestCompute(t *testing.T) {
	buildFailed := "kustomize build failed: accumulating resources: 'apps/missing' not found"
	tests := []struct {
		name   string
		report func() Report
		// want
		compliance   string
		provisioning string
		observedGen  int64
		ready        *condWant
		reconciling  *condWant
		stalled      *condWant
		errorMessage string
	}{
		{
			name:         "compliant",
			report:       compliantReport,
			compliance:   v1alpha1.ComplianceCompliant,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionTrue, meta.SucceededReason, "all 2 Flux objects are compliant at revision " + revision},
		},
		{
			name: "pending on a dependency names the waiting Kustomization",
			report: func() Report {
				r := compliantReport()
				r.Objects = append(r.Objects, kustomization("cfg-late",
					cond(meta.ReadyCondition, metav1.ConditionFalse, meta.DependencyNotReadyReason, "dependency 'team-a/cfg-apps' is not ready")))
				return r
			},
			compliance:   v1alpha1.CompliancePending,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionUnknown, meta.ProgressingReason, "waiting for Kustomization team-a/cfg-late: dependency 'team-a/cfg-apps' is not ready"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingReason, "waiting for Kustomization team-a/cfg-late: dependency 'team-a/cfg-apps' is not ready"},
		},
		{
			name: "pending on a missing object",
			report: func() Report {
				r := compliantReport()
				r.Objects = append(r.Objects, Missing("Kustomization", "team-a", "cfg-new"))
				return r
			},
			compliance:   v1alpha1.CompliancePending,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionUnknown, meta.ProgressingReason, "Kustomization team-a/cfg-new does not exist yet"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingReason, "Kustomization team-a/cfg-new does not exist yet"},
		},
		{
			name: "pending on an old generation",
			report: func() Report {
				r := compliantReport()
				r.Objects[1].Generation = 2
				return r
			},
			compliance:   v1alpha1.CompliancePending,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionUnknown, meta.ProgressingReason, "Kustomization team-a/cfg-apps: waiting for its controller to reconcile generation 2"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingReason, "generation 2"},
		},
		{
			name: "unknown: an object without conditions",
			report: func() Report {
				r := compliantReport()
				r.Objects[1].Conditions = nil
				return r
			},
			compliance:   v1alpha1.ComplianceUnknown,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionUnknown, meta.ProgressingReason, "Kustomization team-a/cfg-apps has no status yet"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingReason, "has no status yet"},
		},
		{
			name:         "no objects yet",
			report:       func() Report { return Report{Generation: 5} },
			compliance:   v1alpha1.ComplianceUnknown,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionUnknown, meta.ProgressingReason, "waiting for the Flux objects to be created"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingReason, "waiting for the Flux objects to be created"},
		},
		{
			name: "non-compliant: the failing object's reason and message",
			report: func() Report {
				r := compliantReport()
				r.Objects[1] = kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", buildFailed))
				return r
			},
			compliance:   v1alpha1.ComplianceNonCompliant,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, "BuildFailed", "Kustomization team-a/cfg-apps: " + buildFailed},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingWithRetryReason, "Kustomization team-a/cfg-apps: " + buildFailed},
			errorMessage: "Kustomization team-a/cfg-apps: " + buildFailed,
		},
		{
			name: "non-compliant before Flux records observedGeneration: Flux's message, not 'waiting'",
			report: func() Report {
				r := compliantReport()
				ready := cond(meta.ReadyCondition, metav1.ConditionFalse, "ReconciliationFailed", "ConfigMap/team-b/x is forbidden")
				ready.ObservedGeneration = 1
				r.Objects[1] = kustomization("cfg-apps", ready, cond(meta.ReconcilingCondition, metav1.ConditionTrue, "ProgressingWithRetry", "retrying"))
				r.Objects[1].ObservedGeneration = 0
				return r
			},
			compliance:   v1alpha1.ComplianceNonCompliant,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, "ReconciliationFailed", "Kustomization team-a/cfg-apps: ConfigMap/team-b/x is forbidden"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingWithRetryReason, "forbidden"},
			errorMessage: "Kustomization team-a/cfg-apps: ConfigMap/team-b/x is forbidden",
		},
		{
			name: "non-compliant is blamed before an earlier pending object",
			report: func() Report {
				r := compliantReport()
				r.Objects = append(r.Objects,
					Missing("Kustomization", "team-a", "cfg-new"),
					kustomization("cfg-bad", cond(meta.ReadyCondition, metav1.ConditionFalse, "HealthCheckFailed", "timeout waiting for: [Deployment/apps/web]")))
				return r
			},
			compliance:   v1alpha1.ComplianceNonCompliant,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, "HealthCheckFailed", "Kustomization team-a/cfg-bad: timeout waiting for"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingWithRetryReason, "Kustomization team-a/cfg-bad: timeout waiting for"},
			errorMessage: "Kustomization team-a/cfg-bad: timeout waiting for: [Deployment/apps/web]",
		},
		{
			name: "stalled object: its Stalled message is reported",
			report: func() Report {
				r := compliantReport()
				r.Objects[0].Conditions = []metav1.Condition{
					cond(meta.ReadyCondition, metav1.ConditionFalse, "AuthenticationFailed", "ready message"),
					cond(meta.StalledCondition, metav1.ConditionTrue, "AuthenticationFailed", "stalled message"),
				}
				return r
			},
			compliance:   v1alpha1.ComplianceNonCompliant,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, "AuthenticationFailed", "GitRepository team-a/cfg: stalled message"},
			stalled:      &condWant{metav1.ConditionTrue, "AuthenticationFailed", "GitRepository team-a/cfg: stalled message"},
			errorMessage: "GitRepository team-a/cfg: stalled message",
		},
		{
			name: "a stalled failure stalls and moves observedGeneration",
			report: func() Report {
				r := compliantReport()
				r.Failure = &Failure{Reason: InvalidConfigReason, Message: "spec.gitRepository.httpsUser: is required with httpsKey", Stalled: true}
				return r
			},
			compliance:   v1alpha1.ComplianceNonCompliant,
			provisioning: v1alpha1.ProvisioningFailed,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, InvalidConfigReason, "spec.gitRepository.httpsUser: is required with httpsKey"},
			stalled:      &condWant{metav1.ConditionTrue, InvalidConfigReason, "spec.gitRepository.httpsUser: is required with httpsKey"},
			errorMessage: "spec.gitRepository.httpsUser: is required with httpsKey",
		},
		{
			name: "a stalled failure carries its own reason",
			report: func() Report {
				r := compliantReport()
				r.Failure = &Failure{Reason: RejectedReason, Message: "the API server refused GitRepository team-a/cfg: spec.timeout: Invalid value", Stalled: true}
				return r
			},
			compliance:   v1alpha1.ComplianceNonCompliant,
			provisioning: v1alpha1.ProvisioningFailed,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, RejectedReason, "refused GitRepository team-a/cfg"},
			stalled:      &condWant{metav1.ConditionTrue, RejectedReason, "refused GitRepository team-a/cfg"},
			errorMessage: "the API server refused GitRepository team-a/cfg: spec.timeout: Invalid value",
		},
		{
			name: "plain error: Failed, retried, observedGeneration kept",
			report: func() Report {
				r := compliantReport()
				r.Failure = &Failure{Reason: ReconciliationFailedReason, Message: "applying GitRepository team-a/cfg: connection refused"}
				return r
			},
			compliance:   v1alpha1.ComplianceCompliant,
			provisioning: v1alpha1.ProvisioningFailed,
			observedGen:  4,
			ready:        &condWant{metav1.ConditionFalse, ReconciliationFailedReason, "connection refused"},
			reconciling:  &condWant{metav1.ConditionTrue, meta.ProgressingWithRetryReason, "connection refused"},
			errorMessage: "applying GitRepository team-a/cfg: connection refused",
		},
		{
			name: "deleting",
			report: func() Report {
				r := compliantReport()
				r.Deleting, r.DeletingMessage = true, "waiting for Kustomization team-a/cfg-apps to be deleted"
				return r
			},
			compliance:   v1alpha1.ComplianceCompliant,
			provisioning: v1alpha1.ProvisioningDeleting,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionUnknown, DeletingReason, "waiting for Kustomization team-a/cfg-apps to be deleted"},
			reconciling:  &condWant{metav1.ConditionTrue, DeletingReason, "waiting for Kustomization team-a/cfg-apps to be deleted"},
		},
		{
			name: "suspended",
			report: func() Report {
				r := compliantReport()
				r.Suspended = true
				for i := range r.Objects {
					r.Objects[i].Suspended = true
				}
				return r
			},
			compliance:   v1alpha1.ComplianceSuspended,
			provisioning: v1alpha1.ProvisioningSucceeded,
			observedGen:  5,
			ready:        &condWant{metav1.ConditionFalse, meta.SuspendedReason, "suspended"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := v1alpha1.FluxConfigStatus{ObservedGeneration: 4, Conditions: staleConditions(), ErrorMessage: "old error"}
			got := Compute(prev, tc.report(), t1)

			if got.ComplianceState != tc.compliance {
				t.Errorf("complianceState = %q, want %q", got.ComplianceState, tc.compliance)
			}
			if got.ProvisioningState != tc.provisioning {
				t.Errorf("provisioningState = %q, want %q", got.ProvisioningState, tc.provisioning)
			}
			if got.ObservedGeneration != tc.observedGen {
				t.Errorf("observedGeneration = %d, want %d", got.ObservedGeneration, tc.observedGen)
			}
			if got.ErrorMessage != tc.errorMessage {
				t.Errorf("errorMessage = %q, want %q", got.ErrorMessage, tc.errorMessage)
			}
			checkCondition(t, got.Conditions, meta.ReadyCondition, tc.ready, 5)
			checkCondition(t, got.Conditions, meta.ReconcilingCondition, tc.reconciling, 5)
			checkCondition(t, got.Conditions, meta.StalledCondition, tc.stalled, 5)
			if got.StatusUpdatedAt == nil || !got.StatusUpdatedAt.Equal(&t1) {
				t.Errorf("statusUpdatedAt = %v, want %v", got.StatusUpdatedAt, t1)
			}
		})
	}
}

func TestComputeReportsSourceAndObjects(t *testing.T) {
	r := compliantReport()
	r.PublicKey = "ssh-ed25519 AAAAFAKE"
	hr := Object{Kind: "HelmRelease", Namespace: "apps", Name: "web", Found: true, Generation: 3, ObservedGeneration: 3,
		AppliedBy: &v1alpha1.ObjectReferenceDefinition{Name: "cfg-apps", Namespace: "team-a"},
		HelmRelease: &v1alpha1.HelmReleasePropertiesDefinition{LastRevisionApplied: 7,
			HelmChartRef: &v1alpha1.ObjectReferenceDefinition{Name: "apps-web", Namespace: "apps"}},
		Conditions: []metav1.Condition{
			cond(meta.ReadyCondition, metav1.ConditionTrue, "UpgradeSucceeded", "Helm upgrade succeeded"),
			cond("Released", metav1.ConditionTrue, "UpgradeSucceeded", "not copied"),
			cond(meta.ReconcilingCondition, metav1.ConditionFalse, "Done", ""),
		}}
	r.Objects = append(r.Objects, hr)
	got := Compute(v1alpha1.FluxConfigStatus{}, r, t1)

	if got.SourceURL != "https://example.com/org/repo.git" {
		t.Errorf("sourceUrl = %q", got.SourceURL)
	}
	if got.SourceSyncedCommitID != revision {
		t.Errorf("sourceSyncedCommitId = %q, want %q", got.SourceSyncedCommitID, revision)
	}
	if got.SourceUpdatedAt == nil || !got.SourceUpdatedAt.Equal(&tSource) {
		t.Errorf("sourceUpdatedAt = %v, want %v", got.SourceUpdatedAt, tSource)
	}
	if got.RepositoryPublicKey != "ssh-ed25519 AAAAFAKE" {
		t.Errorf("repositoryPublicKey = %q", got.RepositoryPublicKey)
	}

	ltt := t0
	want := []v1alpha1.ObjectStatusDefinition{
		{Name: "cfg", Namespace: "team-a", Kind: "GitRepository", ComplianceState: v1alpha1.ComplianceCompliant,
			StatusConditions: []v1alpha1.ObjectStatusConditionDefinition{
				{Type: "Ready", Status: "True", Reason: "Succeeded", Message: "stored artifact for revision '" + revision + "'", LastTransitionTime: &ltt},
			}},
		{Name: "cfg-apps", Namespace: "team-a", Kind: "Kustomization", ComplianceState: v1alpha1.ComplianceCompliant,
			StatusConditions: []v1alpha1.ObjectStatusConditionDefinition{
				{Type: "Ready", Status: "True", Reason: "ReconciliationSucceeded", Message: "Applied revision: main@sha1:0123", LastTransitionTime: &ltt},
			}},
		{Name: "web", Namespace: "apps", Kind: "HelmRelease", ComplianceState: v1alpha1.ComplianceCompliant,
			AppliedBy:             hr.AppliedBy,
			HelmReleaseProperties: hr.HelmRelease,
			StatusConditions: []v1alpha1.ObjectStatusConditionDefinition{
				{Type: "Ready", Status: "True", Reason: "UpgradeSucceeded", Message: "Helm upgrade succeeded", LastTransitionTime: &ltt},
				{Type: "Reconciling", Status: "False", Reason: "Done", LastTransitionTime: &ltt},
			}},
	}
	if !equality.Semantic.DeepEqual(got.Statuses, want) {
		t.Errorf("statuses differ\ngot:\n%s\nwant:\n%s", toYAML(t, got.Statuses), toYAML(t, want))
	}
}

func TestComputeNoSourceRevision(t *testing.T) {
	r := compliantReport()
	r.Objects[0] = Missing("GitRepository", "team-a", "cfg")
	got := Compute(v1alpha1.FluxConfigStatus{}, r, t1)
	if got.SourceSyncedCommitID != "" || got.SourceUpdatedAt != nil {
		t.Errorf("source revision %q at %v, want none while the source does not exist", got.SourceSyncedCommitID, got.SourceUpdatedAt)
	}
}

// TestComputeBoundsStatuses: the status lists at most MaxStatuses objects,
// but the compliance still counts every one.
func TestComputeBoundsStatuses(t *testing.T) {
	r := Report{Generation: 1, Objects: []Object{gitSource()}}
	for i := 1; i < 150; i++ {
		r.Objects = append(r.Objects, kustomization(fmt.Sprintf("ks-%03d", i), readyTrue()))
	}
	r.Objects[149].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "broken")}

	got := Compute(v1alpha1.FluxConfigStatus{}, r, t1)
	if len(got.Statuses) != MaxStatuses {
		t.Fatalf("len(statuses) = %d, want %d", len(got.Statuses), MaxStatuses)
	}
	if last := got.Statuses[MaxStatuses-1].Name; last != "ks-099" {
		t.Errorf("last listed object %q, want the first %d objects in order (ks-099)", last, MaxStatuses)
	}
	if got.ComplianceState != v1alpha1.ComplianceNonCompliant {
		t.Errorf("complianceState = %q, want Non-Compliant from the 150th object", got.ComplianceState)
	}
	if want := "Kustomization team-a/ks-149: broken"; got.ErrorMessage != want {
		t.Errorf("errorMessage = %q, want %q", got.ErrorMessage, want)
	}
}

func TestComputeTruncatesMessages(t *testing.T) {
	tests := []struct {
		name string
		unit string
	}{
		{name: "ASCII", unit: "x"},
		{name: "two-byte runes", unit: "é"},
		{name: "three-byte runes", unit: "€"},
		{name: "four-byte runes", unit: "🚀"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			long := "m" + strings.Repeat(tc.unit, 3000)
			r := compliantReport()
			r.Objects[1] = kustomization("cfg-apps", cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", long))

			nc := Compute(v1alpha1.FluxConfigStatus{}, r, t1)
			r.Failure = &Failure{Reason: ReconciliationFailedReason, Message: long}
			failed := Compute(v1alpha1.FluxConfigStatus{}, r, t1)

			msgs := map[string]string{
				"errorMessage (non-compliant)":    nc.ErrorMessage,
				"errorMessage (error)":            failed.ErrorMessage,
				"statuses[1] Ready message":       nc.Statuses[1].StatusConditions[0].Message,
				"Ready condition (non-compliant)": apimeta.FindStatusCondition(nc.Conditions, meta.ReadyCondition).Message,
				"Ready condition (error)":         apimeta.FindStatusCondition(failed.Conditions, meta.ReadyCondition).Message,
				"Reconciling condition (error)":   apimeta.FindStatusCondition(failed.Conditions, meta.ReconcilingCondition).Message,
			}
			for where, m := range msgs {
				if len(m) > MaxMessageLength {
					t.Errorf("%s: %d bytes, want at most %d", where, len(m), MaxMessageLength)
				}
				if len(m) < MaxMessageLength-8 {
					t.Errorf("%s: %d bytes, cut too short", where, len(m))
				}
				if !strings.HasSuffix(m, "...") {
					t.Errorf("%s: does not end with ...", where)
				}
				if !utf8.ValidString(m) {
					t.Errorf("%s: cut a UTF-8 character in half: %q", where, m[len(m)-8:])
				}
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "short", in: "short", want: "short"},
		{name: "exactly the limit", in: strings.Repeat("a", MaxMessageLength), want: strings.Repeat("a", MaxMessageLength)},
		{name: "one byte over", in: strings.Repeat("a", MaxMessageLength+1), want: strings.Repeat("a", MaxMessageLength-3) + "..."},
		{
			// "é" is 2 bytes: the cut at 1021 bytes falls inside the 510th
			// rune, which is dropped whole.
			name: "cut inside a two-byte rune",
			in:   "ab" + strings.Repeat("é", 600),
			want: "ab" + strings.Repeat("é", 509) + "...",
		},
		{
			// "🚀" is 4 bytes: 1021 = 1 + 4*255 exactly, so no rune is cut.
			name: "cut on a rune boundary",
			in:   "a" + strings.Repeat("🚀", 300),
			want: "a" + strings.Repeat("🚀", 255) + "...",
		},
		{
			name: "cut inside a four-byte rune",
			in:   "ab" + strings.Repeat("🚀", 300),
			want: "ab" + strings.Repeat("🚀", 254) + "...",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := truncate(tc.in)
			if got != tc.want {
				t.Errorf("truncate: got %d bytes ending %q, want %d bytes ending %q", len(got), tail(got), len(tc.want), tail(tc.want))
			}
			if !utf8.ValidString(got) {
				t.Errorf("truncate returned invalid UTF-8 ending %q", tail(got))
			}
		})
	}
}

func tail(s string) string {
	if len(s) > 12 {
		return s[len(s)-12:]
	}
	return s
}

// idempotenceReports are the kinds of pass a steady state can repeat.
func idempotenceReports() map[string]Report {
	pending := compliantReport()
	pending.Objects[1].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionFalse, meta.DependencyNotReadyReason, "waiting")}
	nonCompliant := compliantReport()
	nonCompliant.Objects[1].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionFalse, "BuildFailed", "broken")}
	stalled := compliantReport()
	stalled.Failure = &Failure{Reason: InvalidConfigReason, Message: "spec.scope: not allowed", Stalled: true}
	failed := compliantReport()
	failed.Failure = &Failure{Reason: ReconciliationFailedReason, Message: "connection refused"}
	deleting := compliantReport()
	deleting.Deleting, deleting.DeletingMessage = true, "waiting for children"
	suspended := compliantReport()
	suspended.Suspended = true
	withKey := compliantReport()
	withKey.PublicKey = "ssh-ed25519 AAAAFAKE"
	return map[string]Report{
		"compliant": compliantReport(), "pending": pending, "non-compliant": nonCompliant, "stalled": stalled,
		"failed": failed, "deleting": deleting, "suspended": suspended, "with public key": withKey,
		"no objects": {Generation: 5},
	}
}

// TestComputeIsIdempotent: computing again from the stored status with the
// same observations gives the same status, transition times and
// statusUpdatedAt included, so a steady state writes nothing.
func TestComputeIsIdempotent(t *testing.T) {
	for name, r := range idempotenceReports() {
		t.Run(name, func(t *testing.T) {
			prev := v1alpha1.FluxConfigStatus{ObservedGeneration: 4, Conditions: staleConditions()}
			first := Compute(prev, r, t1)
			second := Compute(first, r, t2)
			if !equality.Semantic.DeepEqual(first, second) {
				t.Errorf("second pass changed the status\nfirst:\n%s\nsecond:\n%s", toYAML(t, first), toYAML(t, second))
			}
			if !second.StatusUpdatedAt.Equal(&t1) {
				t.Errorf("statusUpdatedAt moved to %v, want %v", second.StatusUpdatedAt, t1)
			}
			for _, c := range first.Conditions {
				again := apimeta.FindStatusCondition(second.Conditions, c.Type)
				if again == nil || !again.LastTransitionTime.Equal(&c.LastTransitionTime) {
					t.Errorf("condition %s: lastTransitionTime %v, then %+v", c.Type, c.LastTransitionTime, again)
				}
			}
		})
	}
}

// TestComputeIsIdempotentAfterStorage: the stored status has lost its
// sub-second precision; computing from it must still change nothing.
func TestComputeIsIdempotentAfterStorage(t *testing.T) {
	withNanos := metav1.NewTime(t1.Add(123456789 * time.Nanosecond))
	for name, r := range idempotenceReports() {
		t.Run(name, func(t *testing.T) {
			stored := roundTrip(t, Compute(v1alpha1.FluxConfigStatus{}, r, withNanos))
			again := Compute(stored, r, t2)
			if !equality.Semantic.DeepEqual(stored, again) {
				t.Errorf("recomputing the stored status changed it\nstored:\n%s\nagain:\n%s", toYAML(t, stored), toYAML(t, again))
			}
		})
	}
}

// TestComputeStatusUpdatedAt: statusUpdatedAt and the transition times move
// exactly when something changes.
func TestComputeStatusUpdatedAt(t *testing.T) {
	tests := []struct {
		name string
		next func() Report
		// wantUpdated: statusUpdatedAt moves to t2.
		wantUpdated bool
		// wantReadyTransition: Ready's lastTransitionTime moves to t2.
		wantReadyTransition bool
	}{
		{name: "nothing changed", next: compliantReport},
		{name: "new source revision applied, still Ready", next: func() Report {
			r := compliantReport()
			r.Objects[0].Revision = "main@sha1:fedcba9876543210fedcba9876543210fedcba98"
			r.Objects[1].Revision = r.Objects[0].Revision
			return r
		}, wantUpdated: true},
		{name: "new source revision, not applied yet", next: func() Report {
			r := compliantReport()
			r.Objects[0].Revision = "main@sha1:fedcba9876543210fedcba9876543210fedcba98"
			return r
		}, wantUpdated: true, wantReadyTransition: true},
		{name: "an object goes pending", next: func() Report {
			r := compliantReport()
			r.Objects[1].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionUnknown, "Progressing", "")}
			return r
		}, wantUpdated: true, wantReadyTransition: true},
		{name: "an apply error", next: func() Report {
			r := compliantReport()
			r.Failure = &Failure{Reason: ReconciliationFailedReason, Message: "connection refused"}
			return r
		}, wantUpdated: true, wantReadyTransition: true},
		{name: "a new generation", next: func() Report {
			r := compliantReport()
			r.Generation = 6
			return r
		}, wantUpdated: true},
		{name: "an object's condition message changes", next: func() Report {
			r := compliantReport()
			r.Objects[1].Conditions = []metav1.Condition{cond(meta.ReadyCondition, metav1.ConditionTrue, "ReconciliationSucceeded", "Applied revision: main@sha1:4567")}
			return r
		}, wantUpdated: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := Compute(v1alpha1.FluxConfigStatus{}, compliantReport(), t1)
			second := Compute(first, tc.next(), t2)

			wantUpdatedAt := t1
			if tc.wantUpdated {
				wantUpdatedAt = t2
			}
			if !second.StatusUpdatedAt.Equal(&wantUpdatedAt) {
				t.Errorf("statusUpdatedAt = %v, want %v", second.StatusUpdatedAt, wantUpdatedAt)
			}
			wantLTT := t1
			if tc.wantReadyTransition {
				wantLTT = t2
			}
			if ready := apimeta.FindStatusCondition(second.Conditions, meta.ReadyCondition); !ready.LastTransitionTime.Equal(&wantLTT) {
				t.Errorf("Ready lastTransitionTime = %v, want %v", ready.LastTransitionTime, wantLTT)
			}
		})
	}
}

// roundTrip stores a status the way the API server does: as JSON.
func roundTrip(t *testing.T, s v1alpha1.FluxConfigStatus) v1alpha1.FluxConfigStatus {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out v1alpha1.FluxConfigStatus
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

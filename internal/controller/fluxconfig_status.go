package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// Event reasons.
const (
	ReasonCreated          = "Created"
	ReasonComplianceChange = "ComplianceChanged"
	ReasonFailed           = "ReconciliationFailed"
)

// finish computes the status of the pass and writes it in one patch, only
// when something in it changed; it emits events on transitions only.
func (r *FluxConfigReconciler) finish(ctx context.Context, s *reconcileScope) error {
	fc := s.fc
	if !fc.DeletionTimestamp.IsZero() && !controllerutil.ContainsFinalizer(fc, v1alpha1.FluxConfigFinalizer) {
		r.Metrics.Forget(client.ObjectKeyFromObject(fc))
		return nil // released: the object is gone or going
	}
	next := status.Compute(s.prev, s.report, metav1.Now())
	r.emitEvents(fc, s, next)
	r.recordMetrics(s, next)
	if equality.Semantic.DeepEqual(s.prev, next) {
		return nil
	}
	base := fc.DeepCopy()
	fc.Status = next
	if err := r.Status().Patch(ctx, fc, client.MergeFrom(base)); err != nil {
		return client.IgnoreNotFound(err)
	}
	return nil
}

// recordMetrics records the pass once, with the status it computed.
func (r *FluxConfigReconciler) recordMetrics(s *reconcileScope, next v1alpha1.FluxConfigStatus) {
	children := -1
	if s.built != nil {
		children = len(s.built.All())
	}
	r.Metrics.Record(metrics.Pass{
		Object:          client.ObjectKeyFromObject(s.fc),
		ComplianceState: next.ComplianceState,
		Children:        children,
		ErrorReason:     errorReason(s.report.Err),
		Start:           s.start,
	})
}

// errorReason classifies the error of a pass for the errors metric.
func errorReason(err error) string {
	var stalled *status.StalledError
	var conflict *apply.ConflictError
	var missing *MissingAPIError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &stalled):
		return metrics.ReasonInvalidConfiguration
	case errors.As(err, &conflict):
		return metrics.ReasonConflict
	case errors.As(err, &missing):
		return metrics.ReasonFluxAPIMissing
	}
	return metrics.ReasonReconciliationFailed
}

func (r *FluxConfigReconciler) emitEvents(fc *v1alpha1.FluxConfig, s *reconcileScope, next v1alpha1.FluxConfigStatus) {
	if r.Recorder == nil {
		return
	}
	if len(s.created) > 0 {
		r.Recorder.Eventf(fc, nil, corev1.EventTypeNormal, ReasonCreated, "Apply",
			"created %s", strings.Join(s.created, ", "))
	}
	if next.ErrorMessage != "" && next.ErrorMessage != s.prev.ErrorMessage {
		r.Recorder.Eventf(fc, nil, corev1.EventTypeWarning, ReasonFailed, "Reconcile", "%s", next.ErrorMessage)
	}
	if next.ComplianceState != s.prev.ComplianceState {
		kind := corev1.EventTypeNormal
		if next.ComplianceState == v1alpha1.ComplianceNonCompliant {
			kind = corev1.EventTypeWarning
		}
		note := fmt.Sprintf("compliance is %s", next.ComplianceState)
		if s.prev.ComplianceState != "" {
			note = fmt.Sprintf("compliance changed from %s to %s", s.prev.ComplianceState, next.ComplianceState)
		}
		if next.SourceSyncedCommitID != "" {
			note += " at revision " + next.SourceSyncedCommitID
		}
		r.Recorder.Eventf(fc, nil, kind, ReasonComplianceChange, "Reconcile", "%s", note)
	}
}

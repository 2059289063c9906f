package controller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
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
		return nil // released: the object is gone or going
	}
	next := status.Compute(s.prev, s.report, metav1.Now())
	r.emitEvents(fc, s, next)
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

package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// Event reasons of the controller's own. Failures use their
// classification's reason (status.InvalidConfigReason, ...) and a
// Non-Compliant FluxConfig the reason of its Ready condition.
const (
	ReasonCreated          = "Created"
	ReasonComplianceChange = "ComplianceChanged"
)

// cacheLagRetry is how soon a pass that met a stale cached FluxConfig runs
// again: the cache catches up within milliseconds.
const cacheLagRetry = 100 * time.Millisecond

// finish ends every pass: it classifies the pass's error (the one place
// that does), computes the status and writes it in one patch when something
// in it changed, emits events on transitions, records the metrics once, and
// returns how the pass is retried.
func (r *FluxConfigReconciler) finish(ctx context.Context, s *reconcileScope, result ctrl.Result, err error) (ctrl.Result, error) {
	fc := s.fc
	if !fc.DeletionTimestamp.IsZero() && !controllerutil.ContainsFinalizer(fc, v1alpha1.FluxConfigFinalizer) {
		r.forget(client.ObjectKeyFromObject(fc))
		return result, err // released: the object is gone or going
	}
	if err != nil {
		c := classify(err)
		s.report.Failure = &c.failure
		result, err = c.result(err, r.RetryInterval, r.ResyncInterval)
	}
	next := status.Compute(s.prev, s.report, metav1.Now())
	r.recordMetrics(s, next)
	r.logPass(ctx, s, next)
	r.emitCreated(fc, s)
	written, retry, writeErr := r.writeStatus(ctx, s, next)
	if written {
		r.emitTransitions(fc, s, next) // announced once they are recorded
	}
	switch {
	case writeErr != nil:
		return result, kerrors.NewAggregate([]error{err, writeErr})
	case retry > 0 && err == nil && (result.RequeueAfter == 0 || result.RequeueAfter > retry):
		result = ctrl.Result{RequeueAfter: retry}
	}
	return result, err
}

// writeStatus writes next in one patch, unless the stored status already is
// next, or only its details moved a moment after the last write (then it
// asks to be called again after retry). It reports whether it wrote.
func (r *FluxConfigReconciler) writeStatus(ctx context.Context, s *reconcileScope, next v1alpha1.FluxConfigStatus) (bool, time.Duration, error) {
	fc := s.fc
	key := client.ObjectKeyFromObject(fc)
	if equality.Semantic.DeepEqual(s.prev, next) && !r.written.differs(key, next) {
		return false, 0, nil
	}
	if wait := r.written.detailWait(key, s.prev, next, time.Now()); wait > 0 {
		return false, wait, nil
	}
	base := fc.DeepCopy()
	fc.Status = next
	// The lock refuses a patch computed against a cached copy older than
	// the stored object: that pass is made again on a fresh copy.
	err := r.Status().Patch(ctx, fc, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
	switch {
	case err == nil:
		r.written.remember(fc, time.Now())
		return true, 0, nil
	case apierrors.IsConflict(err):
		ctrl.LoggerFrom(ctx).V(1).Info("the cached FluxConfig was older than the stored one; its status is computed again")
		return false, cacheLagRetry, nil
	case apierrors.IsNotFound(err):
		return false, 0, nil
	}
	return false, 0, fmt.Errorf("writing the status: %w", err)
}

// logPass tells, at debug level, how the pass ended; a failure that is not
// returned to controller-runtime (which logs those) is logged when it
// first shows.
func (r *FluxConfigReconciler) logPass(ctx context.Context, s *reconcileScope, next v1alpha1.FluxConfigStatus) {
	log := ctrl.LoggerFrom(ctx).WithValues("fluxconfig", klog.KObj(s.fc))
	if f := s.report.Failure; f != nil && next.ErrorMessage != s.prev.ErrorMessage {
		log.Info("reconciliation failed", "reason", f.Reason, "stalled", f.Stalled, "error", f.Message)
	}
	log.V(1).Info("pass finished", "compliance", next.ComplianceState, "provisioning", next.ProvisioningState,
		"objects", len(s.report.Objects), "duration", metav1.Now().Sub(s.start).String())
}

// recordMetrics records the pass once, with the status it computed.
func (r *FluxConfigReconciler) recordMetrics(s *reconcileScope, next v1alpha1.FluxConfigStatus) {
	children, reason := -1, ""
	if s.built != nil {
		children = len(s.built.All())
	}
	if s.report.Failure != nil {
		reason = s.report.Failure.Reason
	}
	r.Metrics.Record(metrics.Pass{
		Object:          client.ObjectKeyFromObject(s.fc),
		ComplianceState: next.ComplianceState,
		Children:        children,
		ErrorReason:     reason,
		Start:           s.start,
	})
}

// emitCreated announces children created again after the first status
// (someone deleted them); a new FluxConfig's first children are not news.
func (r *FluxConfigReconciler) emitCreated(fc *v1alpha1.FluxConfig, s *reconcileScope) {
	if r.Recorder != nil && len(s.created) > 0 && s.prev.ComplianceState != "" {
		r.Recorder.Eventf(fc, nil, corev1.EventTypeNormal, ReasonCreated, "Apply",
			"created %s", strings.Join(s.created, ", "))
	}
}

// emitTransitions emits an event for a new error message and for a change
// of compliance, once the status that shows them is written. A new
// FluxConfig's first status is not a transition: only when it is
// Non-Compliant does it get an event.
func (r *FluxConfigReconciler) emitTransitions(fc *v1alpha1.FluxConfig, s *reconcileScope, next v1alpha1.FluxConfigStatus) {
	if r.Recorder == nil {
		return
	}
	first := s.prev.ComplianceState == ""
	if first && next.ComplianceState != v1alpha1.ComplianceNonCompliant {
		// A new FluxConfig that converges is not news (a fleet of
		// thousands would post thousands of events); a new one that
		// fails is, and later transitions are.
		next.ComplianceState = ""
	}
	if next.ErrorMessage != "" && next.ErrorMessage != s.prev.ErrorMessage {
		// Compute always sets Ready; its reason is the failure's
		// classification, or the failing Flux object's own reason.
		reason := apimeta.FindStatusCondition(next.Conditions, meta.ReadyCondition).Reason
		r.Recorder.Eventf(fc, nil, corev1.EventTypeWarning, reason, "Reconcile", "%s", next.ErrorMessage)
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

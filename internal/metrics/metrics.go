// Package metrics holds the Prometheus metrics of the FluxConfig controller,
// served beside controller-runtime's own on the manager's /metrics endpoint.
//
// Names follow the GitOps Toolkit's `gotk_` convention. The reconcile
// duration is Flux's own histogram (github.com/fluxcd/pkg/runtime/metrics),
// so dashboards built for Flux's controllers show FluxConfigs too; the rest
// are specific to FluxConfigs and carry `fluxconfig` in their name.
//
// Every series names one FluxConfig by its namespace and name, and is
// dropped when the FluxConfig is deleted or leaves the controller's shard.
package metrics

import (
	"sort"
	"sync"
	"time"

	fluxmetrics "github.com/fluxcd/pkg/runtime/metrics"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Metric names.
const (
	// ComplianceMetric is 1 for every FluxConfig, with its complianceState
	// as a label: one series per FluxConfig, whose label changes with the
	// state.
	ComplianceMetric = "gotk_fluxconfig_compliance_info"
	// ChildrenMetric is the number of objects a FluxConfig's spec generates
	// (source, Secrets, Kustomizations, applier ServiceAccount and binding).
	ChildrenMetric = "gotk_fluxconfig_children"
	// ErrorsMetric counts the reconcile passes that ended with an error in
	// the FluxConfig's status, by reason: the failure's classification,
	// which is also the reason of its Ready condition and of its event
	// (internal/status: InvalidConfiguration, Rejected, Conflict,
	// FluxAPIMissing, Forbidden, ReconciliationFailed).
	ErrorsMetric = "gotk_fluxconfig_reconcile_errors_total"
	// DurationMetric is Flux's reconcile duration histogram, with
	// kind="FluxConfig".
	DurationMetric = "gotk_reconcile_duration_seconds"
)

// Label names. complianceState is spelled as the status field it mirrors
// (status.complianceState), so a query reads like the object.
const (
	NamespaceLabel  = "namespace"
	NameLabel       = "name"
	ComplianceLabel = "complianceState"
	ReasonLabel     = "reason"
)

// Kind is the kind label of Flux's duration histogram.
const Kind = "FluxConfig"

// Recorder records the metrics of FluxConfigs. A nil *Recorder records
// nothing, so a reconciler without metrics needs no special case.
type Recorder struct {
	flux   *fluxmetrics.Recorder
	state  *stateCollector
	errors *prometheus.CounterVec
}

// NewRecorder returns a Recorder whose collectors are not registered yet.
func NewRecorder() *Recorder {
	return &Recorder{
		flux: fluxmetrics.NewRecorder(),
		state: &stateCollector{
			compliance: prometheus.NewDesc(ComplianceMetric,
				"A FluxConfig, with its status.complianceState as a label (value always 1).",
				[]string{NamespaceLabel, NameLabel, ComplianceLabel}, nil),
			children: prometheus.NewDesc(ChildrenMetric,
				"The number of objects a FluxConfig generates: source, Secrets, Kustomizations, applier RBAC.",
				[]string{NamespaceLabel, NameLabel}, nil),
			objects: map[types.NamespacedName]*objectState{},
		},
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: ErrorsMetric,
			Help: "The reconcile passes of a FluxConfig that ended with an error in its status, by reason.",
		}, []string{NamespaceLabel, NameLabel, ReasonLabel}),
	}
}

// Collectors are the collectors to register, Flux's included.
func (r *Recorder) Collectors() []prometheus.Collector {
	return append([]prometheus.Collector{r.state, r.errors}, r.flux.Collectors()...)
}

var (
	defaultOnce     sync.Once
	defaultRecorder *Recorder
)

// Default returns the Recorder registered with controller-runtime's
// registry, which the manager serves on /metrics. It registers on the first
// call, so every manager of a process shares it.
func Default() *Recorder {
	defaultOnce.Do(func() {
		defaultRecorder = NewRecorder()
		ctrlmetrics.Registry.MustRegister(defaultRecorder.Collectors()...)
	})
	return defaultRecorder
}

// Pass is what one reconcile pass of a FluxConfig ended with.
type Pass struct {
	Object          types.NamespacedName
	ComplianceState string
	// Children is the number of generated children, or -1 when the pass did
	// not get as far as building them (the last known number stays).
	Children int
	// ErrorReason is empty when the pass ended without an error.
	ErrorReason string
	Start       time.Time
}

// Record records one reconcile pass: once per pass, when its status is
// known.
func (r *Recorder) Record(p Pass) {
	if r == nil {
		return
	}
	r.state.set(p.Object, p.ComplianceState, p.Children)
	if p.ErrorReason != "" {
		r.errors.WithLabelValues(p.Object.Namespace, p.Object.Name, p.ErrorReason).Inc()
	}
	r.flux.RecordDuration(ref(p.Object), p.Start)
}

// Forget drops every series of a FluxConfig: it was deleted, or left this
// controller's shard.
func (r *Recorder) Forget(obj types.NamespacedName) {
	if r == nil {
		return
	}
	r.state.forget(obj)
	r.errors.DeletePartialMatch(prometheus.Labels{NamespaceLabel: obj.Namespace, NameLabel: obj.Name})
	r.flux.DeleteDuration(ref(obj))
}

func ref(obj types.NamespacedName) corev1.ObjectReference {
	return corev1.ObjectReference{Kind: Kind, Namespace: obj.Namespace, Name: obj.Name}
}

// stateCollector exposes one compliance series and one children series per
// FluxConfig, from what the last pass recorded. Being a collector over a
// map, it cannot emit two compliance states for one object.
type stateCollector struct {
	compliance, children *prometheus.Desc

	mu      sync.Mutex
	objects map[types.NamespacedName]*objectState
}

type objectState struct {
	compliance string
	children   int // -1: not known yet
}

func (c *stateCollector) set(obj types.NamespacedName, compliance string, children int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.objects[obj]
	if !ok {
		s = &objectState{children: -1}
		c.objects[obj] = s
	}
	s.compliance = compliance
	if children >= 0 {
		s.children = children
	}
}

func (c *stateCollector) forget(obj types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.objects, obj)
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.compliance
	ch <- c.children
}

// Collect implements prometheus.Collector.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]types.NamespacedName, 0, len(c.objects))
	for k := range c.objects {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		s := c.objects[k]
		if s.compliance != "" {
			ch <- prometheus.MustNewConstMetric(c.compliance, prometheus.GaugeValue, 1, k.Namespace, k.Name, s.compliance)
		}
		if s.children >= 0 {
			ch <- prometheus.MustNewConstMetric(c.children, prometheus.GaugeValue, float64(s.children), k.Namespace, k.Name)
		}
	}
}

package metrics

import (
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/types"
)

// series gathers reg and returns, for one metric family, each series as its
// labels plus "value" (for a histogram: its sample count).
func series(t *testing.T, reg *prometheus.Registry, name string) []map[string]string {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{"value": value(m)}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out = append(out, labels)
		}
	}
	return out
}

func value(m *dto.Metric) string {
	switch {
	case m.Gauge != nil:
		return strconv.FormatFloat(m.GetGauge().GetValue(), 'g', -1, 64)
	case m.Counter != nil:
		return strconv.FormatFloat(m.GetCounter().GetValue(), 'g', -1, 64)
	case m.Histogram != nil:
		return strconv.FormatUint(m.GetHistogram().GetSampleCount(), 10)
	}
	return ""
}

func newRegistry(t *testing.T) (*Recorder, *prometheus.Registry) {
	t.Helper()
	r := NewRecorder()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(r.state); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Collectors()[1:] {
		reg.MustRegister(c)
	}
	return r, reg
}

func expectSeries(t *testing.T, reg *prometheus.Registry, name string, want ...map[string]string) {
	t.Helper()
	got := series(t, reg, name)
	if len(got) != len(want) {
		t.Fatalf("%s: got %d series %v, want %d %v", name, len(got), got, len(want), want)
	}
	for i := range want {
		for k, v := range want[i] {
			if got[i][k] != v {
				t.Errorf("%s series %d: %s=%q, want %q (all: %v)", name, i, k, got[i][k], v, got[i])
			}
		}
	}
}

func TestOneComplianceSeriesPerObject(t *testing.T) {
	r, reg := newRegistry(t)
	a := types.NamespacedName{Namespace: "ns", Name: "a"}
	b := types.NamespacedName{Namespace: "ns", Name: "b"}
	start := time.Now()

	r.Record(Pass{Object: a, ComplianceState: "Pending", Children: 5, Start: start})
	r.Record(Pass{Object: b, ComplianceState: "Pending", Children: -1, ErrorReason: "InvalidConfiguration", Start: start})
	expectSeries(t, reg, ComplianceMetric,
		map[string]string{"namespace": "ns", "name": "a", "complianceState": "Pending", "value": "1"},
		map[string]string{"namespace": "ns", "name": "b", "complianceState": "Pending", "value": "1"})
	expectSeries(t, reg, ChildrenMetric, map[string]string{"name": "a", "value": "5"})
	expectSeries(t, reg, ErrorsMetric, map[string]string{"name": "b", "reason": "InvalidConfiguration", "value": "1"})

	// A transition replaces the series; a pass that built nothing keeps the
	// number of children.
	r.Record(Pass{Object: a, ComplianceState: "Compliant", Children: -1, Start: start})
	r.Record(Pass{Object: b, ComplianceState: "Non-Compliant", Children: -1, ErrorReason: "InvalidConfiguration", Start: start})
	expectSeries(t, reg, ComplianceMetric,
		map[string]string{"name": "a", "complianceState": "Compliant"},
		map[string]string{"name": "b", "complianceState": "Non-Compliant"})
	expectSeries(t, reg, ChildrenMetric, map[string]string{"name": "a", "value": "5"})
	expectSeries(t, reg, ErrorsMetric, map[string]string{"name": "b", "value": "2"})
	expectSeries(t, reg, DurationMetric,
		map[string]string{"kind": "FluxConfig", "namespace": "ns", "name": "a", "value": "2"},
		map[string]string{"kind": "FluxConfig", "namespace": "ns", "name": "b", "value": "2"})

	r.Forget(b)
	expectSeries(t, reg, ComplianceMetric, map[string]string{"name": "a"})
	expectSeries(t, reg, ErrorsMetric)
	expectSeries(t, reg, DurationMetric, map[string]string{"name": "a"})
	r.Forget(a)
	expectSeries(t, reg, ComplianceMetric)
	expectSeries(t, reg, ChildrenMetric)
	expectSeries(t, reg, DurationMetric)
}

func TestNilRecorderRecordsNothing(_ *testing.T) {
	// Passes when nothing panics: a nil *Recorder is a valid recorder.
	var r *Recorder
	r.Record(Pass{Object: types.NamespacedName{Namespace: "ns", Name: "a"}, ComplianceState: "Compliant"})
	r.Forget(types.NamespacedName{Namespace: "ns", Name: "a"})
}

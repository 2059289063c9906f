package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// auditLine is an audit record of a request of the controller's user.
func auditLine(id, stage, verb, resource, name string, code int) string {
	return `{"auditID":"` + id + `","stage":"` + stage + `","verb":"` + verb + `","user":{"username":"` + controllerUser + `"},` +
		`"objectRef":{"resource":"` + resource + `","namespace":"ns","name":"` + name + `"},"responseStatus":{"code":` +
		strconv.Itoa(code) + `},"requestReceivedTimestamp":"2026-01-02T03:04:05.000001Z"}` + "\n"
}

func TestParseAuditCountsEachRequestOnce(t *testing.T) {
	log := auditLine("1", "ResponseStarted", "watch", "kustomizations", "", 200) +
		auditLine("1", "ResponseComplete", "watch", "kustomizations", "", 200) +
		auditLine("2", "ResponseComplete", "get", "gitrepositories", "fc-1", 404) +
		auditLine("3", "ResponseComplete", "patch", "kustomizations", "fc-1-ks0", 201)
	partial := `{"auditID":"4","stage":"Resp`
	reqs, consumed, err := parseAudit(strings.NewReader(log + partial))
	if err != nil {
		t.Fatal(err)
	}
	if consumed != int64(len(log)) {
		t.Errorf("consumed %d bytes, want %d (the partial line is left for later)", consumed, len(log))
	}
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want 3: %+v", len(reqs), reqs)
	}
	if reqs[1].Code != 404 || reqs[1].Name != "fc-1" || reqs[1].User != controllerUser || reqs[1].At.IsZero() {
		t.Errorf("second request read as %+v", reqs[1])
	}
	counts := byVerb(reqs)
	if counts["watch"] != 1 || counts["get"] != 1 || counts["patch"] != 1 {
		t.Errorf("by verb: %v", counts)
	}
	if w := writes(reqs); len(w) != 1 || w[0].Verb != "patch" {
		t.Errorf("writes: %+v", w)
	}
}

func TestReplaceSection(t *testing.T) {
	begin, end := markers("bench-scale")
	tests := []struct {
		name, doc, want string
	}{
		{"new file", "", begin + "\n\nTABLE\n\n" + end + "\n"},
		{"appended to a file without markers", "# Benchmarks\n\ntext", "# Benchmarks\n\ntext\n\n" + begin + "\n\nTABLE\n\n" + end + "\n"},
		{"replaced between markers, the rest kept", "# B\n\n" + begin + "\nold\n" + end + "\n\nafter\n", "# B\n\n" + begin + "\n\nTABLE\n\n" + end + "\n\nafter\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := replaceSection(tt.doc, "\nTABLE\n", "bench-scale"); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestIdleness(t *testing.T) {
	t0 := time.Unix(0, 0)
	var d idleness
	ticks := []int64{0, 50, 100, 150, 151, 151, 152, 152, 152, 152, 152, 152, 152, 152, 152}
	var quietAt time.Time
	quietIndex := -1
	for i, tk := range ticks {
		if at, ok := d.add(t0.Add(time.Duration(i)*idleSample), tk); ok {
			quietAt, quietIndex = at, i
			break
		}
	}
	// Samples 3..13 span one second using 2 ticks: quiet from sample 3 on.
	if quietIndex != 13 || !quietAt.Equal(t0.Add(3*idleSample)) {
		t.Errorf("quiet at sample %d from %v, want sample 13 from %v", quietIndex, quietAt.Sub(t0), 3*idleSample)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {1, time.Millisecond}} {
		if got := percentile(ds, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if percentile(nil, 50) != 0 {
		t.Error("empty: want 0")
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args  []string
		sizes []int
		err   string
	}{
		{nil, []int{100, 1000, 3000}, ""},
		{[]string{"-shards"}, []int{3000}, ""},
		{[]string{"-n", "20, 100"}, []int{20, 100}, ""},
		{[]string{"-n", "10000"}, []int{10000}, ""},
		{[]string{"-n", "100,x"}, nil, "-n"},
		{[]string{"-n", "0"}, nil, "-n"},
		{[]string{"-k", "0"}, nil, "-k"},
		{[]string{"-shards", "-n", "100,200"}, nil, "-shards"},
		{[]string{"-resync", "1s"}, nil, "-resync"},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: error %v, want one naming %s", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || len(o.sizes) != len(tt.sizes) {
			t.Errorf("%v: %v %v", tt.args, o.sizes, err)
			continue
		}
		for i := range tt.sizes {
			if o.sizes[i] != tt.sizes[i] {
				t.Errorf("%v: sizes %v, want %v", tt.args, o.sizes, tt.sizes)
			}
		}
	}
}

func TestProcParsing(t *testing.T) {
	busy, total, err := machineTicks("cpu  100 5 50 1000 20 3 2 10 0 0\ncpu0 1 2 3\n")
	if err != nil || busy != 170 || total != 1190 {
		t.Errorf("machineTicks = %d, %d, %v; want 170, 1190", busy, total, err)
	}
	stat := "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 70 30 5 6 20 0 12 0 100 1000 200"
	fields, err := statFields(stat)
	if err != nil {
		t.Fatal(err)
	}
	if fields[1] != "1" || sumFields(fields, 11, 12) != 100 || sumFields(fields, 13, 14) != 11 {
		t.Errorf("fields %v", fields)
	}
	if got := otherShare(cpuSample{busy: 0, total: 0, ours: 0}, cpuSample{busy: 150, total: 200, ours: 100}); got != 0.25 {
		t.Errorf("otherShare = %v, want 0.25", got)
	}
	if memTotal("24564084 kB") != "23.4 GiB" || firstField("a : 1\nmodel name\t: CPU X\n", "model name") != "CPU X" {
		t.Error("meminfo or cpuinfo parsing")
	}
}

func TestFleet(t *testing.T) {
	f := newFleet("c100", 250, 3, 100)
	if got := f.namespaces(); len(got) != 3 || got[2] != "c100-2" {
		t.Errorf("namespaces %v", got)
	}
	if k := f.key(101); k.Namespace != "c100-1" || k.Name != "fc-00101" {
		t.Errorf("key %v", k)
	}
	if !f.firstInNamespace(200) || f.firstInNamespace(201) || !f.owns("c100-0") || f.owns("c1000-0") {
		t.Error("firstInNamespace or owns")
	}
	if ft := f.flipTarget(5); ft.Name != "fc-00005-ks2" {
		t.Errorf("flip target %v", ft)
	}
	f.shards = []string{"a", "b"}
	fc := f.config(3)
	if fc.Name != "fc-b-00003" || fc.Labels[ShardLabel] != "b" || fc.Labels[RunLabel] != "c100" {
		t.Errorf("sharded config %s %v", fc.Name, fc.Labels)
	}
	if n := len(touching([]request{{Name: "fc-b-00003-ks0"}, {Name: "flux-applier-fc-b-00003"}, {Name: "fc-a-00002"}, {Name: "flux-applier"}}, shardPrefix("b"))); n != 2 {
		t.Errorf("touching shard b: %d, want 2", n)
	}
}

// The bare client writes the status the controller ends with: Compliant,
// the source's revision, one entry per Flux object.
func TestCompliantStatus(t *testing.T) {
	f := newFleet("b10", 10, 5, 10)
	fc := f.config(0)
	fc.UID, fc.Generation = "uid-1", 1
	built, err := builder.Build(builder.Input{Config: fc}, controllerDefaults)
	if err != nil {
		t.Fatal(err)
	}
	st := compliantStatus(fc, built, metav1.Now())
	if st.ComplianceState != v1alpha1.ComplianceCompliant || st.ObservedGeneration != 1 || len(st.Statuses) != 6 {
		t.Errorf("status %s, observedGeneration %d, %d entries", st.ComplianceState, st.ObservedGeneration, len(st.Statuses))
	}
	if !strings.HasPrefix(st.SourceSyncedCommitID, "main@sha1:") {
		t.Errorf("sourceSyncedCommitId %q", st.SourceSyncedCommitID)
	}
	if len(built.All()) != 8 {
		t.Errorf("%d children, want ServiceAccount, RoleBinding, GitRepository and 5 Kustomizations", len(built.All()))
	}
}

func TestEvaluateGoals(t *testing.T) {
	result := func(n int, base, ctl time.Duration, reqs int, rss int64) *sizeResult {
		return &sizeResult{n: n, baseline: &baselineResult{elapsed: base},
			controller: &controllerResult{elapsed: ctl, requests: make([]request, reqs), rssPeak: rss,
				restart: &restartResult{elapsed: 4 * time.Second}}}
	}
	gs := evaluateGoals([]*sizeResult{
		result(100, time.Second, 2*time.Second, 1800, 40*mib),
		result(1000, 10*time.Second, 10400*time.Millisecond, 9000, 60*mib),
		result(3000, 30*time.Second, 33*time.Second, 30000, 120*mib),
	})
	want := map[string]bool{
		"creation at most 1.05× the bare client at 1000":         true,
		"creation at most 1.05× the bare client at 3000":         false,
		"at most 10 requests per config at 100":                  false,
		"at most 10 requests per config at 1000":                 true,
		"RSS at most 64 MiB at 1000":                             true,
		"restart resync of 3000 in at most 5 s with 0 writes":    true,
		"RSS at most 32 KiB per further config (1000 to 3000)":   true,
		"zero writes in steady state, resync and restart at 100": true,
	}
	got := map[string]bool{}
	for _, g := range gs {
		got[g.text] = g.met
	}
	for text, met := range want {
		if m, ok := got[text]; !ok || m != met {
			t.Errorf("goal %q: met=%v present=%v, want met=%v", text, m, ok, met)
		}
	}
}

package controller

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	fcmetrics "github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// The observability specs run their own manager, on their own shard, with
// its metrics endpoint on a free local port.
const observedShard = "observed"

// scrape reads the metrics endpoint as Prometheus does.
func scrape(addr string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx(), http.MethodGet, "http://"+addr+"/metrics", http.NoBody)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	return parser.TextToMetricFamilies(resp.Body)
}

// seriesOf returns the label sets (plus "value": the gauge or counter value,
// or a histogram's sample count) of a metric's series about one FluxConfig.
func seriesOf(families map[string]*dto.MetricFamily, metric string, fc types.NamespacedName) []map[string]string {
	var out []map[string]string
	for _, m := range families[metric].GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if l["namespace"] != fc.Namespace || l["name"] != fc.Name {
			continue
		}
		switch {
		case m.Gauge != nil:
			l["value"] = fmt.Sprint(m.GetGauge().GetValue())
		case m.Counter != nil:
			l["value"] = fmt.Sprint(m.GetCounter().GetValue())
		case m.Histogram != nil:
			l["value"] = fmt.Sprint(m.GetHistogram().GetSampleCount())
		}
		out = append(out, l)
	}
	return out
}

// scraped polls one metric's series about fc, for Eventually.
func scraped(addr, metric string, fc types.NamespacedName) func() ([]map[string]string, error) {
	return func() ([]map[string]string, error) {
		families, err := scrape(addr)
		if err != nil {
			return nil, err
		}
		return seriesOf(families, metric, fc), nil
	}
}

// requestReconcile asks for a pass the way `flux reconcile` does.
func requestReconcile(ns, name string) {
	fc := getFC(ns, name)
	base := fc.DeepCopy()
	if fc.Annotations == nil {
		fc.Annotations = map[string]string{}
	}
	fc.Annotations["reconcile.fluxcd.io/requestedAt"] = time.Now().Format(time.RFC3339Nano)
	ExpectWithOffset(1, k8sClient.Patch(ctx(), fc, client.MergeFrom(base))).To(Succeed())
}

// eventCount counts the events about a FluxConfig.
func eventCount(ns, name string) func() int {
	return func() int { return len(eventReasons(ns, name)) }
}

var _ = Describe("Metrics and events", Ordered, func() {
	var (
		addr string
		stop context.CancelFunc
	)
	BeforeAll(func() {
		shard, err := labels.Parse(shardLabel + "=" + observedShard)
		Expect(err).NotTo(HaveOccurred())
		var mgrCtx context.Context
		mgrCtx, stop = context.WithCancel(suiteCtx)
		addr, err = testkit.FreeAddr()
		Expect(err).NotTo(HaveOccurred())
		startManagerServingMetrics(mgrCtx, cfg, shard, suiteOptions, "fluxconfig-observed", addr)
		Eventually(func() error { _, err := scrape(addr); return err }, timeout, interval).Should(Succeed())
	})
	AfterAll(func() {
		if stop != nil {
			stop()
		}
	})

	It("serves one compliance series per FluxConfig that follows its state, and drops every series on delete", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "observed")
		fc.Labels = map[string]string{shardLabel: observedShard}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		key := types.NamespacedName{Namespace: ns, Name: fc.Name}

		By("Pending while Flux has not reconciled the children")
		Eventually(scraped(addr, fcmetrics.ComplianceMetric, key), timeout, interval).Should(ConsistOf(
			And(HaveKeyWithValue("complianceState", v1alpha1.CompliancePending), HaveKeyWithValue("value", "1"))))
		// ServiceAccount, ClusterRoleBinding, GitRepository, two Kustomizations.
		Eventually(scraped(addr, fcmetrics.ChildrenMetric, key), timeout, interval).Should(ConsistOf(HaveKeyWithValue("value", "5")))
		Eventually(scraped(addr, fcmetrics.DurationMetric, key), timeout, interval).Should(ConsistOf(
			And(HaveKeyWithValue("kind", "FluxConfig"), HaveKeyWithValue("value", Not(Equal("0"))))))

		By("a compliance transition replaces the series instead of adding one")
		setGitRepositoryReady(ns, fc.Name, rev1)
		ksReady(ns, fc.Name+"-infra", rev1)
		ksReady(ns, fc.Name+"-apps", rev1)
		Eventually(compliance(ns, fc.Name), timeout, interval).Should(Equal(v1alpha1.ComplianceCompliant))
		Eventually(scraped(addr, fcmetrics.ComplianceMetric, key), timeout, interval).Should(ConsistOf(
			HaveKeyWithValue("complianceState", v1alpha1.ComplianceCompliant)))
		families, err := scrape(addr)
		Expect(err).NotTo(HaveOccurred())
		Expect(families).To(HaveKey("controller_runtime_reconcile_total"), "controller-runtime's own metrics are served beside")
		Expect(seriesOf(families, fcmetrics.ErrorsMetric, key)).To(BeEmpty(), "no pass failed")

		By("deleting the FluxConfig drops its series")
		Expect(k8sClient.Delete(ctx(), getFC(ns, fc.Name))).To(Succeed())
		eventuallyGone(&v1alpha1.FluxConfig{}, ns, fc.Name)
		for _, metric := range []string{fcmetrics.ComplianceMetric, fcmetrics.ChildrenMetric, fcmetrics.DurationMetric, fcmetrics.ErrorsMetric} {
			Eventually(scraped(addr, metric, key), timeout, interval).Should(BeEmpty(), "%s of a deleted FluxConfig", metric)
		}
	})

	It("counts failed passes by reason", func() {
		ns := newNamespace("tenant-")
		fc := tutorialConfig(ns, "not-allowed") // scope cluster outside --cluster-scope-namespaces
		fc.Labels = map[string]string{shardLabel: observedShard}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		key := types.NamespacedName{Namespace: ns, Name: fc.Name}
		Eventually(scraped(addr, fcmetrics.ErrorsMetric, key), timeout, interval).Should(ConsistOf(And(
			HaveKeyWithValue("reason", status.InvalidConfigReason), HaveKeyWithValue("value", "1"))))
		Eventually(scraped(addr, fcmetrics.ComplianceMetric, key), timeout, interval).Should(ConsistOf(
			HaveKeyWithValue("complianceState", v1alpha1.ComplianceNonCompliant)))
	})

	It("emits events on transitions only, not on every pass", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "quiet")
		fc.Labels = map[string]string{shardLabel: observedShard}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		setGitRepositoryReady(ns, fc.Name, rev1)
		ksReady(ns, fc.Name+"-infra", rev1)
		ksReady(ns, fc.Name+"-apps", rev1)
		Eventually(compliance(ns, fc.Name), timeout, interval).Should(Equal(v1alpha1.ComplianceCompliant))
		// A new FluxConfig that converges is not news: no event for its
		// children, its Pending or its first Compliant.
		Consistently(func() []string { return eventReasons(ns, fc.Name) }, "1s", interval).Should(BeEmpty())
		events := eventCount(ns, fc.Name)()

		const passes = 5
		for range passes {
			before := reconcileTotal("fluxconfig-observed")
			requestReconcile(ns, fc.Name)
			Eventually(func() float64 { return reconcileTotal("fluxconfig-observed") - before }, timeout, interval).
				Should(BeNumerically(">=", 1), "each request makes a pass of its own")
		}
		Consistently(eventCount(ns, fc.Name), "2s", interval).Should(Equal(events),
			"a pass that changes nothing must emit no event")

		By("a real transition emits exactly one event")
		setKustomization(ns, fc.Name+"-apps", "False", "HealthCheckFailed", "timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']", rev1)
		Eventually(compliance(ns, fc.Name), timeout, interval).Should(Equal(v1alpha1.ComplianceNonCompliant))
		// ComplianceChanged, and the new errorMessage with the Kustomization's reason.
		Eventually(eventCount(ns, fc.Name), timeout, interval).Should(Equal(events + 2))
		Consistently(eventCount(ns, fc.Name), "1s", interval).Should(Equal(events + 2))
	})
})

// kubectl runs bin/k8s/kubectl against the test API server.
type kubectl struct {
	bin, kubeconfig string
}

func newKubectl(env *envtest.Environment) kubectl {
	dir, err := testenv.Dir("ENVTEST_ASSETS", "k8s")
	Expect(err).NotTo(HaveOccurred())
	bin := filepath.Join(dir, "kubectl")
	_, err = os.Stat(bin)
	Expect(err).NotTo(HaveOccurred(), "kubectl is built by `make envtest` (hack/build-envtest.sh)")
	user, err := env.AddUser(envtest.User{Name: "kubectl-test", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	kc, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(path, kc, 0o600)).To(Succeed())
	return kubectl{bin: bin, kubeconfig: path}
}

func (k kubectl) run(args ...string) (string, error) {
	cmd := exec.CommandContext(ctx(), k.bin, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var _ = Describe("kubectl", func() {
	It("waits for condition Ready: times out while Pending, returns once Compliant", func() {
		k := newKubectl(testEnv)
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "waited")
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(compliance(ns, fc.Name), timeout, interval).Should(Equal(v1alpha1.CompliancePending))

		out, err := k.run("wait", "--for=condition=Ready", "fc/"+fc.Name, "-n", ns, "--timeout=2s")
		Expect(err).To(HaveOccurred(), "kubectl wait returned while the FluxConfig is Pending: %s", out)
		Expect(out).To(ContainSubstring("timed out"))

		done := make(chan error, 1)
		var waitOut string
		go func() {
			var err error
			waitOut, err = k.run("wait", "--for=condition=Ready", "fc/"+fc.Name, "-n", ns, "--timeout=30s")
			done <- err
		}()
		setGitRepositoryReady(ns, fc.Name, rev1)
		ksReady(ns, fc.Name+"-infra", rev1)
		ksReady(ns, fc.Name+"-apps", rev1)
		Eventually(done, 35*time.Second).Should(Receive(BeNil()), "kubectl wait: %s", func() string { return waitOut })
		Expect(waitOut).To(ContainSubstring("condition met"))

		By("get shows scope, URL, compliance, provisioning, age; -o wide adds the revision")
		out, err = k.run("get", "fc", "-n", ns)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(strings.Fields(strings.SplitN(out, "\n", 2)[0])).To(Equal([]string{"NAME", "SCOPE", "URL", "COMPLIANCE", "PROVISIONING", "AGE"}))
		Expect(out).To(MatchRegexp(`waited\s+cluster\s+https://git.example.com/\S+\s+Compliant\s+Succeeded\s+\d+s`))
		out, err = k.run("get", "fc", "-n", ns, "-o", "wide")
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(strings.Fields(strings.SplitN(out, "\n", 2)[0])).To(ContainElements("REVISION", "MESSAGE"))
		Expect(out).To(ContainSubstring(rev1))
	})

	It("explains every field of spec.kustomizations", func() {
		k := newKubectl(testEnv)
		out, err := k.run("explain", "fluxconfig.spec.kustomizations")
		Expect(err).NotTo(HaveOccurred(), out)
		t := reflect.TypeFor[v1alpha1.KustomizationDefinition]()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			// The field, its type, then an indented description line.
			Expect(out).To(MatchRegexp(`(?m)^  `+regexp.QuoteMeta(name)+`\s+<[^>]+>.*\n    \S`),
				"kubectl explain fluxconfig.spec.kustomizations documents %s", name)
		}
	})
})

package controller

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	fcmetrics "github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

var (
	testEnv    *envtest.Environment
	cfg        *rest.Config
	k8sClient  client.Client
	testScheme *runtime.Scheme
	suiteCtx   context.Context
	suiteStop  context.CancelFunc
)

// The suite manager reconciles every FluxConfig but those of the
// steady-state test's shard.
const shardLabel = "test.fluxconfig/shard"

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller Suite")
}

// fluxCRDs is the directory of the Flux CRDs that make envtest fetched.
func fluxCRDs() string {
	d, err := testenv.FluxCRDs()
	Expect(err).NotTo(HaveOccurred())
	return d
}

// startEnv starts a kube-apiserver and etcd with this project's CRD and the
// given extra CRD directories.
func startEnv(extraCRDs ...string) (*envtest.Environment, *rest.Config) {
	own, err := testenv.CRDs()
	Expect(err).NotTo(HaveOccurred())
	env, c, err := testenv.Start(append([]string{own}, extraCRDs...)...)
	Expect(err).NotTo(HaveOccurred())
	return env, c
}

// writeCounter counts the write requests of every client made from one
// rest.Config (the manager makes several). done is closed once the manager
// has stopped.
type writeCounter struct {
	writes atomic.Int64
	reads  atomic.Int64
	done   chan struct{}
}

type countingTransport struct {
	next    http.RoundTripper
	counter *writeCounter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		t.counter.reads.Add(1)
	default:
		t.counter.writes.Add(1)
	}
	return t.next.RoundTrip(req)
}

// counted is a copy of restCfg whose requests counter counts.
func counted(restCfg *rest.Config, counter *writeCounter) *rest.Config {
	c := rest.CopyConfig(restCfg)
	c.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return &countingTransport{next: rt, counter: counter} }
	return c
}

// startManager runs a controller manager with the given options until ctx
// ends. It returns the counter of its write requests.
func startManager(ctx context.Context, restCfg *rest.Config, selector labels.Selector, opts builder.Options, name string) *writeCounter {
	return startManagerServingMetrics(ctx, restCfg, selector, opts, name, "0")
}

// startManagerServingMetrics is startManager with the metrics endpoint
// bound to metricsAddr ("0": off).
func startManagerServingMetrics(ctx context.Context, restCfg *rest.Config, selector labels.Selector, opts builder.Options, name, metricsAddr string) *writeCounter {
	counter := &writeCounter{done: make(chan struct{})}
	opts.ShardLabels = ShardLabels(selector) // as cmd/main.go pairs them
	mgr, err := ctrl.NewManager(counted(restCfg, counter), ctrl.Options{
		Scheme:     testScheme,
		Metrics:    metricsserver.Options{BindAddress: metricsAddr},
		Cache:      CacheOptions(selector),
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	r := &FluxConfigReconciler{
		Client:         mgr.GetClient(),
		APIReader:      mgr.GetAPIReader(),
		Recorder:       mgr.GetEventRecorder("fluxconfig-controller"),
		Builder:        opts,
		ResyncInterval: 10 * time.Minute,
		RetryInterval:  2 * time.Second,
		Name:           name,
		Metrics:        fcmetrics.Default(),
	}
	Expect(r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: 2})).To(Succeed())
	go func() {
		defer GinkgoRecover()
		defer close(counter.done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	return counter
}

// suiteOptions: multi-tenancy on, scope cluster allowed in the namespaces
// the tests make with newNamespace ("fc-*"), not in "tenant-*" ones.
var suiteOptions = builder.Options{MultiTenancy: true, ClusterScopeNamespaces: []string{"fc-*"}}

// controllerLogs keeps every log line of the suite, so AfterSuite can check
// that no secret value the tests used was ever logged.
var controllerLogs = &syncBuffer{}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secretValues are the protected values the tests handed to the controller.
var secretValues []string

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, controllerLogs)), zap.UseDevMode(true), zap.Level(zapcore.DebugLevel)))
	testScheme = kinds.NewScheme()
	testEnv, cfg = startEnv(fluxCRDs())
	var err error
	k8sClient, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	suiteCtx, suiteStop = context.WithCancel(context.Background())
	notShard, err := labels.Parse("!" + shardLabel)
	Expect(err).NotTo(HaveOccurred())
	startManager(suiteCtx, cfg, notShard, suiteOptions, "")
})

var _ = AfterSuite(func() {
	if suiteStop != nil {
		suiteStop()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
	// Checked after the control plane is stopped, so a failure here leaves
	// no process behind.
	logs := controllerLogs.String()
	Expect(logs).NotTo(BeEmpty(), "the controller's logs were not captured")
	for _, v := range secretValues {
		Expect(strings.Contains(logs, v)).To(BeFalse(), "a secret value reached the controller's logs")
	}
})

// Command fluxconfig-controller runs the FluxConfig controller.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	fcctrl "github.com/fluxconfig-controller/fluxconfig-controller/internal/controller"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
)

// Set at build time with -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

// Scheme knows every type the controller reads or writes.
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, v1alpha1.AddToScheme,
		sourcev1.AddToScheme, kustomizev1.AddToScheme, helmv2.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

func main() {
	var (
		metricsAddr, healthAddr, watchSelector, clusterScopeNS, logLevel string
		leaderElectionID, leaderElectionNS                               string
		concurrent                                                       int
		leaderElect, multiTenancy, showVersion, enablePprof              bool
		requeueDependency, resync                                        time.Duration
	)
	flag.StringVar(&metricsAddr, "metrics-addr", ":8080", "The address the Prometheus metrics endpoint binds to.")
	flag.StringVar(&healthAddr, "health-addr", ":9440", "The address the liveness and readiness probes bind to.")
	flag.BoolVar(&leaderElect, "enable-leader-election", false, "Elect a leader, so only one replica reconciles at a time.")
	flag.StringVar(&leaderElectionID, "leader-election-id", "fluxconfig-controller-leader-election", "The name of the leader election Lease: give each shard (--watch-label-selector) its own.")
	flag.StringVar(&leaderElectionNS, "leader-election-namespace", "", "The namespace of the leader election Lease; empty: the controller's own namespace (required when running outside a cluster).")
	flag.BoolVar(&enablePprof, "enable-pprof", false, "Serve Go's pprof profiles under /debug/pprof/ on the metrics endpoint (for benchmarks; do not expose it).")
	flag.IntVar(&concurrent, "concurrent", 4, "The number of FluxConfigs reconciled at the same time.")
	flag.DurationVar(&requeueDependency, "requeue-dependency", 30*time.Second, "How soon a FluxConfig waiting on something (missing Flux CRDs, a name conflict, a deletion in progress) is looked at again.")
	flag.DurationVar(&resync, "resync-interval", 10*time.Minute, "How often every FluxConfig is reconciled even when nothing changed (picks up rotated protected parameters).")
	flag.StringVar(&watchSelector, "watch-label-selector", "", "Reconcile only the FluxConfigs matching this label selector, to shard them across controller deployments.")
	flag.BoolVar(&multiTenancy, "enable-multi-tenancy", true, "Apply every Kustomization as the flux-applier ServiceAccount, bound to the FluxConfig's scope.")
	flag.StringVar(&clusterScopeNS, "cluster-scope-namespaces", "cluster-config,flux-system", "Comma-separated namespaces (or shell patterns such as platform-*) where a FluxConfig may have scope cluster ('*' for every namespace). Applies with multi-tenancy.")
	flag.StringVar(&logLevel, "log-level", "info", "Log verbosity: debug, info or error.")
	flag.BoolVar(&showVersion, "version", false, "Print the version and exit.")
	flag.Parse()

	if showVersion {
		fmt.Printf("fluxconfig-controller %s (commit %s)\n", version, commit)
		return
	}
	level, err := parseLevel(logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(false), zap.Level(level)))
	log := ctrl.Log.WithName("setup")
	log.Info("starting fluxconfig-controller", "version", version, "commit", commit)

	selector, err := labels.Parse(watchSelector)
	if err != nil {
		log.Error(err, "invalid --watch-label-selector")
		os.Exit(2)
	}
	scheme := newScheme()
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsserver.Options{BindAddress: metricsAddr, ExtraHandlers: pprofHandlers(enablePprof)},
		HealthProbeBindAddress:        healthAddr,
		LeaderElection:                leaderElect,
		LeaderElectionID:              leaderElectionID,
		LeaderElectionNamespace:       leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         fcctrl.CacheOptions(selector),
	})
	if err != nil {
		log.Error(err, "unable to create the manager")
		os.Exit(1)
	}
	r := &fcctrl.FluxConfigReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Recorder:  mgr.GetEventRecorder("fluxconfig-controller"),
		Builder: builder.Options{
			MultiTenancy:           multiTenancy,
			ClusterScopeNamespaces: splitList(clusterScopeNS),
		},
		ResyncInterval: resync,
		RetryInterval:  requeueDependency,
		Metrics:        metrics.Default(),
	}
	if err := r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: concurrent}); err != nil {
		log.Error(err, "unable to set up the controller")
		os.Exit(1)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		log.Error(err, "unable to set up the health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		log.Error(err, "unable to set up the ready check")
		os.Exit(1)
	}
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "the manager stopped with an error")
		os.Exit(1)
	}
}

// pprofHandlers are net/http/pprof's handlers, served beside /metrics when
// enabled.
func pprofHandlers(enabled bool) map[string]http.Handler {
	if !enabled {
		return nil
	}
	return map[string]http.Handler{
		"/debug/pprof/":        http.HandlerFunc(pprof.Index),
		"/debug/pprof/cmdline": http.HandlerFunc(pprof.Cmdline),
		"/debug/pprof/profile": http.HandlerFunc(pprof.Profile),
		"/debug/pprof/symbol":  http.HandlerFunc(pprof.Symbol),
		"/debug/pprof/trace":   http.HandlerFunc(pprof.Trace),
	}
}

func parseLevel(s string) (zapcore.Level, error) {
	switch s {
	case "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return 0, fmt.Errorf("--log-level %q: use debug, info or error", s)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

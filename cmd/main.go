// Command fluxconfig-controller runs the FluxConfig controller.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/fluxcd/cli-utils/pkg/flowcontrol"
	"github.com/fluxcd/pkg/runtime/logger"
	"github.com/fluxcd/pkg/runtime/pprof"
	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	fcctrl "github.com/fluxconfig-controller/fluxconfig-controller/internal/controller"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
)

// Set at build time with -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	o, err := parseOptions(os.Args[1:])
	if errors.Is(err, pflag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if o.showVersion {
		fmt.Printf("fluxconfig-controller %s (commit %s)\n", version, commit)
		return
	}
	logger.SetLogger(logger.NewLogger(o.logging))
	if err := run(o); err != nil {
		ctrl.Log.WithName("setup").Error(err, "fluxconfig-controller stopped")
		os.Exit(1)
	}
}

func run(o *options) error {
	log := ctrl.Log.WithName("setup")
	log.Info("starting fluxconfig-controller", "version", version, "commit", commit)
	if err := o.jitter.SetGlobalJitter(nil); err != nil {
		return fmt.Errorf("--interval-jitter-percentage: %w", err)
	}
	mgr, err := ctrl.NewManager(apiClientConfig(o), ctrl.Options{
		Scheme:                        kinds.NewScheme(),
		Metrics:                       metricsserver.Options{BindAddress: o.metricsAddr, ExtraHandlers: pprofHandlers(o.enablePprof)},
		HealthProbeBindAddress:        o.healthAddr,
		LeaderElection:                o.leaderElection.Enable,
		LeaderElectionReleaseOnCancel: o.leaderElection.ReleaseOnCancel,
		LeaseDuration:                 &o.leaderElection.LeaseDuration,
		RenewDeadline:                 &o.leaderElection.RenewDeadline,
		RetryPeriod:                   &o.leaderElection.RetryPeriod,
		LeaderElectionID:              o.leaderElectionID,
		LeaderElectionNamespace:       o.leaderElectionNS,
		Cache:                         fcctrl.CacheOptions(o.selector),
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	r := &fcctrl.FluxConfigReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Recorder:  mgr.GetEventRecorder("fluxconfig-controller"),
		Builder: builder.Options{
			MultiTenancy:                        o.multiTenancy,
			ClusterScopeNamespaces:              splitList(o.clusterScopeNS),
			AllowRemoteClustersInNamespaceScope: o.allowRemoteInNamespace,
			SSHKeyAlgorithm:                     o.sshKeyAlgorithm,
			ShardLabels:                         fcctrl.ShardLabels(o.selector),
		},
		ResyncInterval: o.resync,
		RetryInterval:  o.requeueDependency,
		Metrics:        metrics.Default(),
	}
	if err := r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: o.concurrent}); err != nil {
		return fmt.Errorf("setting up the controller: %w", err)
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("informers", cachesSynced(mgr.GetCache())); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}

// apiClientConfig is the kubeconfig or in-cluster config with the client's
// rate limits, as Flux's runtime/client.GetConfigOrDie makes it: no
// client-side limit when the API server has priority and fairness (it
// protects itself), --kube-api-qps and --kube-api-burst otherwise. That
// package is not imported because it pulls kstatus' poller and with it
// kubectl, cli-runtime and kustomize into the binary (85 MB instead of 49).
func apiClientConfig(o *options) *rest.Config {
	cfg := ctrl.GetConfigOrDie()
	if enabled, err := flowcontrol.IsEnabled(context.Background(), cfg); err == nil && enabled {
		cfg.QPS, cfg.Burst = -1, -1
		return cfg
	}
	cfg.QPS, cfg.Burst = o.qps, o.burst
	return cfg
}

// pprofHandlers are Go's profiles, served beside /metrics when enabled.
func pprofHandlers(enabled bool) map[string]http.Handler {
	if !enabled {
		return nil
	}
	return pprof.GetHandlers()
}

// cachesSynced is ready only once every informer started so far has
// synced: a replica that cannot serve from its cache yet (the API server
// unreachable at start, a slow first list) is not ready, so a rolling
// update does not route leadership to it.
func cachesSynced(c cache.Cache) healthz.Checker {
	return func(req *http.Request) error {
		ctx, cancel := context.WithTimeout(req.Context(), time.Second)
		defer cancel()
		if !c.WaitForCacheSync(ctx) {
			return errors.New("the informer caches have not synced yet")
		}
		return nil
	}
}

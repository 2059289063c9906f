package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fluxcd/pkg/runtime/jitter"
	"github.com/fluxcd/pkg/runtime/leaderelection"
	"github.com/fluxcd/pkg/runtime/logger"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// defaultLeaderElectionID is the lease of an unsharded controller; a shard
// (--watch-label-selector) gets its own, derived from its selector, so two
// shards never wait for each other's lease.
const defaultLeaderElectionID = "fluxconfig-controller-leader-election"

// options are the controller's flags. Logging, leader election, API client
// rate limits and interval jitter use the Flux toolkit's own flag sets, so
// they read as on every Flux controller.
type options struct {
	metricsAddr, healthAddr string
	watchSelector           string
	clusterScopeNS          string
	leaderElectionID        string
	leaderElectionNS        string
	concurrent              int
	multiTenancy            bool
	allowRemoteInNamespace  bool
	sshKeyAlgorithm         string
	showVersion             bool
	enablePprof             bool
	requeueDependency       time.Duration
	resync                  time.Duration

	logging        logger.Options
	leaderElection leaderelection.Options
	qps            float32
	burst          int
	jitter         jitter.IntervalOptions

	// selector is watchSelector, parsed.
	selector labels.Selector
}

func parseOptions(args []string) (*options, error) {
	o := &options{}
	fs := pflag.NewFlagSet("fluxconfig-controller", pflag.ContinueOnError)
	fs.StringVar(&o.metricsAddr, "metrics-addr", ":8080", "The address the Prometheus metrics endpoint binds to.")
	fs.StringVar(&o.healthAddr, "health-addr", ":9440", "The address the liveness and readiness probes bind to.")
	fs.IntVar(&o.concurrent, "concurrent", 4, "The number of FluxConfigs reconciled at the same time.")
	fs.DurationVar(&o.requeueDependency, "requeue-dependency", 30*time.Second, "How soon a FluxConfig waiting on something (missing Flux CRDs, a name conflict, a deletion in progress) is looked at again.")
	fs.DurationVar(&o.resync, "resync-interval", 10*time.Minute, "How often every FluxConfig is reconciled even when nothing changed.")
	fs.StringVar(&o.watchSelector, "watch-label-selector", "", "Reconcile only the FluxConfigs matching this label selector, to shard them across controller deployments.")
	fs.StringVar(&o.leaderElectionID, "leader-election-id", "", "The name of the leader election lease. Default: "+defaultLeaderElectionID+", with a suffix derived from --watch-label-selector when it is set.")
	fs.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "The namespace of the leader election lease; empty: the controller's own namespace (required outside a cluster).")
	fs.BoolVar(&o.enablePprof, "enable-pprof", false, "Serve Go's pprof profiles under /debug/pprof/ on the metrics endpoint (for benchmarks and debugging; do not expose it).")
	fs.BoolVar(&o.multiTenancy, "enable-multi-tenancy", true, "Apply every Kustomization as the flux-applier ServiceAccount, bound to the FluxConfig's scope.")
	fs.StringVar(&o.clusterScopeNS, "cluster-scope-namespaces", "cluster-config,flux-system", "Comma-separated namespaces (or shell patterns such as platform-*) where a FluxConfig may have scope cluster ('*' for every namespace). Applies with multi-tenancy.")
	fs.BoolVar(&o.allowRemoteInNamespace, "allow-remote-clusters-in-namespace-scope", false, "Let a FluxConfig of scope namespace apply kustomizations to remote clusters (kustomizations[].kubeConfig), which leaves its namespace.")
	fs.StringVar(&o.sshKeyAlgorithm, "ssh-key-algorithm", builder.KeyAlgorithmRSA, "The algorithm of generated SSH deploy keys: "+strings.Join(builder.KeyAlgorithms, ", ")+". RSA (4096 bits) is accepted by every Git host, Azure DevOps included. Keys generated before are kept.")
	fs.BoolVar(&o.showVersion, "version", false, "Print the version and exit.")
	o.logging.BindFlags(fs)
	o.leaderElection.BindFlags(fs)
	// fluxcd/pkg/runtime/client's flags, by name, default and meaning,
	// without importing it (see apiClientConfig).
	fs.Float32Var(&o.qps, "kube-api-qps", 50, "The maximum queries-per-second of requests sent to the Kubernetes API.")
	fs.IntVar(&o.burst, "kube-api-burst", 300, "The maximum burst queries-per-second of requests sent to the Kubernetes API.")
	o.jitter.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var err error
	if o.selector, err = labels.Parse(o.watchSelector); err != nil {
		return nil, fmt.Errorf("--watch-label-selector: %w", err)
	}
	if o.leaderElectionID == "" {
		o.leaderElectionID = defaultLeaderElectionID
		if o.watchSelector != "" {
			o.leaderElectionID = leaderelection.GenerateID(defaultLeaderElectionID, o.watchSelector)
		}
	}
	if !slices.Contains(builder.KeyAlgorithms, o.sshKeyAlgorithm) {
		return nil, fmt.Errorf("--ssh-key-algorithm %q: use %s", o.sshKeyAlgorithm, strings.Join(builder.KeyAlgorithms, ", "))
	}
	if _, ok := map[string]bool{"trace": true, "debug": true, "info": true, "error": true}[o.logging.LogLevel]; !ok {
		return nil, fmt.Errorf("--log-level %q: use trace, debug, info or error", o.logging.LogLevel)
	}
	return o, nil
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

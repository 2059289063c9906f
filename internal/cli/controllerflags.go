package cli

import (
	"github.com/spf13/pflag"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// Controller defaults, as cmd/options.go sets them.
const (
	defaultMultiTenancy           = true
	defaultClusterScopeNamespaces = "cluster-config,flux-system"
	defaultAllowRemoteInNamespace = false
)

// controllerFlags are the controller's flags that change what it builds
// or refuses, with the controller's defaults, so that the offline
// commands judge a FluxConfig as a controller started with the same
// flags does.
type controllerFlags struct {
	multiTenancy, allowRemoteInNamespace bool
	clusterScopeNamespaces               string
}

func (c *controllerFlags) bind(f *pflag.FlagSet) {
	f.BoolVar(&c.multiTenancy, "enable-multi-tenancy", defaultMultiTenancy, "as the controller's flag: apply as the flux-applier ServiceAccount bound to the FluxConfig's scope")
	f.StringVar(&c.clusterScopeNamespaces, "cluster-scope-namespaces", defaultClusterScopeNamespaces, "as the controller's flag: namespaces (or patterns) where scope cluster is allowed")
	f.BoolVar(&c.allowRemoteInNamespace, "allow-remote-clusters-in-namespace-scope", defaultAllowRemoteInNamespace, "as the controller's flag: let scope namespace apply to remote clusters (kustomizations[].kubeConfig)")
}

func (c *controllerFlags) options() builder.Options {
	return builder.Options{
		MultiTenancy:                        c.multiTenancy,
		ClusterScopeNamespaces:              splitList(c.clusterScopeNamespaces),
		AllowRemoteClustersInNamespaceScope: c.allowRemoteInNamespace,
	}
}

package cli

import (
	"fmt"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// scheme knows the FluxConfig API, the Flux APIs and the core types.
func scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, v1alpha1.AddToScheme,
		sourcev1.AddToScheme, kustomizev1.AddToScheme, helmv2.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err) // static registrations: cannot fail
		}
	}
	return s
}

// kube is the connection to a cluster, configured by the usual kubectl
// flags (--kubeconfig, --context, -n, ...).
type kube struct {
	flags *genericclioptions.ConfigFlags
}

// addKubeFlags adds kubectl's connection flags to cmd. Without namespace,
// -n and -s are left to the command (create uses them for the name and
// the scope, as az does): no --namespace and no --server then.
func addKubeFlags(cmd *cobra.Command, namespace bool) *kube {
	f := genericclioptions.NewConfigFlags(true)
	f.Timeout = nil // the commands' own --timeout is about Flux, not one request
	if !namespace {
		f.Namespace, f.APIServer = nil, nil
	}
	f.AddFlags(cmd.Flags())
	return &kube{flags: f}
}

func (k *kube) client() (client.Client, error) {
	cfg, err := k.flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme()})
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	return c, nil
}

// namespace is -n, else the kubeconfig context's namespace, else default.
func (k *kube) namespace() (string, error) {
	ns, _, err := k.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", fmt.Errorf("reading the namespace from the kubeconfig: %w", err)
	}
	return ns, nil
}

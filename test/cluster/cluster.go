// Package cluster runs the whole product on this machine for the
// end-to-end suite and the demo: the test control plane (kube-apiserver and
// etcd from bin/k8s) with this project's and Flux's CRDs, the real
// source-, kustomize- and helm-controller built into bin/flux, and this
// controller's binary, all as local processes on 127.0.0.1.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// Options say where the cluster keeps its files and how this controller runs.
type Options struct {
	// StateDir holds the kubeconfig, the logs and source-controller's storage.
	StateDir string
	// FluxBin is the directory of the Flux controller binaries (bin/flux).
	FluxBin string
	// Manager is this controller's binary.
	Manager string
	// ManagerArgs are extra flags for this controller.
	ManagerArgs []string
	// SourceEnv is extra environment for source-controller, for example a
	// NameProxy's Env.
	SourceEnv []string
	// Progress, when set, is told each step.
	Progress func(string)
}

// Cluster is a running control plane with Flux and this controller.
type Cluster struct {
	Config     *rest.Config
	Client     client.Client
	Kubeconfig string
	Scheme     *runtime.Scheme
	// ManagerLog is the path of this controller's log file.
	ManagerLog string

	env   *envtest.Environment
	procs []*testkit.Process
}

// Start starts everything. On error, what was started is stopped again.
func Start(opts Options) (c *Cluster, err error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	if err := os.MkdirAll(opts.StateDir, 0o755); err != nil {
		return nil, err
	}
	c = &Cluster{}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	progress("starting kube-apiserver and etcd, installing the FluxConfig and Flux CRDs")
	if err := c.startControlPlane(); err != nil {
		return nil, err
	}
	if err := c.writeKubeconfig(opts.StateDir); err != nil {
		return nil, err
	}
	progress("starting source-controller, kustomize-controller and helm-controller (bin/flux)")
	if err := c.startFlux(opts); err != nil {
		return nil, err
	}
	progress("starting fluxconfig-controller")
	if err := c.startManager(opts); err != nil {
		return nil, err
	}
	return c, nil
}

// startControlPlane starts kube-apiserver and etcd with this project's and
// Flux's CRDs, and does what kube-controller-manager would: the
// flux-applier of a namespace-scoped FluxConfig is bound to admin, whose
// rules are aggregated.
func (c *Cluster) startControlPlane() error {
	crds, err := testenv.AllCRDs()
	if err != nil {
		return err
	}
	if c.env, c.Config, err = testenv.Start(crds...); err != nil {
		return err
	}
	c.Scheme = kinds.NewScheme()
	if c.Client, err = client.New(c.Config, client.Options{Scheme: c.Scheme}); err != nil {
		return err
	}
	return testenv.AggregateClusterRoles(context.Background(), c.Client)
}

// writeKubeconfig writes the kubeconfig of a system:masters user, which
// every controller and a user's kubectl use.
func (c *Cluster) writeKubeconfig(stateDir string) error {
	user, err := c.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	c.Kubeconfig = filepath.Join(stateDir, "kubeconfig")
	return os.WriteFile(c.Kubeconfig, kubeconfig, 0o600)
}

// startManager starts this controller's binary.
func (c *Cluster) startManager(opts Options) error {
	c.ManagerLog = filepath.Join(opts.StateDir, "fluxconfig-controller.log")
	args := append([]string{"--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0", "--requeue-dependency=5s"}, opts.ManagerArgs...)
	return c.start("fluxconfig-controller", opts.Manager, args, nil, c.ManagerLog)
}

func (c *Cluster) startFlux(opts Options) error {
	storage := filepath.Join(opts.StateDir, "source-storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return err
	}
	storageAddr, err := testkit.FreeAddr()
	if err != nil {
		return err
	}
	common := []string{"--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0", "--enable-leader-election=false", "--log-level=info"}
	controllers := []struct {
		name string
		args []string
		env  []string
	}{
		{"source-controller", []string{"--storage-path=" + storage, "--storage-addr=" + storageAddr, "--storage-adv-addr=" + storageAddr}, opts.SourceEnv},
		{"kustomize-controller", []string{"--requeue-dependency=5s", "--no-cross-namespace-refs=true"}, nil},
		{"helm-controller", []string{"--requeue-dependency=5s", "--no-cross-namespace-refs=true"}, nil},
	}
	for _, fc := range controllers {
		bin := filepath.Join(opts.FluxBin, fc.name)
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%s is not built: run `make flux` (hack/build-flux.sh)", bin)
		}
		if err := c.start(fc.name, bin, append(common, fc.args...), fc.env, filepath.Join(opts.StateDir, fc.name+".log")); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) start(name, binary string, args, env []string, logPath string) error {
	env = append([]string{"KUBECONFIG=" + c.Kubeconfig, "RUNTIME_NAMESPACE=flux-system"}, env...)
	p, err := testkit.StartProcess(name, binary, args, env, logPath)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	return nil
}

// Check returns an error naming any process that has exited.
func (c *Cluster) Check() error {
	var errs []error
	for _, p := range c.procs {
		if p.Exited() {
			errs = append(errs, fmt.Errorf("%s exited: see %s", p.Name, p.LogPath))
		}
	}
	return errors.Join(errs...)
}

// Stop stops every process, this controller first, then the control plane.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].Stop()
	}
	c.procs = nil
	if c.env != nil {
		_ = c.env.Stop()
		c.env = nil
	}
}

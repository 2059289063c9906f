// Package testenv starts the test control plane (kube-apiserver and etcd
// built by `make envtest` into bin/k8s) for the envtest and e2e suites and
// for the local demo, and finds the repository's files from any package
// directory.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Root returns the repository root: the nearest directory above the working
// directory that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Dir returns the directory an environment variable names (make test sets
// them) or, when it is unset, bin/<fallback> under the repository root.
func Dir(env, fallback string) (string, error) {
	if d := os.Getenv(env); d != "" {
		return filepath.Abs(d)
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "bin", fallback), nil
}

// CRDs returns this project's CRD directory (config/crd/bases).
func CRDs() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "config", "crd", "bases"), nil
}

// FluxCRDs returns the directory of the Flux CRDs (FLUX_CRDS or bin/flux-crds).
func FluxCRDs() (string, error) { return Dir("FLUX_CRDS", "flux-crds") }

// AllCRDs returns this project's CRD directory and the Flux CRDs'.
func AllCRDs() ([]string, error) {
	own, err := CRDs()
	if err != nil {
		return nil, err
	}
	flux, err := FluxCRDs()
	if err != nil {
		return nil, err
	}
	return []string{own, flux}, nil
}

// Environment returns a control plane, not started yet, that runs
// kube-apiserver and etcd from ENVTEST_ASSETS (or bin/k8s) and installs the
// CRDs of the given directories. A suite that needs more (an audit log, a
// kube-apiserver it restarts) configures it before StartEnvironment.
func Environment(crdDirs ...string) (*envtest.Environment, error) {
	bin, err := Dir("ENVTEST_ASSETS", "k8s")
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     crdDirs,
		ErrorIfCRDPathMissing: true,
	}
	// Explicit paths: KUBEBUILDER_ASSETS and TEST_ASSET_*, even set empty,
	// would otherwise silently win over BinaryAssetsDirectory.
	env.ControlPlane.GetAPIServer().Path = filepath.Join(bin, "kube-apiserver")
	env.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(bin, "etcd")}
	return env, nil
}

// StartEnvironment starts a control plane of Environment. On error nothing
// is left running.
func StartEnvironment(env *envtest.Environment) (*rest.Config, error) {
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop() // Start can fail after the processes are up (a CRD that does not install)
		bin := filepath.Dir(env.ControlPlane.GetAPIServer().Path)
		return nil, fmt.Errorf("starting the test control plane from %s (run `make envtest` to build it): %w", bin, err)
	}
	return cfg, nil
}

// Start starts kube-apiserver and etcd from ENVTEST_ASSETS (or bin/k8s) and
// installs the CRDs of the given directories. On error nothing is left
// running.
func Start(crdDirs ...string) (*envtest.Environment, *rest.Config, error) {
	env, err := Environment(crdDirs...)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := StartEnvironment(env)
	if err != nil {
		return nil, nil, err
	}
	return env, cfg, nil
}

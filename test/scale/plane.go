package main

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// auditedGroup is the group of every user whose requests the audit log
// records: the controllers and the bare client. The benchmark's own users
// (creating FluxConfigs, playing Flux) are not recorded.
const auditedGroup = "bench:audited"

// auditPolicy records audited users at level Metadata (who, verb, object,
// response code; no bodies), from the moment a response starts (watches) or
// completes (everything else).
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  userGroups: ["` + auditedGroup + `"]
- level: None
`

// plane is a running kube-apiserver and etcd with the FluxConfig and Flux
// CRDs, writing an audit log.
type plane struct {
	env      *envtest.Environment
	auditLog string
}

// startPlane starts the control plane from bin/k8s (through the paths
// internal/testenv knows) with the audit policy above, logging into dir.
func startPlane(dir string) (*plane, error) {
	k8s, err := testenv.Dir("ENVTEST_ASSETS", "k8s")
	if err != nil {
		return nil, err
	}
	own, err := testenv.CRDs()
	if err != nil {
		return nil, err
	}
	flux, err := testenv.FluxCRDs()
	if err != nil {
		return nil, err
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o644); err != nil {
		return nil, err
	}
	p := &plane{auditLog: filepath.Join(dir, "audit.log")}
	p.env = &envtest.Environment{CRDDirectoryPaths: []string{own, flux}, ErrorIfCRDPathMissing: true}
	api := p.env.ControlPlane.GetAPIServer()
	api.Path = filepath.Join(k8s, "kube-apiserver")
	api.Configure().
		Set("audit-policy-file", policy).
		Set("audit-log-path", p.auditLog).
		Set("audit-log-format", "json").
		Set("audit-log-mode", "blocking").
		// The file is never rotated during a run (the size is in MB).
		Set("audit-log-maxsize", "1000000").
		Set("audit-log-maxbackup", "0")
	p.env.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(k8s, "etcd")}
	if _, err := p.env.Start(); err != nil {
		_ = p.env.Stop()
		return nil, fmt.Errorf("starting kube-apiserver and etcd from %s (run `make envtest` to build them): %w", k8s, err)
	}
	return p, nil
}

// user adds a user of group system:masters (plus the audited group when
// audited) and returns its config, without client-side rate limits (as
// controller-runtime's own default), and its kubeconfig.
func (p *plane) user(name string, audited bool) (*rest.Config, []byte, error) {
	groups := []string{"system:masters"}
	if audited {
		groups = append(groups, auditedGroup)
	}
	u, err := p.env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return nil, nil, err
	}
	kubeconfig, err := u.KubeConfig()
	if err != nil {
		return nil, nil, err
	}
	cfg := rest.CopyConfig(u.Config())
	cfg.QPS, cfg.Burst = -1, 0
	return cfg, kubeconfig, nil
}

func (p *plane) stop() {
	if p != nil && p.env != nil {
		_ = p.env.Stop()
	}
}

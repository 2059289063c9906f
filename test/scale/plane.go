package main

import (
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
	crds, err := testenv.AllCRDs()
	if err != nil {
		return nil, err
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o644); err != nil {
		return nil, err
	}
	p := &plane{auditLog: filepath.Join(dir, "audit.log")}
	if p.env, err = testenv.Environment(crds...); err != nil {
		return nil, err
	}
	p.env.ControlPlane.GetAPIServer().Configure().
		Set("audit-policy-file", policy).
		Set("audit-log-path", p.auditLog).
		Set("audit-log-format", "json").
		Set("audit-log-mode", "blocking").
		// The file is never rotated during a run (the size is in MB).
		Set("audit-log-maxsize", "1000000").
		Set("audit-log-maxbackup", "0")
	if _, err := testenv.StartEnvironment(p.env); err != nil {
		return nil, err
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

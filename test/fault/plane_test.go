package fault

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// controllerUser is the name the controller authenticates as (its client
// certificate's CN); it has only the project's ClusterRole.
const controllerUser = "fluxconfig-controller"

// auditPolicy records, without bodies, every write request of the
// controller's user: the suite counts them to tell a hot loop from a
// controller that writes only what changed.
var auditPolicy = fmt.Sprintf(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  users: [%q]
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`, controllerUser)

// plane is the test control plane: etcd and a kube-apiserver that can be
// stopped and started again on the same port, with the same certificates
// and the same etcd, while everything else keeps running.
type plane struct {
	env *envtest.Environment
	// admin is a system:masters config for the test's own requests.
	admin *rest.Config
	// dir keeps the certificates, the audit log and the logs.
	dir      string
	auditLog string
	// controllerKubeconfig authenticates as controllerUser.
	controllerKubeconfig string
	// down is set while kube-apiserver is stopped.
	down bool
}

// startPlane starts etcd and kube-apiserver from ENVTEST_ASSETS (or bin/k8s)
// with this project's and Flux's CRDs. envtest's APIServer keeps its port
// across Stop and Start, and keeps its serving and client CA certificates
// when CertDir is given (a directory it made itself is deleted on Stop, and
// a restart would then mint a new CA that no client trusts).
func startPlane(dir string) (*plane, error) {
	crds, err := testenv.AllCRDs()
	if err != nil {
		return nil, err
	}
	p := &plane{dir: dir, auditLog: filepath.Join(dir, "audit.log")}
	certs := filepath.Join(dir, "certs")
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.MkdirAll(certs, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return nil, err
	}
	apiLog, err := os.Create(filepath.Join(dir, "kube-apiserver.log"))
	if err != nil {
		return nil, err
	}
	if p.env, err = testenv.Environment(crds...); err != nil {
		return nil, err
	}
	// The machine is shared: a restart may take a while.
	p.env.ControlPlaneStartTimeout, p.env.ControlPlaneStopTimeout = 90*time.Second, 60*time.Second
	api := p.env.ControlPlane.GetAPIServer()
	api.CertDir = certs
	api.Out, api.Err = apiLog, apiLog
	api.Configure().Set("audit-policy-file", policy).Set("audit-log-path", p.auditLog).
		// Without it, SIGTERM waits for every open watch to time out (60 s)
		// before kube-apiserver exits; control planes in production set it
		// as well.
		Set("shutdown-watch-termination-grace-period", "2s")
	if p.admin, err = testenv.StartEnvironment(p.env); err != nil {
		return nil, err
	}
	user, err := p.env.AddUser(envtest.User{Name: controllerUser}, nil)
	if err != nil {
		return nil, err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	p.controllerKubeconfig = filepath.Join(dir, "controller.kubeconfig")
	return p, os.WriteFile(p.controllerKubeconfig, kubeconfig, 0o600)
}

// stopAPIServer stops kube-apiserver (SIGTERM, as a rolling control plane
// would); etcd keeps running.
func (p *plane) stopAPIServer() error {
	p.down = true
	return p.env.ControlPlane.GetAPIServer().Stop()
}

// startAPIServer starts kube-apiserver again and waits for /healthz.
func (p *plane) startAPIServer() error {
	if err := p.env.ControlPlane.GetAPIServer().Start(); err != nil {
		return err
	}
	p.down = false
	return nil
}

// ensureUp starts kube-apiserver if a spec left it stopped.
func (p *plane) ensureUp() error {
	if !p.down {
		return nil
	}
	return p.startAPIServer()
}

func (p *plane) stop() error { return p.env.Stop() }

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// Users of a session. Only the audited ones appear in the audit log.
const (
	adminUser      = "bench-admin"           // creates and deletes FluxConfigs, flips children
	fluxUser       = "bench-flux"            // the Flux stand-in
	baselineUser   = "bench-baseline"        // the bare client (audited)
	controllerUser = "fluxconfig-controller" // the controller under test (audited)
)

// session is one fresh control plane with the Flux stand-in running.
type session struct {
	dir      string
	plane    *plane
	audit    *auditLog
	scheme   *runtime.Scheme
	admin    client.Client
	adminCfg *rest.Config
	flux     *fluxStandIn
	versions versions
	stopFlux context.CancelFunc
}

// versions are the API server's and etcd's, read at run time.
type versions struct{ apiserver, etcd string }

func startSession(ctx context.Context, dir string, workers int) (s *session, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s = &session{dir: dir}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	if s.plane, err = startPlane(dir); err != nil {
		return nil, err
	}
	s.audit = newAuditLog(s.plane.auditLog)
	s.scheme = kinds.NewScheme()
	if s.adminCfg, _, err = s.plane.user(adminUser, false); err != nil {
		return nil, err
	}
	if s.admin, err = client.New(s.adminCfg, client.Options{Scheme: s.scheme}); err != nil {
		return nil, err
	}
	s.versions = readVersions(ctx, s.adminCfg)
	fluxCfg, _, err := s.plane.user(fluxUser, false)
	if err != nil {
		return nil, err
	}
	fluxCtx, cancel := context.WithCancel(ctx)
	s.stopFlux = cancel
	if s.flux, err = startFluxStandIn(fluxCtx, fluxCfg, s.scheme, workers); err != nil {
		return nil, err
	}
	return s, nil
}

// client returns a client of an audited user.
func (s *session) client(user string) (client.Client, error) {
	cfg, _, err := s.plane.user(user, true)
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: s.scheme})
}

// kubeconfig writes the kubeconfig of an audited user into the session's
// directory and returns its path.
func (s *session) kubeconfig(user string) (string, error) {
	_, kc, err := s.plane.user(user, true)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, user+".kubeconfig")
	return path, os.WriteFile(path, kc, 0o600)
}

func (s *session) stop() {
	if s.stopFlux != nil {
		s.stopFlux()
	}
	s.plane.stop()
}

func readVersions(ctx context.Context, cfg *rest.Config) versions {
	v := versions{apiserver: "unknown", etcd: "unknown"}
	if dc, err := discovery.NewDiscoveryClientForConfig(cfg); err == nil {
		if info, err := dc.ServerVersion(); err == nil {
			v.apiserver = info.GitVersion
		}
	}
	if bin, err := testenv.Dir("ENVTEST_ASSETS", "k8s"); err == nil {
		if out, err := exec.CommandContext(ctx, filepath.Join(bin, "etcd"), "--version").Output(); err == nil {
			v.etcd = firstLineValue(string(out), "etcd Version:")
		}
	}
	return v
}

// firstLineValue returns what follows prefix on the first line that starts
// with it.
func firstLineValue(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return strings.TrimSpace(value)
		}
	}
	return fmt.Sprintf("unknown (%q)", strings.TrimSpace(text))
}

// Package gitserver serves Git repositories on 127.0.0.1 for the end-to-end
// tests and the local demo: over the smart HTTP protocol with Debian git's
// `git http-backend` behind net/http/cgi, plain or, with a test CA and basic
// auth, HTTPS; and over SSH (golang.org/x/crypto/ssh running
// git-upload-pack) for authorized public keys.
package gitserver

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/testca"
)

// gitTimeout bounds each git command the server runs (to set up or change a
// repository, or to serve an SSH client), so that a git waiting for input
// fails the test instead of hanging it.
const gitTimeout = 2 * time.Minute

// Server serves the bare repositories under one root directory.
type Server struct {
	root    string
	backend string

	mu      sync.Mutex
	servers []*http.Server
	closers []io.Closer
}

// New returns a server for the repositories under root (created if missing).
// It needs the git binary and its http-backend helper.
func New(root string) (*Server, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("gitserver: git is needed (apt-get install git): %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("gitserver: %s not found: %w", backend, err)
	}
	return &Server{root: root, backend: backend}, nil
}

func (s *Server) handler() http.Handler {
	return &cgi.Handler{
		Path: s.backend,
		Root: "/",
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.root,
			"GIT_HTTP_EXPORT_ALL=1",
		},
	}
}

// Serve starts a plain HTTP listener on 127.0.0.1 and returns its base URL;
// a repository named r is at <url>/r.git.
func (s *Server) Serve() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s.start(ln, s.handler())
	return "http://" + ln.Addr().String(), nil
}

// ServeTLS starts an HTTPS listener on 127.0.0.1 with a certificate of the
// given CA that asks for basic auth with user and password. It returns the
// base URL.
func (s *Server) ServeTLS(ca *testca.CA, user, password string) (string, error) {
	cert, err := ca.ServerCertificate()
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	s.start(tlsLn, basicAuth(user, password, s.handler()))
	return "https://" + ln.Addr().String(), nil
}

func (s *Server) start(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.servers = append(s.servers, srv)
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Close stops every listener.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.servers {
		_ = srv.Close()
	}
	for _, c := range s.closers {
		_ = c.Close()
	}
	s.servers, s.closers = nil, nil
}

func basicAuth(user, password string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CreateRepo makes an empty bare repository and a work tree to commit from.
func (s *Server) CreateRepo(name string) (*Repo, error) {
	if strings.ContainsAny(name, "/\\") || name == "" {
		return nil, errors.New("gitserver: a repository name is one path segment")
	}
	bare := filepath.Join(s.root, name+".git")
	work := filepath.Join(s.root, ".work", name)
	for _, d := range []string{bare, work} {
		if _, err := os.Stat(d); err == nil {
			return nil, fmt.Errorf("gitserver: repository %q exists", name)
		}
	}
	r := &Repo{Name: name, bare: bare, work: work}
	if err := r.git(s.root, "init", "--quiet", "--bare", "--initial-branch=main", bare); err != nil {
		return nil, err
	}
	if err := r.git(s.root, "init", "--quiet", "--initial-branch=main", work); err != nil {
		return nil, err
	}
	return r, nil
}

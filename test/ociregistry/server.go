// Package ociregistry serves an OCI registry on 127.0.0.1 for the end-to-end
// tests of sourceKind OCIRepository: the in-memory registry of
// go-containerregistry (pkg/registry, a library server that builds in
// seconds), optionally behind HTTP basic auth answered the way registries
// answer it (401 with a WWW-Authenticate challenge, so a client negotiates),
// and optionally over TLS with a certificate of a throwaway test CA. Push
// stores a directory as an artifact in Flux's own OCI artifact format.
package ociregistry

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/testca"
)

// Options say how the registry is reached.
type Options struct {
	// Username and Password, when both set, are required on every request
	// (HTTP basic auth).
	Username string
	Password string
	// CA, when set, serves TLS with a certificate of this CA for 127.0.0.1,
	// localhost and Hostname.
	CA *testca.CA
	// Hostname is the name clients use instead of 127.0.0.1; it must resolve
	// to 127.0.0.1 for them (the e2e suite's Flux controllers reach it
	// through a proxy). TLS needs one: go-containerregistry, and so Flux,
	// always speak plain HTTP to 127.0.0.1, private addresses, localhost and
	// *.localhost names.
	Hostname string
}

// Server is a running registry.
type Server struct {
	// Host is host:port as clients name it, for example 127.0.0.1:41234 or
	// registry.test:41234.
	Host string
	// Addr is the listening address, 127.0.0.1:<port>.
	Addr string

	opts Options
	srv  *http.Server
}

// plainHTTP tells whether go-containerregistry contacts host over plain
// HTTP whatever the server speaks (an address, localhost, *.localhost).
func plainHTTP(host string) bool {
	return net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// Serve starts a registry on 127.0.0.1.
func Serve(opts Options) (*Server, error) {
	if (opts.Username == "") != (opts.Password == "") {
		return nil, errors.New("ociregistry: set both Username and Password, or neither")
	}
	if opts.CA != nil && (opts.Hostname == "" || plainHTTP(opts.Hostname)) {
		return nil, fmt.Errorf("ociregistry: TLS needs a Hostname that clients do not reach over plain HTTP, got %q", opts.Hostname)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if opts.Username != "" {
		h = basicAuth(opts.Username, opts.Password, h)
	}
	if opts.CA != nil {
		cert, err := opts.CA.ServerCertificate(opts.Hostname)
		if err != nil {
			ln.Close()
			return nil, err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	s := &Server{Addr: ln.Addr().String(), opts: opts}
	s.Host = s.Addr
	if opts.Hostname != "" {
		s.Host = opts.Hostname + ":" + strings.TrimPrefix(s.Addr, "127.0.0.1:")
	}
	// A client that refuses the certificate is what a TLS spec expects: no
	// "TLS handshake error" lines in the test output.
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the oci:// URL of repository repo, what a FluxConfig's
// spec.ociRepository.url holds.
func (s *Server) URL(repo string) string { return "oci://" + s.Host + "/" + repo }

// Close stops the registry.
func (s *Server) Close() { _ = s.srv.Close() }

// basicAuth answers requests without the right user and password as a
// registry with basic auth does: 401, a Basic challenge, and the
// distribution API's error body.
func basicAuth(user, password string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if ok && subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1 &&
			subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1 {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="fluxconfig-controller test registry"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}`)
	})
}

package cluster

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"
)

// NameProxy is the name service of the test world for source-controller:
// an HTTP forward proxy (HTTP_PROXY and HTTPS_PROXY) that sends every
// request for a name under .localhost or .test (names RFC 6761 reserves,
// which resolve to nothing here: Go's resolver does not map *.localhost to
// loopback) to the same port on 127.0.0.1, and refuses every other name with
// 403, noting it, because the machine has no internet. Servers need such
// names where a client derives something from the host name: Flux takes an
// Azure storage account from the first label of the endpoint's host, and
// go-containerregistry speaks plain HTTP to 127.0.0.1, so TLS needs a name.
// Requests to 127.0.0.1 and localhost never reach a proxy (Go's rule), so the
// other servers are unaffected.
type NameProxy struct {
	// URL is the proxy's address, http://127.0.0.1:<port>.
	URL string

	srv     *http.Server
	mu      sync.Mutex
	refused []string
}

// ServeNames starts a NameProxy on 127.0.0.1.
func ServeNames() (*NameProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &NameProxy{URL: "http://" + ln.Addr().String()}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Env is the environment that sends a process's HTTP clients through the proxy.
func (p *NameProxy) Env() []string {
	return []string{
		"HTTP_PROXY=" + p.URL, "HTTPS_PROXY=" + p.URL, "http_proxy=" + p.URL, "https_proxy=" + p.URL,
		"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
	}
}

// Refused lists the requests refused so far: host:port of a tunnel
// (HTTPS), the URL of a plain HTTP request.
func (p *NameProxy) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refused...)
}

// Close stops the proxy.
func (p *NameProxy) Close() { _ = p.srv.Close() }

// localAddr maps host:port of a test name to 127.0.0.1:port.
func localAddr(hostport, defaultPort string) (string, bool) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, defaultPort
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.HasSuffix(host, ".localhost") && !strings.HasSuffix(host, ".test") {
		return "", false
	}
	return net.JoinHostPort("127.0.0.1", port), true
}

func (p *NameProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	addr, ok := localAddr(r.URL.Host, "80")
	if !ok || r.URL.Scheme != "http" {
		p.refuse(w, r.URL.String())
		return
	}
	// The Host header stays the test name: Azurite reads the account there.
	// A server that is gone answers 502, which the client reports.
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.Out.URL.Host = addr
	}, ErrorLog: log.New(io.Discard, "", 0)}
	rp.ServeHTTP(w, r)
}

func (p *NameProxy) refuse(w http.ResponseWriter, what string) {
	p.mu.Lock()
	p.refused = append(p.refused, what)
	p.mu.Unlock()
	http.Error(w, "the test proxy reaches only names under .localhost and .test", http.StatusForbidden)
}

// tunnel answers CONNECT (HTTPS through the proxy) for a test name.
func (p *NameProxy) tunnel(w http.ResponseWriter, r *http.Request) {
	addr, ok := localAddr(r.Host, "443")
	if !ok {
		p.refuse(w, r.Host)
		return
	}
	upstream, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(r.Context(), "tcp", addr)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	client, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	_, _ = io.WriteString(client, "HTTP/1.1 200 Connection Established\r\n\r\n")
	go func() {
		_, _ = io.Copy(upstream, buf.Reader)
		upstream.Close()
	}()
	go func() {
		_, _ = io.Copy(client, upstream)
		client.Close()
	}()
}

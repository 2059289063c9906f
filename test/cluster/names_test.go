package cluster

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestNameProxy(t *testing.T) {
	p, err := ServeNames()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	echoHost := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Host) })
	plain := httptest.NewServer(echoHost)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(echoHost)
	defer tlsSrv.Close()

	proxy, _ := url.Parse(p.URL)
	transport := tlsSrv.Client().Transport.(*http.Transport).Clone()
	transport.Proxy = http.ProxyURL(proxy)
	client := &http.Client{Transport: transport}
	port := func(s *httptest.Server) string { return s.URL[strings.LastIndex(s.URL, ":")+1:] }

	get := func(u string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			// A refused CONNECT fails the request itself.
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	host := "fluxacct.blob.localhost:" + port(plain)
	if code, body := get("http://" + host + "/c"); code != http.StatusOK || body != host {
		t.Fatalf("plain HTTP to a .localhost name: %d %q", code, body)
	}
	// httptest's certificate is for example.com; the tunnel is what is tested.
	transport.TLSClientConfig.ServerName = "example.com"
	if code, body := get("https://registry.test:" + port(tlsSrv) + "/v2/"); code != http.StatusOK || body != "registry.test:"+port(tlsSrv) {
		t.Fatalf("HTTPS to a .test name: %d %q", code, body)
	}
	if code, _ := get("http://169.254.169.254/metadata/identity/oauth2/token?client_id=x"); code != http.StatusForbidden {
		t.Fatalf("plain HTTP to another address: %d", code)
	}
	if code, msg := get("https://login.example.com/tenant/token"); code != 0 || !strings.Contains(msg, "Forbidden") {
		t.Fatalf("HTTPS to another name: %d %s", code, msg)
	}
	want := []string{"http://169.254.169.254/metadata/identity/oauth2/token?client_id=x", "login.example.com:443"}
	if got := p.Refused(); !slices.Equal(got, want) {
		t.Fatalf("refused %v, want %v", got, want)
	}
}

package ociregistry

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/testca"
)

func manifests(t *testing.T) Artifact {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "cm.yaml"), []byte("name: ${NAME}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return Artifact{Dir: dir, Replace: map[string]string{"${NAME}": "pushed"}, Source: "https://example.test/repo.git", Revision: "main@sha1:0123abcd"}
}

func ref(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func serve(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Serve(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// layerFiles reads the files of a tar+gzip layer.
func layerFiles(t *testing.T, rc io.ReadCloser) map[string]string {
	t.Helper()
	defer rc.Close()
	gz, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[hdr.Name] = string(data)
	}
}

func TestPushWritesFluxsArtifactFormat(t *testing.T) {
	s := serve(t, Options{})
	digest, err := s.Push("manifests", manifests(t), "1.0.0", "latest")
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref(t, s.Host+"/manifests:latest"), s.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != ConfigMediaType || len(m.Layers) != 1 || m.Layers[0].MediaType != ContentMediaType {
		t.Fatalf("manifest %s, config %s, layers %v", m.MediaType, m.Config.MediaType, m.Layers)
	}
	if m.Annotations[SourceAnnotation] != "https://example.test/repo.git" || m.Annotations[RevisionAnnotation] != "main@sha1:0123abcd" {
		t.Fatalf("annotations %v", m.Annotations)
	}
	if _, err := time.Parse(time.RFC3339, m.Annotations[CreatedAnnotation]); err != nil {
		t.Fatalf("created annotation: %v", err)
	}
	if got, _ := img.Digest(); got.String() != digest {
		t.Fatalf("digest by tag %s, Push returned %s", got, digest)
	}
	layers, _ := img.Layers()
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	if files := layerFiles(t, rc); files["app/cm.yaml"] != "name: pushed\n" {
		t.Fatalf("layer files %v", files)
	}
	if _, err := remote.Image(ref(t, s.Host+"/manifests@"+digest), s.ClientOptions()...); err != nil {
		t.Fatalf("by digest: %v", err)
	}
	tags, err := remote.List(ref(t, s.Host+"/manifests:latest").Context(), s.ClientOptions()...)
	if err != nil || !slices.Equal(tags, []string{"1.0.0", "latest"}) {
		t.Fatalf("tags %v, %v", tags, err)
	}
}

func TestBasicAuthChallengesAndRefuses(t *testing.T) {
	s := serve(t, Options{Username: "flux", Password: "registry-password"})
	if _, err := s.Push("manifests", manifests(t), "v1"); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+s.Addr+"/v2/", http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("/v2/ without credentials: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	v1 := ref(t, s.Host+"/manifests:v1")
	for _, auth := range []authn.Authenticator{authn.Anonymous, &authn.Basic{Username: "flux", Password: "wrong"}} {
		_, err := remote.Image(v1, append(s.ClientOptions(), remote.WithAuth(auth))...)
		if err == nil || !strings.Contains(err.Error(), "UNAUTHORIZED") {
			t.Fatalf("pull with wrong credentials: %v", err)
		}
	}
	if _, err := remote.Image(v1, s.ClientOptions()...); err != nil {
		t.Fatalf("pull with the right credentials: %v", err)
	}
}

func TestTLSWithTheTestCA(t *testing.T) {
	ca, err := testca.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"", "127.0.0.1", "registry.localhost"} {
		if s, err := Serve(Options{CA: ca, Hostname: host}); err == nil {
			s.Close()
			t.Fatalf("TLS with hostname %q started, but clients would speak plain HTTP to it", host)
		}
	}
	s := serve(t, Options{CA: ca, Hostname: "registry.test", Username: "flux", Password: "registry-password"})
	if !strings.HasPrefix(s.Host, "registry.test:") {
		t.Fatalf("Host %s", s.Host)
	}
	if _, err := s.Push("manifests", manifests(t), "v1"); err != nil {
		t.Fatal(err)
	}
	// The same client without the CA: the system's roots do not know it.
	untrusting := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.Addr)
	}}
	_, err = remote.Image(ref(t, s.Host+"/manifests:v1"),
		remote.WithTransport(untrusting), remote.WithAuth(&authn.Basic{Username: "flux", Password: "registry-password"}))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("pull without the CA: %v", err)
	}
}

func TestDockerConfigJSON(t *testing.T) {
	s := serve(t, Options{Username: "flux", Password: "registry-password"})
	var cfg struct {
		Auths map[string]struct{ Username, Password, Auth string } `json:"auths"`
	}
	if err := json.Unmarshal(s.DockerConfigJSON("flux", "registry-password"), &cfg); err != nil {
		t.Fatal(err)
	}
	e, ok := cfg.Auths[s.Host]
	if !ok || e.Username != "flux" || e.Password != "registry-password" || e.Auth != "Zmx1eDpyZWdpc3RyeS1wYXNzd29yZA==" {
		t.Fatalf("dockerconfigjson %+v", cfg)
	}
}

package chartrepo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"

	"sigs.k8s.io/yaml"
)

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp := request(t, url)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// request GETs url within the test's context.
func request(t *testing.T, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestServeIndexAndArchive(t *testing.T) {
	s, err := Serve(map[string][]Chart{"podinfo": {{Name: "podinfo", Version: "6.5.0"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var idx indexFile
	if err := yaml.Unmarshal(get(t, s.URL+"/podinfo/index.yaml"), &idx); err != nil {
		t.Fatal(err)
	}
	entries := idx.Entries["podinfo"]
	if len(entries) != 1 || entries[0].Version != "6.5.0" || len(entries[0].URLs) != 1 {
		t.Fatalf("index entries = %+v", entries)
	}
	tgz := get(t, entries[0].URLs[0])
	sum := sha256.Sum256(tgz)
	if got := hex.EncodeToString(sum[:]); got != entries[0].Digest {
		t.Errorf("digest %s, index says %s", got, entries[0].Digest)
	}

	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = true
	}
	for _, want := range []string{"podinfo/Chart.yaml", "podinfo/values.yaml", "podinfo/templates/configmap.yaml", "podinfo/templates/service.yaml"} {
		if !files[want] {
			t.Errorf("archive lacks %s (has %v)", want, files)
		}
	}
	resp := request(t, s.URL+"/podinfo/missing.tgz")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing file: %s", resp.Status)
	}
}

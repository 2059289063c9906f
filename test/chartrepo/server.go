package chartrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Server serves Helm chart repositories: repository r is at <URL>/r, with
// its index.yaml and chart archives.
type Server struct {
	// URL is the base address, http://127.0.0.1:<port>.
	URL   string
	srv   *http.Server
	files map[string][]byte
}

type indexFile struct {
	APIVersion string                  `json:"apiVersion"`
	Generated  time.Time               `json:"generated"`
	Entries    map[string][]indexEntry `json:"entries"`
}

type indexEntry struct {
	APIVersion string    `json:"apiVersion"`
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	AppVersion string    `json:"appVersion"`
	Created    time.Time `json:"created"`
	Digest     string    `json:"digest"`
	URLs       []string  `json:"urls"`
}

// Serve starts a server on 127.0.0.1 with the given repositories, each a
// list of charts.
func Serve(repos map[string][]Chart) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), files: map[string][]byte{}}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for repo, charts := range repos {
		idx := indexFile{APIVersion: "v1", Generated: created, Entries: map[string][]indexEntry{}}
		for _, c := range charts {
			tgz, err := c.Package()
			if err != nil {
				ln.Close()
				return nil, err
			}
			file := fmt.Sprintf("/%s/%s-%s.tgz", repo, c.Name, c.Version)
			s.files[file] = tgz
			sum := sha256.Sum256(tgz)
			idx.Entries[c.Name] = append(idx.Entries[c.Name], indexEntry{
				APIVersion: "v2", Name: c.Name, Version: c.Version, AppVersion: c.Version,
				Created: created, Digest: hex.EncodeToString(sum[:]), URLs: []string{s.URL + file},
			})
		}
		data, err := yaml.Marshal(idx)
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.files["/"+repo+"/index.yaml"] = data
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveFile), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	data, ok := s.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(r.URL.Path, ".yaml") {
		w.Header().Set("Content-Type", "application/x-yaml")
	} else {
		w.Header().Set("Content-Type", "application/gzip")
	}
	_, _ = w.Write(data)
}

// Close stops the server.
func (s *Server) Close() { _ = s.srv.Close() }

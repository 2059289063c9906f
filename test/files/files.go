// Package files reads a directory of test content (manifests, charts) for
// the test servers that serve it: Git, S3, Azurite, the OCI registry.
package files

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Read returns every file under dir (symbolic links followed) by its slash-separated path
// relative to dir, with each key of vars (such as "${CHART_REPO}") replaced
// by its value in the content.
func Read(dir string, vars map[string]string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		content := string(data)
		for k, v := range vars {
			content = strings.ReplaceAll(content, k, v)
		}
		out[filepath.ToSlash(rel)] = content
		return nil
	})
	return out, err
}

// Names returns the paths of files in order.
func Names(files map[string]string) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TarGzip archives files (path → content) as a tar+gzip stream of regular
// files, in path order, each under prefix (when set), with one fixed time:
// the same files make the same bytes.
func TarGzip(files map[string]string, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	modTime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range Names(files) {
		hdr := &tar.Header{Name: path.Join(prefix, name), Mode: 0o644, Size: int64(len(files[name])), ModTime: modTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, files[name]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

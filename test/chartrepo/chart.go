// Package chartrepo makes small Helm charts whose objects are ready without
// a kubelet (a ConfigMap and a ClusterIP Service), and serves them as Helm
// chart repositories on 127.0.0.1 for the end-to-end tests and the demo.
package chartrepo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"path"
	"sort"
	"time"
)

// Chart is a chart's name and version; its content is always the same two
// objects, named after the release.
type Chart struct {
	Name    string
	Version string
}

// Files returns the chart's files, keyed by their path inside the chart
// directory.
func (c Chart) Files() map[string]string {
	return map[string]string{
		"Chart.yaml": fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\nappVersion: %q\ndescription: A test chart of a ConfigMap and a Service.\ntype: application\n",
			c.Name, c.Version, c.Version),
		"values.yaml": "greeting: hello\nport: 80\n",
		"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/instance: {{ .Release.Name }}
data:
  greeting: {{ .Values.greeting | quote }}
  chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
`,
		"templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - name: http
      port: {{ .Values.port }}
`,
	}
}

// Package returns the chart as a .tgz archive, as `helm package` makes it.
func (c Chart) Package() ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := c.Files()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	modTime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range names {
		body := []byte(files[n])
		hdr := &tar.Header{Name: path.Join(c.Name, n), Mode: 0o644, Size: int64(len(body)), ModTime: modTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
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

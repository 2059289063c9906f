// Package chartrepo makes small Helm charts whose objects are ready without
// a kubelet (a ConfigMap and a ClusterIP Service), and serves them as Helm
// chart repositories on 127.0.0.1 for the end-to-end tests and the demo.
package chartrepo

import (
	"fmt"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/files"
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
	return files.TarGzip(c.Files(), c.Name)
}

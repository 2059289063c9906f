package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// readInput reads a file, or stdin for "-".
func readInput(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(path) //nolint:gosec // G304: reading the file the user names is the command's job
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}

// manifests is what a YAML stream holds: FluxConfigs and Secrets, in order.
type manifests struct {
	configs []*v1alpha1.FluxConfig
	secrets []*corev1.Secret
}

// decodeManifests reads a stream of YAML or JSON documents. Other kinds
// are skipped (a Namespace next to the FluxConfig is common); a
// FluxConfig with a field the API does not have is an error.
func decodeManifests(data []byte, source string) (*manifests, error) {
	out := &manifests{}
	r := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for i := 0; ; i++ {
		var raw map[string]any
		if err := r.Decode(&raw); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i+1, err)
		}
		doc, err := yaml.Marshal(raw)
		if err != nil {
			return nil, err
		}
		switch raw["kind"] {
		case "FluxConfig":
			fc := &v1alpha1.FluxConfig{}
			if err := yaml.UnmarshalStrict(doc, fc); err != nil {
				return nil, fmt.Errorf("%s: document %d: %w", source, i+1, err)
			}
			out.configs = append(out.configs, fc)
		case "Secret":
			s := &corev1.Secret{}
			if err := yaml.Unmarshal(doc, s); err != nil {
				return nil, fmt.Errorf("%s: document %d: %w", source, i+1, err)
			}
			out.secrets = append(out.secrets, s)
		}
	}
}

// one returns the single FluxConfig of the stream.
func (m *manifests) one(source string) (*v1alpha1.FluxConfig, error) {
	if len(m.configs) != 1 {
		return nil, usagef("%s holds %d FluxConfigs: give a file with exactly one", source, len(m.configs))
	}
	return m.configs[0], nil
}

// secret returns the Secret of that name, or nil.
func (m *manifests) secret(name string) *corev1.Secret {
	for _, s := range m.secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// secretData merges data and stringData as the API server does.
func secretData(s *corev1.Secret) map[string][]byte {
	if s == nil {
		return nil
	}
	out := map[string][]byte{}
	for k, v := range s.Data {
		out[k] = v
	}
	for k, v := range s.StringData {
		out[k] = []byte(v)
	}
	return out
}

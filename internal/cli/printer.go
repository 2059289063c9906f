package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"golang.org/x/term"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// Output formats of -o.
const (
	formatYAML = "yaml"
	formatJSON = "json"
)

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usagef("-o %q: use one of %v", format, allowed)
}

// writeObjects prints Kubernetes objects in order: YAML documents, or JSON
// (one object, or a v1 List of several). Empty status and null timestamps
// are left out, so the output applies as it is.
func writeObjects(w io.Writer, objs []runtime.Object, format string) error {
	maps := make([]map[string]any, 0, len(objs))
	for _, o := range objs {
		m, err := tidy(o)
		if err != nil {
			return err
		}
		maps = append(maps, m)
	}
	if format == formatJSON {
		var v any = map[string]any{"apiVersion": "v1", "kind": "List", "items": maps}
		if len(maps) == 1 {
			v = maps[0]
		}
		return writeJSON(w, v)
	}
	for _, m := range maps {
		b, err := yaml.Marshal(m)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "---\n%s", b); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// tidy turns an object into a map without an empty status or a null
// creationTimestamp.
func tidy(o runtime.Object) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if st, ok := m["status"].(map[string]any); ok && len(st) == 0 {
		delete(m, "status")
	}
	if md, ok := m["metadata"].(map[string]any); ok && md["creationTimestamp"] == nil {
		delete(md, "creationTimestamp")
	}
	return m, nil
}

// redacted replaces every Secret value with its size, keeping the keys.
func redacted(objs []runtime.Object) []runtime.Object {
	out := make([]runtime.Object, len(objs))
	for i, o := range objs {
		s, ok := o.(*corev1.Secret)
		if !ok {
			out[i] = o
			continue
		}
		c := s.DeepCopy()
		c.StringData = map[string]string{}
		keys := make([]string, 0, len(c.Data))
		for k := range c.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.StringData[k] = fmt.Sprintf("<redacted, %d bytes: --show-secrets prints it>", len(c.Data[k]))
		}
		c.Data = nil
		out[i] = c
	}
	return out
}

// palette colors words only when writing to a terminal and NO_COLOR is
// not set.
type palette struct{ on bool }

func paletteFor(w io.Writer) palette {
	f, ok := w.(*os.File)
	_, noColor := os.LookupEnv("NO_COLOR")
	return palette{on: ok && !noColor && term.IsTerminal(int(f.Fd()))}
}

func (p palette) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// compliance colors a compliance state: green, red, yellow or grey.
func (p palette) compliance(state string) string {
	switch state {
	case v1alpha1.ComplianceCompliant:
		return p.paint("32", state)
	case v1alpha1.ComplianceNonCompliant:
		return p.paint("31", state)
	case v1alpha1.CompliancePending:
		return p.paint("33", state)
	}
	return p.paint("90", state)
}

// writeObjectsAny prints any value as YAML or JSON.
func writeObjectsAny(w io.Writer, v any, format string) error {
	if format == formatJSON {
		return writeJSON(w, v)
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

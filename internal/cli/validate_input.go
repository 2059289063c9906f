package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// document is one YAML or JSON document of validate's input, as JSON.
type document struct {
	// source names where it is: the file (or "-") and, when the file has
	// more than one, its number.
	source string
	json   []byte
	// err is why it could not be read.
	err error
}

// manifestExtensions are the files validate reads in a directory, as
// kubectl does.
var manifestExtensions = []string{".yaml", ".yml", ".json"}

// readDocuments reads every document of the inputs: files, directories
// (their manifest files, sorted; subdirectories too when recursive) and
// "-" for stdin. A Kubernetes List is expanded into its items.
func readDocuments(inputs []string, recursive bool, stdin io.Reader) ([]document, error) {
	var docs []document
	for _, in := range inputs {
		files, err := expandInput(in, recursive)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := readInput(f, stdin)
			if err != nil {
				return nil, err
			}
			docs = append(docs, splitDocuments(f, data)...)
		}
	}
	return docs, nil
}

// expandInput turns a directory into its manifest files.
func expandInput(in string, recursive bool) ([]string, error) {
	if in == "-" {
		return []string{in}, nil
	}
	info, err := os.Stat(in)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", in, err)
	}
	if !info.IsDir() {
		return []string{in}, nil
	}
	var files []string
	err = filepath.WalkDir(in, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != in && !recursive:
			return filepath.SkipDir
		case !d.IsDir() && slices.Contains(manifestExtensions, strings.ToLower(filepath.Ext(path))):
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", in, err)
	}
	return files, nil
}

// splitDocuments cuts a stream into its documents, as JSON. Empty
// documents are skipped; one that is not YAML is kept with its error.
func splitDocuments(file string, data []byte) []document {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var raw [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(docsOf(file, raw), document{source: file, err: err})
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			raw = append(raw, doc)
		}
	}
	return docsOf(file, raw)
}

func docsOf(file string, raw [][]byte) []document {
	out := make([]document, 0, len(raw))
	for i, doc := range raw {
		d := document{source: file}
		if len(raw) > 1 {
			d.source = fmt.Sprintf("%s (document %d)", file, i+1)
		}
		d.json, d.err = yaml.YAMLToJSONStrict(doc)
		out = append(out, expandList(d)...)
	}
	return out
}

// stripComments drops the comment lines of a YAML document, so that a
// document of comments alone counts as empty.
func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// expandList turns a List (kubectl get -o yaml prints one) into its items.
func expandList(d document) []document {
	if d.err != nil {
		return []document{d}
	}
	var list struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(d.json, &list) != nil || !strings.HasSuffix(list.Kind, "List") || list.Items == nil {
		return []document{d}
	}
	out := make([]document, 0, len(list.Items))
	for i, item := range list.Items {
		out = append(out, document{source: fmt.Sprintf("%s (item %d)", d.source, i+1), json: item})
	}
	return out
}

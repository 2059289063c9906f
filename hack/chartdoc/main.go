// Command chartdoc writes the values table of a chart README from the
// comments in its values.yaml.
//
// A comment that starts with "# --" right above a key documents that key;
// the lines after it continue the text. A documented map or list is one row,
// whose default is the whole value; an undocumented map is walked into. A
// leaf without a comment is an error, so every value gets documented.
//
// The table replaces what lies between the markers
// <!-- values:begin --> and <!-- values:end --> in the README. With -check,
// nothing is written and the exit status says whether the README is current.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

const (
	beginMarker = "<!-- values:begin -->"
	endMarker   = "<!-- values:end -->"
)

type row struct{ key, typ, def, doc string }

func main() {
	values := flag.String("values", "values.yaml", "the chart's values.yaml")
	readme := flag.String("readme", "README.md", "the README to update")
	check := flag.Bool("check", false, "fail if the README is out of date instead of writing it")
	flag.Parse()
	if err := run(*values, *readme, *check); err != nil {
		fmt.Fprintln(os.Stderr, "chartdoc:", err)
		os.Exit(1)
	}
}

func run(valuesPath, readmePath string, check bool) error {
	src, err := os.ReadFile(valuesPath)
	if err != nil {
		return err
	}
	rows, err := parse(src)
	if err != nil {
		return fmt.Errorf("%s: %w", valuesPath, err)
	}
	old, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	updated, err := splice(old, table(rows))
	if err != nil {
		return fmt.Errorf("%s: %w", readmePath, err)
	}
	if bytes.Equal(old, updated) {
		return nil
	}
	if check {
		return fmt.Errorf("%s is out of date with %s: run `make chart-generate` and commit", readmePath, valuesPath)
	}
	return os.WriteFile(readmePath, updated, 0o644)
}

// parse returns one row per documented key, in file order.
func parse(src []byte) ([]row, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the top level is not a map")
	}
	var rows []row
	err := walk(doc.Content[0], "", &rows)
	return rows, err
}

func walk(m *yaml.Node, prefix string, rows *[]row) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := prefix + k.Value
		doc, documented := docComment(k.HeadComment)
		switch {
		case documented:
			typ, def, err := describe(v)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			*rows = append(*rows, row{key: key, typ: typ, def: def, doc: doc})
		case v.Kind == yaml.MappingNode && len(v.Content) > 0:
			if err := walk(v, key+".", rows); err != nil {
				return err
			}
		default:
			return fmt.Errorf("line %d: %s has no `# --` comment", k.Line, key)
		}
	}
	return nil
}

// docComment returns the text of the last "# --" block of a head comment.
func docComment(head string) (string, bool) {
	lines := strings.Split(head, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "# --") {
			start = i
		}
	}
	if start < 0 {
		return "", false
	}
	var words []string
	for i, l := range lines[start:] {
		l = strings.TrimPrefix(strings.TrimSpace(l), "#")
		if i == 0 {
			l = strings.TrimPrefix(strings.TrimSpace(l), "--")
		}
		if l = strings.TrimSpace(l); l != "" {
			words = append(words, l)
		}
	}
	return strings.Join(words, " "), true
}

// describe returns the type and the default of a value, as they appear in
// the table.
func describe(v *yaml.Node) (string, string, error) {
	var val any
	if err := v.Decode(&val); err != nil {
		return "", "", err
	}
	typ := "string"
	switch val.(type) {
	case bool:
		typ = "bool"
	case int:
		typ = "int"
	case float64:
		typ = "float"
	case []any:
		typ = "list"
	case map[string]any:
		typ = "object"
	case nil:
		typ = "null"
	}
	def, err := json.Marshal(val)
	if err != nil {
		return "", "", err
	}
	return typ, string(def), nil
}

func table(rows []row) string {
	var b strings.Builder
	b.WriteString("| Key | Type | Default | Description |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", r.key, r.typ, cell(r.def), cell(r.doc))
	}
	return b.String()
}

// cell escapes what would break a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func splice(readme []byte, table string) ([]byte, error) {
	s := string(readme)
	b := strings.Index(s, beginMarker)
	e := strings.Index(s, endMarker)
	if b < 0 || e < b {
		return nil, fmt.Errorf("no %s ... %s markers", beginMarker, endMarker)
	}
	return []byte(s[:b+len(beginMarker)] + "\n" + table + s[e:]), nil
}

// Command apidocs writes the API reference of the FluxConfig types as
// Markdown, from the Go source of api/v1alpha1: each type's doc comment,
// and per field its JSON name, type, whether it is required, its default
// and its validation, from the same comments and kubebuilder markers that
// controller-gen turns into the CRD. `make api-docs` runs it; `make verify`
// fails when the committed file differs from its output.
//
// Usage: go run ./hack/apidocs [-dir api/v1alpha1] [-root FluxConfig] [-out docs/api-reference.md]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", "api/v1alpha1", "the package of the API types")
	root := flag.String("root", "FluxConfig", "the top-level kind; its types come first")
	out := flag.String("out", "docs/api-reference.md", "the Markdown file to write ('-': standard output)")
	flag.Parse()

	types, err := load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apidocs:", err)
		os.Exit(1)
	}
	md := render(types, *root, *dir)
	if *out == "-" {
		_, err = os.Stdout.Write(md)
	} else {
		err = os.WriteFile(*out, md, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apidocs:", err)
		os.Exit(1)
	}
}

// apiType is one struct type of the API package.
type apiType struct {
	Name    string
	Doc     string
	Markers []string
	Fields  []field
}

type field struct {
	Name     string // JSON name
	Type     ast.Expr
	Doc      string
	Markers  []string
	Optional bool
	Inline   bool
}

// load parses the non-generated, non-test Go files of dir.
func load(dir string) (map[string]*apiType, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	fset := token.NewFileSet()
	types := map[string]*apiType{}
	for _, path := range files {
		base := filepath.Base(path)
		if strings.HasPrefix(base, "zz_generated") || strings.HasSuffix(base, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				cg := ts.Doc
				if cg == nil {
					cg = gen.Doc
				}
				t := &apiType{Name: ts.Name.Name}
				t.Doc, t.Markers = splitComment(cg)
				for _, f := range st.Fields.List {
					if fd := newField(f); fd.Name != "-" { // not in the JSON, not in the schema
						t.Fields = append(t.Fields, fd)
					}
				}
				types[t.Name] = t
			}
		}
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("no struct types in %s", dir)
	}
	return types, nil
}

func newField(f *ast.Field) field {
	fd := field{Type: f.Type}
	fd.Doc, fd.Markers = splitComment(f.Doc)
	tag := ""
	if f.Tag != nil {
		tag, _ = strconv.Unquote(f.Tag.Value)
	}
	jsonTag := reflectTag(tag, "json")
	name, opts, _ := strings.Cut(jsonTag, ",")
	fd.Name = name
	fd.Inline = strings.Contains(opts, "inline")
	omitempty := strings.Contains(opts, "omitempty")
	switch {
	case hasMarker(fd.Markers, "+optional"):
		fd.Optional = true
	case hasMarker(fd.Markers, "+required"):
		fd.Optional = false
	default:
		fd.Optional = omitempty
	}
	return fd
}

// reflectTag reads one key of a struct tag, like reflect.StructTag.Get.
func reflectTag(tag, key string) string {
	m := regexp.MustCompile(key + `:"([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return m[1]
}

// splitComment separates a doc comment into prose and kubebuilder markers.
func splitComment(cg *ast.CommentGroup) (string, []string) {
	if cg == nil {
		return "", nil
	}
	var prose, markers []string
	for _, line := range strings.Split(cg.Text(), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "+") {
			markers = append(markers, line)
			continue
		}
		prose = append(prose, line)
	}
	return strings.TrimSpace(strings.Join(prose, "\n")), markers
}

func hasMarker(markers []string, m string) bool {
	for _, x := range markers {
		if x == m {
			return true
		}
	}
	return false
}

// markerValue returns the value of the first marker name=value.
func markerValue(markers []string, name string) (string, bool) {
	for _, m := range markers {
		if v, ok := strings.CutPrefix(m, name+"="); ok {
			return unquote(v), true
		}
	}
	return "", false
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '`') {
		if u, err := strconv.Unquote(v); err == nil {
			return u
		}
	}
	return v
}

var (
	celMessage           = regexp.MustCompile(`message="((?:[^"\\]|\\.)*)"`)
	celMessageExpression = regexp.MustCompile(`messageExpression="((?:[^"\\]|\\.)*)"`)
)

// rules lists the validation a field's (or type's) markers carry.
func rules(markers []string) []string {
	var out []string
	for _, m := range markers {
		name, value, _ := strings.Cut(m, "=")
		value = unquote(value)
		switch name {
		case "+kubebuilder:validation:Enum":
			out = append(out, "one of "+code(strings.ReplaceAll(value, ";", "`, `")))
		case "+kubebuilder:validation:Pattern":
			out = append(out, "matches "+code(value))
		case "+kubebuilder:validation:MinLength":
			if value == "1" {
				out = append(out, "not empty")
			} else {
				out = append(out, "at least "+value+" characters")
			}
		case "+kubebuilder:validation:MaxLength":
			out = append(out, "at most "+value+" characters")
		case "+kubebuilder:validation:items:MaxLength":
			out = append(out, "items at most "+value+" characters")
		case "+kubebuilder:validation:MinItems":
			out = append(out, "at least "+value+" items")
		case "+kubebuilder:validation:MaxItems":
			out = append(out, "at most "+value+" items")
		case "+kubebuilder:validation:Minimum":
			out = append(out, "at least "+value)
		case "+kubebuilder:validation:Maximum":
			out = append(out, "at most "+value)
		case "+listType":
			if value == "set" {
				out = append(out, "no duplicates")
			}
		case "+listMapKey":
			out = append(out, "keyed by "+code(value))
		case "+kubebuilder:validation:XValidation:rule":
			if msg := celMessage.FindStringSubmatch(m); msg != nil {
				out = append(out, "rule: "+unquote(`"`+msg[1]+`"`))
			} else if msg := celMessageExpression.FindStringSubmatch(m); msg != nil {
				out = append(out, "rule, with the message "+code(unquote(`"`+msg[1]+`"`)))
			}
		}
	}
	return out
}

func code(s string) string { return "`" + s + "`" }

// typeName renders a field type, linking the API's own types.
func typeName(e ast.Expr, types map[string]*apiType, markers []string) string {
	if t, ok := markerValue(markers, "+kubebuilder:validation:Type"); ok {
		if sel, isSel := e.(*ast.StarExpr); isSel {
			e = sel.X
		}
		if s, isSel := e.(*ast.SelectorExpr); isSel && s.Sel.Name == "Duration" {
			return t + " (duration, for example `10m`)"
		}
		return t
	}
	switch t := e.(type) {
	case *ast.Ident:
		if _, ok := types[t.Name]; ok {
			return fmt.Sprintf("[%s](#%s)", t.Name, strings.ToLower(t.Name))
		}
		return t.Name
	case *ast.StarExpr:
		return typeName(t.X, types, nil)
	case *ast.ArrayType:
		return "[]" + typeName(t.Elt, types, nil)
	case *ast.MapType:
		return "map[" + typeName(t.Key, types, nil) + "]" + typeName(t.Value, types, nil)
	case *ast.SelectorExpr:
		pkg := fmt.Sprint(t.X)
		if pkg == "metav1" {
			return fmt.Sprintf("[%s](https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.36/#%s-v1-meta)", t.Sel.Name, strings.ToLower(t.Sel.Name))
		}
		return pkg + "." + t.Sel.Name
	}
	return fmt.Sprintf("%T", e)
}

// localRefs lists the API types a type's fields use, in field order.
func localRefs(t *apiType, types map[string]*apiType) []string {
	var out []string
	for _, f := range t.Fields {
		ast.Inspect(f.Type, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if _, known := types[id.Name]; known {
					out = append(out, id.Name)
				}
			}
			return true
		})
	}
	return out
}

// order lists the types reachable from root breadth first, then the rest
// alphabetically.
func order(types map[string]*apiType, root string) []string {
	seen := map[string]bool{}
	var out []string
	queue := []string{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if seen[n] || types[n] == nil {
			continue
		}
		seen[n] = true
		out = append(out, n)
		queue = append(queue, localRefs(types[n], types)...)
	}
	var rest []string
	for n := range types {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// cell makes s fit one table cell: one line, pipes escaped, and angle
// brackets outside code spans escaped so they do not read as HTML.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	parts := strings.Split(s, "`")
	for i := 0; i < len(parts); i += 2 {
		parts[i] = strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(parts[i])
	}
	return strings.Join(strings.Fields(strings.Join(parts, "`")), " ")
}

func render(types map[string]*apiType, root, dir string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- Generated by hack/apidocs from %s. Do not edit: run `make api-docs`. -->\n\n", filepath.ToSlash(dir))
	b.WriteString("# API reference: clusterconfig.azure.com/v1alpha1\n\n")
	b.WriteString("Generated from the Go types and their kubebuilder markers, the same source as the\n")
	b.WriteString("CRD and `kubectl explain`. The prose overview is in [api.md](api.md).\n\n")
	names := order(types, root)
	for _, n := range names {
		fmt.Fprintf(&b, "- [%s](#%s)\n", n, strings.ToLower(n))
	}
	for _, n := range names {
		t := types[n]
		fmt.Fprintf(&b, "\n## %s\n\n", n)
		if t.Doc != "" {
			b.WriteString(cell(t.Doc) + "\n\n")
		}
		if r := rules(t.Markers); len(r) > 0 {
			for _, x := range r {
				fmt.Fprintf(&b, "- %s\n", cell(x))
			}
			b.WriteString("\n")
		}
		b.WriteString("| field | type | required | default | description | validation |\n")
		b.WriteString("|---|---|---|---|---|---|\n")
		for _, f := range t.Fields {
			name := f.Name
			if f.Inline {
				name = "(inline)"
			}
			req := "yes"
			if f.Optional || f.Inline {
				req = ""
			}
			def := ""
			if v, ok := markerValue(f.Markers, "+kubebuilder:default"); ok {
				def = code(v)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", name, cell(typeName(f.Type, types, f.Markers)),
				req, cell(def), cell(f.Doc), cell(strings.Join(rules(f.Markers), "; ")))
		}
	}
	return b.Bytes()
}

package status

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The packages whose messages can reach a FluxConfig's status
// (errorMessage, conditions) or its events.
var messagePackages = []string{"../builder", "../controller", "../status", "../apply"}

const troubleshootingDoc = "../../docs/troubleshooting.md"

// hole stands for a value the message is filled with at run time.
const hole = "\x00"

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// message is one message template found in the source.
type message struct {
	text string // literal parts, with hole for every value
	pos  string
}

// scanMessages finds every message template of the packages: format strings
// of fmt.Sprintf, fmt.Errorf and errors.New, configErr field and message,
// ConfigError literals, string concatenations, and any other string literal
// that reads as prose. Log calls are skipped: logs are not status.
func scanMessages(t *testing.T) []message {
	t.Helper()
	var out []message
	for _, dir := range messagePackages {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var parsed []*ast.File
		consts := map[string]string{}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			parsed = append(parsed, f)
			collectConsts(f, consts)
		}
		for _, f := range parsed {
			s := &scanner{fset: fset, consts: consts}
			ast.Inspect(f, s.visit)
			out = append(out, s.found...)
		}
	}
	return out
}

func collectConsts(f *ast.File, consts map[string]string) {
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						consts[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
}

type scanner struct {
	fset   *token.FileSet
	consts map[string]string
	found  []message
}

func (s *scanner) add(n ast.Node, text string) {
	s.found = append(s.found, message{text: text, pos: s.fset.Position(n.Pos()).String()})
}

// text renders an expression as a template: literals and constants as
// they are, anything else as a hole.
func (s *scanner) text(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			v, _ := strconv.Unquote(x.Value)
			return verb.ReplaceAllString(strings.ReplaceAll(v, "%%", "%"), hole)
		}
	case *ast.Ident:
		if v, ok := s.consts[x.Name]; ok {
			return v
		}
	case *ast.ParenExpr:
		return s.text(x.X)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return s.text(x.X) + s.text(x.Y)
		}
	case *ast.CallExpr:
		if name := callName(x); (name == "fmt.Sprintf" || name == "fmt.Errorf") && len(x.Args) > 0 {
			return s.text(x.Args[0])
		}
	}
	return hole
}

func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name + "." + f.Sel.Name
		}
		return "?." + f.Sel.Name
	}
	return ""
}

func (s *scanner) visit(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.ImportSpec, *ast.Field:
		return false // import paths, struct tags
	case *ast.CallExpr:
		name := callName(x)
		switch {
		case strings.HasSuffix(name, ".Info") || strings.HasSuffix(name, ".Error") || strings.HasSuffix(name, ".V"):
			// a logger: logs are not status (err.Error() has no literal)
			return false
		case name == "configErr" && len(x.Args) >= 2:
			s.add(x, s.text(x.Args[0])+": "+s.text(x.Args[1]))
			for _, a := range x.Args[2:] {
				ast.Inspect(a, s.visit)
			}
			return false
		case (name == "fmt.Sprintf" || name == "fmt.Errorf" || name == "errors.New") && len(x.Args) > 0:
			s.add(x, s.text(x.Args[0]))
			for _, a := range x.Args[1:] {
				ast.Inspect(a, s.visit)
			}
			return false
		}
	case *ast.CompositeLit:
		if isConfigError(x.Type) {
			var field, msg ast.Expr
			for _, el := range x.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					switch kv.Key.(*ast.Ident).Name {
					case "Field":
						field = kv.Value
					case "Message":
						msg = kv.Value
					}
				}
			}
			if field != nil && msg != nil {
				s.add(x, s.text(field)+": "+s.text(msg))
				return false
			}
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			s.add(x, s.text(x))
			return false
		}
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			s.add(x, s.text(x))
		}
	}
	return true
}

func isConfigError(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name == "ConfigError"
	case *ast.SelectorExpr:
		return t.Sel.Name == "ConfigError"
	}
	return false
}

// isProse tells a message from a name, a key or a format without words:
// its literal parts hold a space and a word of two letters or more.
var word = regexp.MustCompile(`[A-Za-z]{2,}`)

func isProse(text string) bool {
	lit := strings.ReplaceAll(text, hole, "")
	return strings.Contains(strings.TrimSpace(text), " ") && word.MatchString(lit) &&
		strings.Contains(strings.Join(strings.Split(text, hole), ""), " ")
}

// pattern matches the message in the doc, where every hole is written as
// a <placeholder>.
func pattern(text string) *regexp.Regexp {
	parts := strings.Split(strings.TrimSpace(text), hole)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(strings.Join(parts, `<[^<>]+>`))
}

// codeSpan matches a code span of single backticks, or of double ones
// around text that holds a backtick.
var codeSpan = regexp.MustCompile("``\\s?(.+?)\\s?``|`([^`\n]+)`")

func TestTroubleshootingCoversEveryMessage(t *testing.T) {
	doc, err := os.ReadFile(troubleshootingDoc)
	if err != nil {
		t.Fatal(err)
	}
	var spans []string
	for _, m := range codeSpan.FindAllStringSubmatch(string(doc), -1) {
		spans = append(spans, m[1]+m[2])
	}
	seen := map[string]bool{}
	var missing []string
	checked := 0
	for _, m := range scanMessages(t) {
		if !isProse(m.text) || seen[m.text] {
			continue
		}
		seen[m.text] = true
		checked++
		re := pattern(m.text)
		found := false
		for _, s := range spans {
			if re.MatchString(s) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, m.pos+": "+strings.ReplaceAll(m.text, hole, "<...>"))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no entry in docs/troubleshooting.md: %s", m)
	}
	if len(missing) > 0 {
		t.Log("write each message in a code span, with <placeholders> for the values, its meaning and the fix")
	}
	// The scanner itself must keep finding the messages it is meant to.
	if checked < 30 {
		t.Errorf("only %d messages found: the scanner is broken", checked)
	}
	t.Logf("%d messages checked", checked)
}

// TestTroubleshootingCoversEveryReason: every condition reason constant of
// this package (the FluxConfig's own reasons, and the Flux reasons it reads)
// has an entry.
func TestTroubleshootingCoversEveryReason(t *testing.T) {
	doc, err := os.ReadFile(troubleshootingDoc)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		collectConsts(f, consts)
	}
	n := 0
	for name, value := range consts {
		if !strings.HasSuffix(name, "Reason") {
			continue
		}
		n++
		if !strings.Contains(string(doc), "`"+value+"`") {
			t.Errorf("docs/troubleshooting.md has no entry for the condition reason %s (%s)", value, name)
		}
	}
	if n < 8 {
		t.Errorf("only %d reasons found: the scanner is broken", n)
	}
}

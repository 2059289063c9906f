package cli

import (
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
)

// fixForFieldError says what to change for one of the API server's
// findings. The CRD's own rules carry their fix in their message (the
// clause after the last "; "); the schema's generic findings get one by
// their type.
func fixForFieldError(e *field.Error) string {
	switch {
	case crdvalidate.IsUnknownField(e):
		return "remove it, or correct its spelling: `kubectl explain " + explainTarget(parentPath(e.Field)) + "` lists the fields there"
	case e.Field == "<nil>":
		return "correct the other findings first: the CEL rules are evaluated once they are gone"
	case e.Type == field.ErrorTypeRequired:
		return "set " + e.Field
	case e.Type == field.ErrorTypeNotSupported:
		return "use one of the values the message lists"
	case e.Type == field.ErrorTypeTooLong:
		return "shorten it to the length the message gives"
	case e.Type == field.ErrorTypeTooMany:
		return "remove items down to the number the message gives"
	case e.Type == field.ErrorTypeDuplicate:
		return "remove or rename the duplicate: the list is keyed by name"
	case e.Type == field.ErrorTypeTypeInvalid:
		return "give a value of the type the message names"
	}
	return fixFromMessage(e.Field, e.Detail)
}

// imperative matches a clause that tells what to do, as the CRD's and the
// controller's messages end.
var imperative = regexp.MustCompile(`^(use|remove|set|give|shorten|rename|add|delete|put|ask|drop|create|fix|keep|choose|move|write|name|push|replace|make|start|correct)\b`)

// fixFromMessage is the clause of a message that says what to do, or a
// pointer to the field's documentation.
func fixFromMessage(path, msg string) string {
	clauses := strings.Split(msg, "; ")
	for i := len(clauses) - 1; i > 0; i-- {
		if c := strings.TrimSpace(clauses[i]); imperative.MatchString(c) {
			return c
		}
	}
	if kind, key, ok := fluxField(path); ok {
		return "write it as Flux's " + kind + " spec takes it: `kubectl explain " + strings.ToLower(kind) + ".spec." + key + "`"
	}
	if strings.HasPrefix(path, "spec") {
		return "`kubectl explain " + explainTarget(path) + "` describes what it takes"
	}
	return ""
}

// fluxKinds are the Flux kinds the additionalConfigurations of each part
// of the spec go into.
var fluxKinds = map[string]string{
	"spec.gitRepository": "GitRepository", "spec.bucket": "Bucket", "spec.azureBlob": "Bucket",
	"spec.ociRepository": "OCIRepository", "spec.kustomizations": "Kustomization",
}

// fluxField reads a path into additionalConfigurations as the Flux kind
// and the key of its spec.
func fluxField(path string) (kind, key string, ok bool) {
	owner, key, found := strings.Cut(listIndex.ReplaceAllString(path, ""), ".additionalConfigurations.")
	if !found {
		return "", "", false
	}
	kind, ok = fluxKinds[owner]
	return kind, key, ok
}

// listIndex matches the index of a list item in a field path: [0] as the
// API server writes it, [name] as the controller does.
var listIndex = regexp.MustCompile(`\[[^\]]*\]`)

// explainTarget is what kubectl explain takes for a field of a
// FluxConfig: fluxconfig.spec.kustomizations.name for
// spec.kustomizations[0].name.
func explainTarget(path string) string {
	if path == "" {
		return "fluxconfig"
	}
	return "fluxconfig." + listIndex.ReplaceAllString(path, "")
}

func parentPath(path string) string {
	if i := strings.LastIndex(path, "."); i > 0 {
		return path[:i]
	}
	return ""
}

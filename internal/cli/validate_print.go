package cli

import (
	"fmt"
	"io"
	"strings"
)

// verdicts say, by the stage of a result's findings, what happens to the
// FluxConfig in a cluster.
var verdicts = map[string]string{
	stageInput:     "cannot be read",
	stageAdmission: "the API server refuses it",
	stageReconcile: "admitted, but the controller stalls it (InvalidConfiguration)",
	stageFlux:      "admitted, but Flux's CRD refuses what it generates (the controller stalls it: Rejected)",
}

// writeVerdicts prints one block per FluxConfig, its findings with their
// fixes, and a summary line.
func writeVerdicts(w io.Writer, results []result, documents int, p palette) error {
	var b strings.Builder
	bad := 0
	for _, r := range results {
		what := r.Source
		if r.Name != "" {
			what += ": FluxConfig " + r.Namespace + "/" + r.Name
		}
		if len(r.Findings) == 0 {
			fmt.Fprintf(&b, "%s %s\n", p.paint("32", "✔"), what)
		} else {
			bad++
			fmt.Fprintf(&b, "%s %s: %s\n", p.paint("31", "✗"), what, verdicts[r.Findings[0].Stage])
		}
		for _, f := range r.Findings {
			writeFinding(&b, f)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "    note: %s\n", n)
		}
	}
	fmt.Fprintf(&b, "%s in %s: %d valid, %d with findings\n",
		plural(len(results), "FluxConfig"), plural(documents, "document"), len(results)-bad, bad)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFinding(b *strings.Builder, f finding) {
	if f.Field != "" {
		fmt.Fprintf(b, "    %s: %s\n", f.Field, f.Message)
	} else {
		fmt.Fprintf(b, "    %s\n", f.Message)
	}
	if f.Fix != "" && !strings.HasSuffix(f.Message, f.Fix) {
		fmt.Fprintf(b, "      fix: %s\n", f.Fix)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

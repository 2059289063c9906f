package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

const mib = 1 << 20

// header says what was measured where, and how.
func header(b *strings.Builder, f facts, opts options) {
	fmt.Fprintf(b, "Measured %s on %s, %d cores, %s memory, Linux %s; %s; kube-apiserver %s, etcd %s; load average %s at the start.\n",
		f.date, f.cpu, f.cores, f.memory, f.kernel, f.goVersion, f.apiserver, f.etcd, f.load)
	fmt.Fprintf(b, "K=%d kustomizations per FluxConfig, %d per namespace; %d workers (bare client, creation, Flux stand-in); controller `--concurrent=%d`",
		opts.k, opts.perNamespace, opts.workers, opts.concurrent)
	if !opts.shards {
		fmt.Fprintf(b, "; %d status flips; steady window %s", opts.flips, opts.steady)
	}
	b.WriteString(".\n\n")
}

var tableHeader = []string{"N", "bare client", "controller", "ratio", "req/config",
	"get", "list", "watch", "create", "patch", "update", "delete", "bare req/config",
	"steady writes", "status p50", "status p99", "first status p50", "RSS peak", "heap in use", "restart", "restart writes"}

// row is one N of the table.
func row(r *sizeResult) []string {
	c, base := r.controller, r.baseline
	per := func(count int) string { return fmt.Sprintf("%.2f", float64(count)/float64(r.n)) }
	cells := []string{fmt.Sprint(r.n), seconds(base.elapsed), seconds(c.elapsed),
		fmt.Sprintf("%.2f", c.elapsed.Seconds()/base.elapsed.Seconds()), per(len(c.requests))}
	counts := byVerb(c.requests)
	for _, v := range verbs {
		cells = append(cells, per(counts[v]))
	}
	return append(cells, per(len(base.requests)),
		fmt.Sprintf("%d / %d", len(c.steadyWrites), len(c.restart.resyncWrites)),
		millis(percentile(c.latencies, 50)), millis(percentile(c.latencies, 99)),
		seconds(percentile(c.firstStatus, 50)),
		fmt.Sprintf("%.0f MiB", float64(c.rssPeak)/mib), fmt.Sprintf("%.0f MiB", c.heapInuse/mib),
		seconds(c.restart.elapsed), fmt.Sprint(len(c.restart.writes)))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func millis(d time.Duration) string {
	if d == missed {
		return fmt.Sprintf("> %s (missed)", flipTimeout)
	}
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}

func markdownTable(b *strings.Builder, head []string, rows [][]string) {
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(head)) + "|\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
}

// notes are the details behind the table, one line per N.
func notes(b *strings.Builder, results []*sizeResult) {
	b.WriteString("\n")
	for _, r := range results {
		c := r.controller
		fmt.Fprintf(b, "- N=%d: other processes took %.0f%% of the CPU during the bare client and %.0f%% during the controller's rollout; "+
			"first status p99 %s; restarted: RSS peak %.0f MiB, %d requests; with `--resync-interval=%s` idle after %s, then %.1f resync passes with %d writes.\n",
			r.n, 100*r.baseline.otherCPU, 100*c.otherCPU, seconds(percentile(c.firstStatus, 99)),
			float64(c.restart.rssPeak)/mib, len(c.restart.requests), c.restart.resyncInterval,
			seconds(c.restart.resyncElapsed), c.restart.resyncPasses, len(c.restart.resyncWrites))
	}
	for _, r := range results {
		for _, m := range r.controller.flipMisses {
			fmt.Fprintf(b, "- N=%d: **a status flip was missed**: %s.\n", r.n, m)
		}
	}
	for _, r := range results {
		if max(r.baseline.otherCPU, r.controller.otherCPU) > 0.10 {
			b.WriteString("\n**The machine was busy with other work during this run: its timings are not comparable with others.**\n")
			break
		}
	}
}

// renderReport is the whole output of a run: header, table, notes, goals.
func renderReport(f facts, opts options, results []*sizeResult) string {
	var b strings.Builder
	header(&b, f, opts)
	rows := make([][]string, 0, len(results))
	for _, r := range results {
		rows = append(rows, row(r))
	}
	markdownTable(&b, tableHeader, rows)
	notes(&b, results)
	if gs := evaluateGoals(results); len(gs) > 0 {
		b.WriteString("\nIssue 11's goals, where this run measures them:\n\n")
		var grows [][]string
		for _, g := range gs {
			met := "no"
			if g.met {
				met = "yes"
			}
			grows = append(grows, []string{g.text, g.measured, met})
		}
		markdownTable(&b, []string{"goal", "measured", "met"}, grows)
	}
	return b.String()
}

// Markers around the parts of docs/benchmarks.md the benchmark writes, by
// name: "bench-scale" (the table) and "bench-scale-shards" (the demo).
func markers(name string) (begin, end string) {
	return "<!-- " + name + ":begin: written by `make bench-scale` (test/scale); edit outside these markers -->",
		"<!-- " + name + ":end -->"
}

// writeDoc puts section between the named markers of the file at path,
// keeping everything else; a file without them gets them appended.
func writeDoc(path, section, name string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.WriteFile(path, []byte(replaceSection(string(old), section, name)), 0o644)
}

func replaceSection(doc, section, name string) string {
	begin, end := markers(name)
	block := begin + "\n\n" + strings.TrimSpace(section) + "\n\n" + end
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		if doc != "" {
			doc += "\n"
		}
		return doc + block + "\n"
	}
	return doc[:i] + block + doc[j+len(end):]
}

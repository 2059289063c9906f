// Command scale is the fleet-scale benchmark of issue 11 (`make
// bench-scale`). For each N it starts a fresh test control plane (kube-apiserver
// and etcd from bin/k8s, the FluxConfig and Flux CRDs, an audit log), plays
// Flux itself (it writes Flux-like status on sources and Kustomizations), and
// measures on the same API server: a bare client making exactly the writes
// the controller makes, then this project's controller binary doing the same
// work, its requests per config from the API server's audit log, its writes
// in steady state, status latency, memory, and the resync after a restart.
// It prints one table and can write it into docs/benchmarks.md.
//
// See docs/benchmarks.md for what each column means.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// options are the benchmark's flags.
type options struct {
	sizes        []int
	k            int
	workers      int
	concurrent   int
	perNamespace int
	flips        int
	steady       time.Duration
	resync       time.Duration
	timeout      time.Duration
	shards       bool
	outDir       string
	doc          string
	pprof        bool
	quiet        bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	sizes := fs.String("n", "", "comma-separated numbers of FluxConfigs, one run each on a fresh control plane (default 100,1000,3000; 3000 with -shards); 10000 works too")
	fs.IntVar(&o.k, "k", 5, "kustomizations per FluxConfig")
	fs.IntVar(&o.workers, "workers", 8, "goroutines of the bare client, of the benchmark creating FluxConfigs, and of the Flux stand-in")
	fs.IntVar(&o.concurrent, "concurrent", 8, "the controller's --concurrent")
	fs.IntVar(&o.perNamespace, "per-namespace", 100, "FluxConfigs per namespace (they share the namespace's flux-applier ServiceAccount)")
	fs.IntVar(&o.flips, "flips", 200, "Ready flips of children timed until the FluxConfig's status shows them (half to False, half back to True)")
	fs.DurationVar(&o.steady, "steady", 30*time.Second, "quiet window after convergence in which the controller's writes are counted")
	fs.DurationVar(&o.resync, "resync", 15*time.Second, "the restarted controller's --resync-interval; its writes are counted over two resync passes")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound for one convergence (0: 2 min + 200 ms per FluxConfig)")
	fs.BoolVar(&o.shards, "shards", false, "sharding demo instead: two controllers with disjoint --watch-label-selector values over one N")
	fs.StringVar(&o.outDir, "out", "", "directory for logs, request breakdowns and profiles (default a new directory under $TMPDIR)")
	fs.StringVar(&o.doc, "doc", "", "Markdown file to write the machine's facts and the table into (make bench-scale: docs/benchmarks.md)")
	fs.BoolVar(&o.pprof, "pprof", false, "capture CPU and heap profiles of the controller (and a CPU profile of kube-apiserver) during each rollout, into -out")
	fs.BoolVar(&o.quiet, "q", false, "print only the tables")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	def := "100,1000,3000"
	if o.shards {
		def = "3000"
	}
	if *sizes == "" {
		*sizes = def
	}
	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		return o, err
	}
	return o, o.validate()
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n %q: use positive numbers separated by commas, for example -n 100,1000", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func (o options) validate() error {
	switch {
	case o.k < 1 || o.k > 50:
		return errors.New("-k: use 1 to 50 kustomizations per FluxConfig")
	case o.workers < 1 || o.concurrent < 1:
		return errors.New("-workers and -concurrent: use at least 1")
	case o.perNamespace < 1:
		return errors.New("-per-namespace: use at least 1")
	case o.shards && len(o.sizes) != 1:
		return errors.New("-shards runs one N: give -n a single number")
	case o.shards && o.sizes[0] < 2:
		return errors.New("-shards: -n must be at least 2, one FluxConfig per shard")
	case o.resync < 5*time.Second:
		return errors.New("-resync: use at least 5s")
	}
	return nil
}

// convergeTimeout bounds one rollout of n FluxConfigs.
func (o options) convergeTimeout(n int) time.Duration {
	if o.timeout > 0 {
		return o.timeout
	}
	return 2*time.Minute + time.Duration(n)*200*time.Millisecond
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, opts)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		os.Exit(1)
	}
}

// run builds the controller, runs every N (or the sharding demo), prints
// the tables and writes the document.
func run(ctx context.Context, opts options) error {
	if opts.outDir == "" {
		dir, err := os.MkdirTemp("", "fluxconfig-bench-scale-")
		if err != nil {
			return err
		}
		opts.outDir = dir
	}
	if err := os.MkdirAll(opts.outDir, 0o755); err != nil {
		return err
	}
	facts := readFacts()
	logFile, err := os.Create(filepath.Join(opts.outDir, "bench.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	// controller-runtime's own log (the Flux stand-in, envtest) goes to a file.
	ctrl.SetLogger(zap.New(zap.WriteTo(logFile)))
	log := newLogger(opts.quiet)
	log.printf("output, logs and profiles: %s", opts.outDir)
	bin := filepath.Join(opts.outDir, "fluxconfig-controller")
	if err := testkit.BuildManager(ctx, bin); err != nil {
		return err
	}
	if opts.shards {
		return runShards(ctx, opts, bin, facts, log)
	}
	var results []*sizeResult
	for _, n := range opts.sizes {
		r, err := runSize(ctx, opts, bin, n, log)
		if err != nil {
			return fmt.Errorf("size N=%d: %w", n, err)
		}
		facts.fillFrom(r.versions)
		results = append(results, r)
		log.printf("N=%d done", n)
	}
	out := renderReport(facts, opts, results)
	fmt.Print(out)
	if opts.doc != "" {
		if err := writeDoc(opts.doc, out, "bench-scale"); err != nil {
			return err
		}
		log.printf("wrote %s", opts.doc)
	}
	return nil
}

// logger prints progress to stderr unless quiet.
type logger struct {
	quiet bool
	start time.Time
}

func newLogger(quiet bool) *logger { return &logger{quiet: quiet, start: time.Now()} }

func (l *logger) printf(format string, args ...any) {
	if l.quiet {
		return
	}
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(l.start).Seconds(), fmt.Sprintf(format, args...))
}

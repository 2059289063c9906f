package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/metrics"
)

// leaseNamespace holds the shards' leader election Leases.
const leaseNamespace = "bench-leases"

// shard is one controller of the sharding demo.
type shard struct {
	name    string
	user    string
	configs int
	proc    *controllerProc

	rssPeak  int64
	heap     float64
	requests []request
	writes   []request
	// foreign: writes to the other shard's FluxConfigs, children or events;
	// shared: writes to the namespace's flux-applier ServiceAccount, which
	// FluxConfigs of both shards use.
	foreign, shared []request
	// foreignSeries: metric series about the other shard's FluxConfigs.
	foreignSeries int
	leaseHolder   string
}

// runShards is the sharding demo: two controllers, each with its own user,
// --watch-label-selector and leader election Lease, over one fleet whose
// FluxConfigs alternate between the shards in the same namespaces.
func runShards(ctx context.Context, opts options, bin string, f facts, log *logger) error {
	n := opts.sizes[0]
	dir := filepath.Join(opts.outDir, fmt.Sprintf("shards-n%d", n))
	log.printf("sharding demo, N=%d: starting the control plane and the Flux stand-in (%s)", n, dir)
	s, err := startSession(ctx, dir, opts.workers)
	if err != nil {
		return err
	}
	defer s.stop()
	f.fillFrom(s.versions)
	fl := newFleet(fmt.Sprintf("s%d", n), n, opts.k, opts.perNamespace)
	fl.shards = []string{"a", "b"}
	shards, err := startShards(ctx, opts, s, bin, fl)
	defer func() {
		for _, sh := range shards {
			sh.proc.stop()
		}
	}()
	if err != nil {
		return err
	}
	elapsed, err := shardRollout(ctx, opts, s, fl, shards, log)
	if err != nil {
		return err
	}
	out := renderShards(f, opts, n, elapsed, shards)
	fmt.Print(out)
	if opts.doc != "" {
		return writeDoc(opts.doc, out, "bench-scale-shards")
	}
	return nil
}

func startShards(ctx context.Context, opts options, s *session, bin string, fl *fleet) ([]*shard, error) {
	if err := s.admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: leaseNamespace}}); err != nil {
		return nil, err
	}
	var shards []*shard
	for _, name := range fl.shards {
		sh := &shard{name: name, user: controllerUser + "-shard-" + name}
		for i := range fl.n {
			if fl.shard(i) == name {
				sh.configs++
			}
		}
		kubeconfig, err := s.kubeconfig(sh.user)
		if err != nil {
			return shards, err
		}
		args := []string{
			fmt.Sprintf("--concurrent=%d", opts.concurrent),
			fmt.Sprintf("--watch-label-selector=%s=%s,%s=%s", RunLabel, fl.run, ShardLabel, name),
			"--enable-leader-election", "--leader-election-id=fluxconfig-controller-shard-" + name,
			"--leader-election-namespace=" + leaseNamespace,
		}
		if sh.proc, err = startController(sh.user, bin, kubeconfig, filepath.Join(s.dir, sh.user+".log"), args); err != nil {
			return shards, err
		}
		shards = append(shards, sh)
	}
	for _, sh := range shards {
		if err := sh.proc.waitWorkers(ctx, 2*time.Minute); err != nil {
			return shards, err
		}
	}
	return shards, nil
}

// shardRollout creates the fleet, waits for it to converge and both shards
// to go idle, and collects what each did.
func shardRollout(ctx context.Context, opts options, s *session, fl *fleet, shards []*shard, log *logger) (time.Duration, error) {
	if err := fl.createNamespaces(ctx, s.admin); err != nil {
		return 0, err
	}
	log.printf("sharding demo: %d FluxConfigs created by %d workers, alternating between shards a and b", fl.n, opts.workers)
	var procs []*controllerProc
	for _, sh := range shards {
		procs = append(procs, sh.proc)
	}
	start := time.Now()
	err := forEach(ctx, fl.n, opts.workers, func(ctx context.Context, i int) error {
		return s.admin.Create(ctx, fl.config(i))
	})
	if err == nil {
		err = waitConverged(ctx, s, fl, opts.convergeTimeout(fl.n), procs...)
	}
	if err != nil {
		return 0, fmt.Errorf("sharding demo: %w", err)
	}
	elapsed := time.Since(start)
	if err := verifyChildren(ctx, s, fl); err != nil {
		return 0, err
	}
	log.printf("sharding demo: converged in %.2f s; waiting for both shards to be idle", elapsed.Seconds())
	for _, sh := range shards {
		if err := sh.collect(ctx, s, opts.convergeTimeout(fl.n), shards); err != nil {
			return 0, err
		}
	}
	return elapsed, nil
}

// collect waits until the shard is idle, then reads its memory, its
// metrics, its Lease and its requests from the audit log.
func (sh *shard) collect(ctx context.Context, s *session, timeout time.Duration, all []*shard) error {
	p := sh.proc
	if _, err := waitIdle(ctx, p, float64(sh.configs), timeout); err != nil {
		return err
	}
	var err error
	if sh.rssPeak, err = p.rssPeak(); err != nil {
		return err
	}
	m, err := p.metrics(ctx)
	if err != nil {
		return err
	}
	sh.heap = sumMetric(m, "go_memstats_heap_inuse_bytes", nil)
	lease := &coordinationv1.Lease{}
	if err := s.admin.Get(ctx, client.ObjectKey{Namespace: leaseNamespace, Name: "fluxconfig-controller-shard-" + sh.name}, lease); err != nil {
		return fmt.Errorf("the Lease of shard %s: %w", sh.name, err)
	}
	if lease.Spec.HolderIdentity != nil {
		sh.leaseHolder = *lease.Spec.HolderIdentity
	}
	if err := settleAudit(ctx, s.audit); err != nil {
		return err
	}
	sh.requests = s.audit.Between(sh.user, p.started, time.Now())
	sh.writes = writes(sh.requests)
	for _, other := range all {
		if other == sh {
			continue
		}
		prefix := shardPrefix(other.name)
		sh.foreign = append(sh.foreign, touching(sh.writes, prefix)...)
		if f := m[metrics.ComplianceMetric]; f != nil {
			for _, series := range f.GetMetric() {
				for _, l := range series.GetLabel() {
					if l.GetName() == metrics.NameLabel && strings.HasPrefix(l.GetValue(), prefix) {
						sh.foreignSeries++
					}
				}
			}
		}
	}
	for _, w := range sh.writes {
		if w.Resource == "serviceaccounts" && w.Name == builder.ApplierServiceAccount {
			sh.shared = append(sh.shared, w)
		}
	}
	return nil
}

// touching are the requests about objects of a shard: its FluxConfigs
// (prefix), their children and their events.
func touching(reqs []request, prefix string) []request {
	var out []request
	for _, r := range reqs {
		if strings.HasPrefix(r.Name, prefix) || strings.HasPrefix(r.Name, builder.ApplierServiceAccount+"-"+prefix) {
			out = append(out, r)
		}
	}
	return out
}

func renderShards(f facts, opts options, n int, elapsed time.Duration, shards []*shard) string {
	var b strings.Builder
	header(&b, f, opts)
	fmt.Fprintf(&b, "Sharding: %d FluxConfigs, alternating between two controllers (`--watch-label-selector=%s=a|b`, each its own user and leader election Lease) in the same namespaces; all Compliant after %s.\n\n",
		n, ShardLabel, seconds(elapsed))
	var rows [][]string
	for _, sh := range shards {
		rows = append(rows, []string{sh.name, fmt.Sprint(sh.configs), sh.leaseHolder,
			fmt.Sprintf("%.0f MiB", float64(sh.rssPeak)/mib), fmt.Sprintf("%.0f MiB", sh.heap/mib),
			fmt.Sprintf("%.2f", float64(len(sh.requests))/float64(sh.configs)), fmt.Sprint(len(sh.writes)),
			fmt.Sprint(len(sh.foreign)), fmt.Sprint(sh.foreignSeries), fmt.Sprint(len(sh.shared))})
	}
	markdownTable(&b, []string{"shard", "FluxConfigs", "Lease holder", "RSS peak", "heap in use", "req/config",
		"writes", "writes to the other shard's objects", "metric series of the other shard", "writes to the shared flux-applier ServiceAccount"}, rows)
	return b.String()
}

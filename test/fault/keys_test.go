package fault

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// keyRecorder watches, from the test's side, every version of the auth
// Secrets and FluxConfig statuses of the configs it tracks, and remembers
// the first SSH key each one published: a deploy key the user registered
// with their Git host must never change while its Secret exists.
type keyRecorder struct {
	mu sync.Mutex
	// tracked are the generated-key configs, "namespace/name".
	tracked map[string]bool
	// first is the first public key a config published (in its auth
	// Secret or its status), firstPrivate a digest of the first private key.
	first        map[string]string
	firstPrivate map[string][32]byte
	// seen counts the distinct public keys each config ever published.
	seen map[string]map[string]bool
	// changes describes every change seen, in order.
	changes []string
	// statusProblems lists status versions that contradict themselves.
	statusProblems []string
	// errorsSeen counts, by namespace, the status versions that carried
	// an error, and by namespace and message (numbers elided) how often.
	errorsSeen map[string]int
	messages   map[string]map[string]int
	// versions are the FluxConfig versions already judged, id@rv.
	versions map[string]bool
}

func newKeyRecorder() *keyRecorder {
	return &keyRecorder{
		tracked: map[string]bool{}, first: map[string]string{},
		firstPrivate: map[string][32]byte{}, seen: map[string]map[string]bool{}, errorsSeen: map[string]int{},
		messages: map[string]map[string]int{}, versions: map[string]bool{},
	}
}

// start runs informers on auth Secrets and FluxConfigs until ctx ends.
// Informers re-list and re-watch on their own after an API server outage.
func (k *keyRecorder) start(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme) error {
	c, err := cache.New(cfg, cache.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	for obj, fn := range map[client.Object]func(any){
		&corev1.Secret{}: k.onSecret, &v1alpha1.FluxConfig{}: k.onFluxConfig,
	} {
		inf, err := c.GetInformer(ctx, obj)
		if err != nil {
			return err
		}
		if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    fn,
			UpdateFunc: func(_, o any) { fn(o) },
		}); err != nil {
			return err
		}
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return fmt.Errorf("the key recorder's caches did not sync")
	}
	return nil
}

// poll lists the auth Secrets and FluxConfigs of the namespaces every
// 250 ms until ctx ends, as a second pair of eyes beside the informers:
// after kube-apiserver comes back, client-go's informers (the test's as
// much as the controller's) may back off for up to a minute, and a key
// replaced meanwhile would be seen only in its last version. A failed list
// (kube-apiserver down) is skipped.
func (k *keyRecorder) poll(ctx context.Context, c client.Client, namespaces ...string) {
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for _, ns := range namespaces {
				var secrets corev1.SecretList
				if c.List(ctx, &secrets, client.InNamespace(ns)) == nil {
					for i := range secrets.Items {
						k.onSecret(&secrets.Items[i])
					}
				}
				var fcs v1alpha1.FluxConfigList
				if c.List(ctx, &fcs, client.InNamespace(ns)) == nil {
					for i := range fcs.Items {
						k.onFluxConfig(&fcs.Items[i])
					}
				}
			}
		}
	}()
}

// track adds generated-key configs to watch.
func (k *keyRecorder) track(fcs ...*v1alpha1.FluxConfig) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, fc := range fcs {
		k.tracked[fc.Namespace+"/"+fc.Name] = true
	}
}

func (k *keyRecorder) onSecret(obj any) {
	s, ok := obj.(*corev1.Secret)
	if !ok || !strings.HasSuffix(s.Name, "-auth") || len(s.Data["identity.pub"]) == 0 {
		return
	}
	id := s.Namespace + "/" + strings.TrimSuffix(s.Name, "-auth")
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.tracked[id] {
		return
	}
	k.publish(id, "auth Secret identity.pub", strings.TrimSpace(string(s.Data["identity.pub"])))
	digest := sha256.Sum256(s.Data["identity"])
	if first, ok := k.firstPrivate[id]; !ok {
		k.firstPrivate[id] = digest
	} else if first != digest {
		k.changes = append(k.changes, fmt.Sprintf("%s: the private key in its auth Secret changed", id))
	}
}

func (k *keyRecorder) onFluxConfig(obj any) {
	fc, ok := obj.(*v1alpha1.FluxConfig)
	if !ok {
		return
	}
	id := fc.Namespace + "/" + fc.Name
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.versions[id+"@"+fc.ResourceVersion] {
		return // the poller and the informer both see most versions
	}
	k.versions[id+"@"+fc.ResourceVersion] = true
	if p := statusContradiction(fc.Status); p != "" {
		k.statusProblems = append(k.statusProblems, fmt.Sprintf("%s (rv %s): %s", id, fc.ResourceVersion, p))
	}
	if fc.Status.ErrorMessage != "" {
		k.errorsSeen[fc.Namespace]++
		if k.messages[fc.Namespace] == nil {
			k.messages[fc.Namespace] = map[string]int{}
		}
		msg := strings.ReplaceAll(fc.Status.ErrorMessage, fc.Namespace, "NS")
		k.messages[fc.Namespace][numbers.ReplaceAllString(msg, "N")]++
	}
	if k.tracked[id] && fc.Status.RepositoryPublicKey != "" {
		k.publish(id, "status.repositoryPublicKey", strings.TrimSpace(fc.Status.RepositoryPublicKey))
	}
}

// publish records a key seen in where; the caller holds the lock.
func (k *keyRecorder) publish(id, where, key string) {
	if k.seen[id] == nil {
		k.seen[id] = map[string]bool{}
	}
	k.seen[id][key] = true
	first, ok := k.first[id]
	switch {
	case !ok:
		k.first[id] = key
	case first != key:
		k.changes = append(k.changes, fmt.Sprintf("%s: %s is %s, first published %s", id, where, fingerprint(key), fingerprint(first)))
	}
}

// published counts the tracked configs among ids that published a key.
func (k *keyRecorder) published(ids []string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, id := range ids {
		if _, ok := k.first[id]; ok {
			n++
		}
	}
	return n
}

// changed reports, for the configs in ids, how many published more than
// one key, and the changes seen.
func (k *keyRecorder) changed(ids []string) (int, []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	n := 0
	for _, id := range ids {
		if len(k.seen[id]) > 1 {
			n++
		}
	}
	var changes []string
	for _, c := range k.changes {
		if in[strings.SplitN(c, ":", 2)[0]] {
			changes = append(changes, c)
		}
	}
	return n, changes
}

// distinctKeys is the largest number of keys one config of ids published.
func (k *keyRecorder) distinctKeys(ids []string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	most := 0
	for _, id := range ids {
		most = max(most, len(k.seen[id]))
	}
	return most
}

// errors counts the status versions with an error seen in namespaces.
func (k *keyRecorder) errors(namespaces ...string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, ns := range namespaces {
		n += k.errorsSeen[ns]
	}
	return n
}

// topMessages returns the most frequent error messages seen in the
// namespaces, with their counts.
func (k *keyRecorder) topMessages(n int, namespaces ...string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	count := map[string]int{}
	for _, ns := range namespaces {
		for m, c := range k.messages[ns] {
			count[m] += c
		}
	}
	msgs := make([]string, 0, len(count))
	for m := range count {
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return count[msgs[i]] > count[msgs[j]] })
	var out []string
	for i := 0; i < len(msgs) && i < n; i++ {
		out = append(out, fmt.Sprintf("%d × %q", count[msgs[i]], msgs[i]))
	}
	return out
}

var numbers = regexp.MustCompile(`\b[0-9]+\b`)

// problems returns the contradicting statuses seen of configs in namespaces.
func (k *keyRecorder) problems(namespaces ...string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, p := range k.statusProblems {
		for _, ns := range namespaces {
			if strings.HasPrefix(p, ns+"/") {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// fingerprint shortens a public key for messages: its last 12 characters.
func fingerprint(key string) string {
	fields := strings.Fields(key)
	if len(fields) < 2 || len(fields[1]) < 12 {
		return fmt.Sprintf("%q", key)
	}
	return "…" + fields[1][len(fields[1])-12:]
}

package controller

import (
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// cacheLagWindow is how long after its own status write the controller
// waits for the cache to show that write before it judges a FluxConfig
// from the cache again. Longer than any lag seen (milliseconds), short
// enough that someone else's write to the FluxConfig meanwhile costs little.
const cacheLagWindow = 2 * time.Second

// written remembers, per FluxConfig, the last status this controller wrote:
// a digest of it, the resourceVersion the API server answered, and when.
// The cached FluxConfig can lag behind that write. Judged from the cache, a
// pass would see the older status; if it computed that older status again
// (a child flipped Ready and back), it would find nothing to write and the
// stored status would stay wrong until the next resync. With this memory
// the pass waits for the cache, or writes when its status differs from the
// last one written.
type written struct {
	mu    sync.Mutex
	state map[types.NamespacedName]writtenStatus
	// firstSeen is when a FluxConfig without a status was first judged
	// Pending: its first status waits up to detailInterval for its verdict.
	firstSeen map[types.NamespacedName]time.Time
	// waiting holds the FluxConfigs whose pass found the cached copy
	// behind their last status write: the cache's next copy of one of them
	// starts its pass (caughtUp).
	waiting map[types.NamespacedName]bool
}

type writtenStatus struct {
	digest          [32]byte
	resourceVersion string
	generation      int64
	at              time.Time
}

func newWritten() *written {
	return &written{
		state: map[types.NamespacedName]writtenStatus{}, firstSeen: map[types.NamespacedName]time.Time{},
		waiting: map[types.NamespacedName]bool{},
	}
}

// cacheBehind tells whether the cached FluxConfig fc does not show yet the
// status written for it a moment ago. A newer generation in the cache is
// not behind: the status write succeeded with the optimistic lock, so the
// spec change came after it. A FluxConfig found behind waits for the
// cache's next copy of it (caughtUp).
func (w *written) cacheBehind(fc *v1alpha1.FluxConfig, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := types.NamespacedName{Namespace: fc.Namespace, Name: fc.Name}
	s, ok := w.state[key]
	behind := ok && s.resourceVersion != fc.ResourceVersion && s.generation == fc.Generation && now.Sub(s.at) < cacheLagWindow
	if behind {
		w.waiting[key] = true
	}
	return behind
}

// caughtUp tells, once, whether a pass of key waits for the cache's next
// copy of it: the watch of FluxConfigs starts that pass as soon as the copy
// arrives, rather than after cacheLagRetry. A child's change that reaches
// the controller before its own status write does (two watches, no order
// between them) is then shown within the cache's lag.
func (w *written) caughtUp(key types.NamespacedName) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.waiting[key] {
		return false
	}
	delete(w.waiting, key)
	return true
}

// differs tells whether next is not the status last written: then the
// stored status may not be next, whatever the cache says.
func (w *written) differs(key types.NamespacedName, next v1alpha1.FluxConfigStatus) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.state[key]
	return ok && s.digest != digestOf(next)
}

// remember records the status of fc just written, with the
// resourceVersion the API server answered.
func (w *written) remember(fc *v1alpha1.FluxConfig, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := types.NamespacedName{Namespace: fc.Namespace, Name: fc.Name}
	delete(w.firstSeen, key)
	w.state[key] = writtenStatus{
		digest: digestOf(fc.Status), resourceVersion: fc.ResourceVersion, generation: fc.Generation, at: now,
	}
}

// detailInterval is how often, at most, a FluxConfig's status is written
// while only its details move (the Ready message and statuses[] while the
// children turn Ready one by one): a verdict change is written at once.
const detailInterval = time.Second

// detailWait is how long to wait before writing next; zero means write now.
// It waits when next differs from prev only in its details and the last
// write was less than detailInterval ago, and when a new FluxConfig is
// Pending while its children are created: its first status is its verdict
// if that comes within detailInterval (most do), Pending otherwise.
func (w *written) detailWait(key types.NamespacedName, prev, next v1alpha1.FluxConfigStatus, now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	since, ok := time.Time{}, false
	switch {
	case prev.ComplianceState == "" && next.ComplianceState == v1alpha1.CompliancePending && next.ErrorMessage == "":
		if _, seen := w.firstSeen[key]; !seen {
			w.firstSeen[key] = now
		}
		since, ok = w.firstSeen[key], true
	case verdictOf(prev) == verdictOf(next):
		var s writtenStatus
		s, ok = w.state[key]
		since = s.at
	}
	if !ok || now.Sub(since) >= detailInterval {
		return 0
	}
	return detailInterval - now.Sub(since)
}

// verdict is what a status says, without its details.
type verdict struct {
	compliance, provisioning, errorMessage, revision, publicKey, handled string
	observedGeneration                                                   int64
	conditions                                                           string
}

func verdictOf(st v1alpha1.FluxConfigStatus) verdict {
	v := verdict{
		compliance: st.ComplianceState, provisioning: st.ProvisioningState, errorMessage: st.ErrorMessage,
		revision: st.SourceSyncedCommitID, publicKey: st.RepositoryPublicKey, handled: st.LastHandledReconcileAt,
		observedGeneration: st.ObservedGeneration,
	}
	for _, c := range st.Conditions {
		v.conditions += c.Type + "=" + string(c.Status) + "/" + c.Reason + ";"
	}
	return v
}

// forget drops a FluxConfig that was deleted or left this shard.
func (w *written) forget(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.state, key)
	delete(w.firstSeen, key)
	delete(w.waiting, key)
}

func digestOf(st v1alpha1.FluxConfigStatus) [32]byte {
	b, _ := json.Marshal(st) // API types always marshal
	return sha256.Sum256(b)
}

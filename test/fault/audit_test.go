package fault

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// auditEvent is one kube-apiserver audit record (at level Metadata: no
// bodies).
type auditEvent = auditv1.Event

// target names what a request wrote: resource[/subresource] namespace/name.
func target(e *auditEvent) string {
	if e.ObjectRef == nil {
		return "?"
	}
	r := e.ObjectRef.Resource
	if e.ObjectRef.Subresource != "" {
		r += "/" + e.ObjectRef.Subresource
	}
	return fmt.Sprintf("%s %s %s/%s", e.Verb, r, e.ObjectRef.Namespace, e.ObjectRef.Name)
}

// writeFilter selects the controller's write requests to count.
type writeFilter struct {
	// from and to bound the completion time; zero means unbounded.
	from, to time.Time
	// namespaces, when set, keeps requests on objects in them.
	namespaces []string
	// resource and name, when set, keep requests on that resource
	// ("fluxconfigs/status" for a subresource) and object name.
	resource, name string
}

func (f writeFilter) match(e *auditEvent) bool {
	if e.Stage != auditv1.StageResponseComplete || e.User.Username != controllerUser || e.ObjectRef == nil {
		return false
	}
	t := e.StageTimestamp.Time
	if (!f.from.IsZero() && t.Before(f.from)) || (!f.to.IsZero() && t.After(f.to)) {
		return false
	}
	if len(f.namespaces) > 0 && !slices.Contains(f.namespaces, e.ObjectRef.Namespace) {
		return false
	}
	resource := e.ObjectRef.Resource
	if e.ObjectRef.Subresource != "" {
		resource += "/" + e.ObjectRef.Subresource
	}
	return (f.resource == "" || f.resource == resource) && (f.name == "" || f.name == e.ObjectRef.Name)
}

// controllerWrites reads the audit log: every write request of the
// controller's user that f selects, refused ones included (a request the
// API server refused still cost a round trip).
func controllerWrites(path string, f writeFilter) ([]auditEvent, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var out []auditEvent
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e auditEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a line still being written
		}
		if f.match(&e) {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// summarize counts writes per target, most frequent first, for messages.
func summarize(events []auditEvent, limit int) string {
	count := map[string]int{}
	for i := range events {
		count[target(&events[i])]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if count[keys[i]] != count[keys[j]] {
			return count[keys[i]] > count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var lines []string
	for i, k := range keys {
		if i == limit {
			lines = append(lines, fmt.Sprintf("... and %d more targets", len(keys)-limit))
			break
		}
		lines = append(lines, fmt.Sprintf("%4d × %s", count[k], k))
	}
	return strings.Join(lines, "\n")
}

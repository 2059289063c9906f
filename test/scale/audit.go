package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// request is one API request from the audit log.
type request struct {
	User        string
	Verb        string
	Group       string
	Resource    string
	Subresource string
	Namespace   string
	Name        string
	Code        int
	At          time.Time
}

// auditLog reads the API server's audit log as it grows. A request is
// counted once: a watch at ResponseStarted (it may still be open), anything
// else at ResponseComplete.
type auditLog struct {
	path string

	mu       sync.Mutex
	offset   int64
	requests []request
}

func newAuditLog(path string) *auditLog { return &auditLog{path: path} }

// Sync reads what the API server appended since the last call. Call it a
// moment after the last request of interest: the API server writes an event
// after the response.
func (l *auditLog) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.Open(l.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(l.offset, io.SeekStart); err != nil {
		return err
	}
	reqs, consumed, err := parseAudit(f)
	l.offset += consumed
	l.requests = append(l.requests, reqs...)
	return err
}

// parseAudit parses complete lines (a last line without its newline is
// left for the next read) and returns how many bytes it consumed.
func parseAudit(r io.Reader) ([]request, int64, error) {
	var out []request
	var consumed int64
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			return out, consumed, nil
		}
		if err != nil {
			return out, consumed, err
		}
		consumed += int64(len(line))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var ev auditv1.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			return out, consumed, fmt.Errorf("audit log line at byte %d: %w", consumed-int64(len(line)), err)
		}
		if counted(&ev) {
			out = append(out, toRequest(&ev))
		}
	}
}

func counted(ev *auditv1.Event) bool {
	if ev.Verb == "watch" {
		return ev.Stage == auditv1.StageResponseStarted
	}
	return ev.Stage == auditv1.StageResponseComplete
}

func toRequest(ev *auditv1.Event) request {
	r := request{User: ev.User.Username, Verb: ev.Verb, At: ev.RequestReceivedTimestamp.Time}
	if o := ev.ObjectRef; o != nil {
		r.Group, r.Resource, r.Subresource, r.Namespace, r.Name = o.APIGroup, o.Resource, o.Subresource, o.Namespace, o.Name
	}
	if ev.ResponseStatus != nil {
		r.Code = int(ev.ResponseStatus.Code)
	}
	return r
}

// Between returns the requests of user received in [from, to).
func (l *auditLog) Between(user string, from, to time.Time) []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []request
	for _, r := range l.requests {
		if r.User == user && !r.At.Before(from) && r.At.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// verbs are the columns of the requests table, in order.
var verbs = []string{"get", "list", "watch", "create", "patch", "update", "delete"}

// byVerb counts requests by verb; deletecollection counts as delete.
func byVerb(reqs []request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		v := r.Verb
		if v == "deletecollection" {
			v = "delete"
		}
		out[v]++
	}
	return out
}

func isWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "delete", "deletecollection":
		return true
	}
	return false
}

func writes(reqs []request) []request {
	var out []request
	for _, r := range reqs {
		if isWrite(r.Verb) {
			out = append(out, r)
		}
	}
	return out
}

// breakdown lists the requests by verb, resource, subresource and response
// code, most frequent first, with the count per FluxConfig.
func breakdown(reqs []request, perConfig int) string {
	counts := map[string]int{}
	for _, r := range reqs {
		res := r.Resource
		if r.Group != "" {
			res += "." + r.Group
		}
		if r.Subresource != "" {
			res += "/" + r.Subresource
		}
		counts[fmt.Sprintf("%-6s %-48s %d", r.Verb, res, r.Code)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%-6s %-48s %s %10s %12s\n", "verb", "resource", "code", "requests", "per config")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %10d %12.2f\n", k, counts[k], float64(counts[k])/float64(max(perConfig, 1)))
	}
	return b.String()
}

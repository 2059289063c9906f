package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// facts describe the machine and the software measured, read at run time.
type facts struct {
	date      string
	cpu       string
	cores     int
	memory    string
	goVersion string
	kernel    string
	apiserver string
	etcd      string
	// load is the load average when the benchmark started.
	load string
}

func readFacts() facts {
	f := facts{
		date:      time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		cpu:       "unknown",
		cores:     runtime.NumCPU(),
		memory:    "unknown",
		goVersion: runtime.Version(),
		kernel:    "unknown",
		load:      loadAverage(),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		f.cpu = firstField(string(b), "model name")
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f.memory = memTotal(firstField(string(b), "MemTotal"))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		f.kernel = strings.TrimSpace(string(b))
	}
	return f
}

func (f *facts) fillFrom(v versions) {
	f.apiserver, f.etcd = v.apiserver, v.etcd
}

// firstField reads "key : value" lines (/proc/cpuinfo, /proc/meminfo).
func firstField(text, key string) string {
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// memTotal turns "24564084 kB" into "23.4 GiB".
func memTotal(v string) string {
	kb, err := strconv.ParseFloat(strings.TrimSuffix(v, " kB"), 64)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%.1f GiB", kb/1024/1024)
}

// loadAverage is /proc/loadavg's 1-, 5- and 15-minute load.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

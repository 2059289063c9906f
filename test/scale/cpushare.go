package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cpuSample is the machine's CPU time and the part of it this benchmark's
// processes used (itself, the control plane, the controllers, counting
// those that already ended), in clock ticks. Two samples tell how much of
// the machine other processes took meanwhile: a loaded machine makes the
// timings incomparable, and the report says so.
type cpuSample struct {
	busy, total, ours int64
}

func sampleCPU() (cpuSample, error) {
	var s cpuSample
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, err
	}
	if s.busy, s.total, err = machineTicks(string(b)); err != nil {
		return s, err
	}
	self := os.Getpid()
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return s, err
	}
	fields, err := statFields(string(stat))
	if err != nil {
		return s, err
	}
	// utime, stime, cutime, cstime: this process and its ended children.
	s.ours = sumFields(fields, 11, 12, 13, 14)
	s.ours += liveChildrenTicks(self)
	return s, nil
}

// machineTicks reads the aggregate "cpu" line of /proc/stat: busy is
// everything but idle and iowait (steal included: time the hypervisor
// gave to others).
func machineTicks(stat string) (busy, total int64, err error) {
	line, _, _ := strings.Cut(stat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	for i, f := range fields[1:9] { // user nice system idle iowait irq softirq steal
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
		total += v
		if i != 3 && i != 4 {
			busy += v
		}
	}
	return busy, total, nil
}

// statFields are the fields of /proc/PID/stat after the command name
// (which may hold spaces): index 0 is the state, 1 the parent's pid, 11
// utime, 12 stime, 13 cutime, 14 cstime.
func statFields(stat string) ([]string, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc stat: no command name")
	}
	fields := strings.Fields(stat[i+1:])
	if len(fields) < 15 {
		return nil, fmt.Errorf("/proc stat: too few fields")
	}
	return fields, nil
}

func sumFields(fields []string, idx ...int) int64 {
	var total int64
	for _, i := range idx {
		v, _ := strconv.ParseInt(fields[i], 10, 64)
		total += v
	}
	return total
}

// liveChildrenTicks sums utime and stime of the running children of pid.
func liveChildrenTicks(pid int) int64 {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total int64
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // ended meanwhile
		}
		fields, err := statFields(string(b))
		if err != nil || fields[1] != strconv.Itoa(pid) {
			continue
		}
		total += sumFields(fields, 11, 12)
	}
	return total
}

// otherShare is the share of the machine's CPU time that processes other
// than the benchmark's used between two samples.
func otherShare(a, b cpuSample) float64 {
	total := b.total - a.total
	if total <= 0 {
		return 0
	}
	other := (b.busy - a.busy) - (b.ours - a.ours)
	return max(float64(other), 0) / float64(total)
}

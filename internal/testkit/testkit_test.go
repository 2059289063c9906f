package testkit

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

func TestFreeAddrCanBeListenedOn(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("address %q is not on 127.0.0.1", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on the free address: %v", err)
	}
	_ = ln.Close()
}

func TestConditionAndEntry(t *testing.T) {
	st := v1alpha1.FluxConfigStatus{
		Conditions: []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: "Failed"}},
		Statuses: []v1alpha1.ObjectStatusDefinition{
			{Kind: "GitRepository", Name: "app"},
			{Kind: "Kustomization", Name: "app", ComplianceState: v1alpha1.ComplianceNonCompliant},
		},
	}
	if c := Condition(st, "Ready"); c.Status != metav1.ConditionFalse || c.Reason != "Failed" {
		t.Errorf("Ready: %+v", c)
	}
	if c := Condition(st, "Stalled"); c.Status != "" {
		t.Errorf("a missing condition: %+v", c)
	}
	if e := Entry(st, "Kustomization", "app"); e == nil || e.ComplianceState != v1alpha1.ComplianceNonCompliant {
		t.Errorf("Kustomization app: %+v", e)
	}
	if e := Entry(st, "HelmRelease", "app"); e != nil {
		t.Errorf("a missing entry: %+v", e)
	}
}

func TestProcessStopKillAndLog(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "echo.log")
	p, err := StartProcess("echo", "/bin/sh", []string{"-c", `echo "$GREETING"`}, []string{"GREETING=hello from the child"}, log)
	if err != nil {
		t.Fatal(err)
	}
	p.Wait()
	if data, err := os.ReadFile(log); err != nil || string(data) != "hello from the child\n" {
		t.Fatalf("log %q, %v", data, err)
	}

	for name, end := range map[string]func(*Process){"Stop": (*Process).Stop, "Kill": (*Process).Kill} {
		p, err := StartProcess("sleep", "/bin/sleep", []string{"60"}, nil, filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Exited() || p.Pid() == 0 {
			t.Fatalf("%s: a sleeping process reads as exited (pid %d)", name, p.Pid())
		}
		began := time.Now()
		end(p)
		if !p.Exited() {
			t.Fatalf("%s returned before the process ended", name)
		}
		if took := time.Since(began); took >= StopGrace {
			t.Errorf("%s took %s: the process did not end on its signal", name, took)
		}
		end(p) // a second call on an ended process returns
	}
}

func TestStartProcessNamesAMissingBinary(t *testing.T) {
	_, err := StartProcess("ghost", filepath.Join(t.TempDir(), "missing"), nil, nil, filepath.Join(t.TempDir(), "ghost.log"))
	if err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Fatalf("got %v, want an error naming the process", err)
	}
}

func TestBuildManager(t *testing.T) {
	out := filepath.Join(t.TempDir(), "manager")
	if err := BuildManager(t.Context(), out); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(out); err != nil || info.Mode()&0o111 == 0 {
		t.Fatalf("no executable at %s: %v", out, err)
	}
}

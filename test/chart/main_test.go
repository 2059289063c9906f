// Package chart tests the Helm chart in charts/fluxconfig-controller and the
// kustomize install in config/default: helm lint, the values schema, helm
// template with default and other values, that both installs agree, and the
// rendered objects checked by a real kube-apiserver (server-side dry run),
// with the controller's RBAC exercised as its ServiceAccount.
//
// It runs bin/helm and bin/kustomize (make helm) and the test control plane
// in bin/k8s (make envtest); a missing binary fails the tests.
package chart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

const (
	chartName = "fluxconfig-controller"
	// The release and namespace the README installs with, so the chart's
	// default render can be compared with config/default.
	defaultRelease   = "fluxconfig-controller"
	defaultNamespace = "fluxconfig-system"
)

var (
	root      string // repository root
	chartDir  string
	helmBin   string
	kustomize string
	cfg       *rest.Config // the test API server, as an admin
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = testenv.Root(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	chartDir = filepath.Join(root, "charts", chartName)
	helmBin = filepath.Join(root, "bin", "helm")
	kustomize = filepath.Join(root, "bin", "kustomize")
	crds := filepath.Join(root, "bin", "chart-crds")
	for _, p := range []string{helmBin, kustomize, crds} {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(os.Stderr, "chart tests: %s is missing: run `make helm` to build it\n", p)
			return 1
		}
	}
	// helm reads and writes its config and cache under these; keep them
	// away from the user's.
	home, err := os.MkdirTemp("", "chart-test-helm")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	for _, v := range []string{"HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"} {
		os.Setenv(v, filepath.Join(home, strings.ToLower(v)))
	}

	// The ServiceMonitor CRD is installed up front; the chart's own CRD is
	// applied by the tests, as Helm would.
	env, c, err := testenv.Start(crds)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the test control plane:", err)
		}
	}()
	cfg = c
	return m.Run()
}

// runTool runs a binary and returns its stdout, or an error that carries
// its stderr and stdout (helm lint writes its findings there).
func runTool(bin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w\n%s%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return stdout.Bytes(), nil
}

// helmTemplate renders the chart as release in namespace with extra helm
// arguments (--set, -f).
func helmTemplate(release, namespace string, args ...string) ([]byte, error) {
	return runTool(helmBin, append([]string{"template", release, chartDir, "--namespace", namespace}, args...)...)
}

// render renders the chart and decodes it, failing the test on error.
func render(t *testing.T, release, namespace string, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out, err := helmTemplate(release, namespace, args...)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decode(out)
	if err != nil {
		t.Fatalf("decoding helm template output: %v", err)
	}
	return objs
}

// kustomizeBuild builds config/default, as `kubectl apply -k` would.
func kustomizeBuild(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	out, err := runTool(kustomize, "build", filepath.Join(root, "config", "default"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decode(out)
	if err != nil {
		t.Fatalf("decoding kustomize build output: %v", err)
	}
	return objs
}

// decode splits a multi-document YAML stream into objects, skipping empty
// documents.
func decode(b []byte) ([]*unstructured.Unstructured, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" {
			return nil, fmt.Errorf("a document without kind: %v", m)
		}
		objs = append(objs, u)
	}
}

// readObjects decodes one YAML file of the repository.
func readObjects(t *testing.T, rel string) []*unstructured.Unstructured {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decode(b)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return objs
}

// only returns the one object of a kind, failing unless there is exactly one.
func only(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	found := ofKind(objs, kind)
	if len(found) != 1 {
		t.Fatalf("want one %s, got %d", kind, len(found))
	}
	return found[0]
}

func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var found []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			found = append(found, o)
		}
	}
	return found
}

// into converts an object to a typed one.
func into[T any](t *testing.T, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, out, true); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

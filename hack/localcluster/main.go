// Command localcluster runs fluxconfig-controller end to end on a local
// embedded control plane: kube-apiserver and etcd from bin/k8s, this
// project's CRD and the Flux CRDs installed, the controller binary running
// against it, the tutorial's FluxConfig applied, and what it generated
// printed. It runs until Ctrl-C (or, with -once, exits after printing).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

func main() {
	once := flag.Bool("once", false, "exit after printing the generated objects instead of running until Ctrl-C")
	wait := flag.Duration("wait", time.Minute, "how long to wait for the FluxConfig's first status")
	flag.Parse()
	if err := run(*once, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(once bool, wait time.Duration) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	bin := filepath.Join(root, "bin")
	state := filepath.Join(bin, "local")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return err
	}

	step("starting kube-apiserver and etcd (bin/k8s)")
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases"), filepath.Join(bin, "flux-crds")},
		ErrorIfCRDPathMissing: true,
	}
	env.ControlPlane.GetAPIServer().Path = filepath.Join(bin, "k8s", "kube-apiserver")
	env.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(bin, "k8s", "etcd")}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop() // Start can fail after the processes are up
		return fmt.Errorf("starting the control plane (run `make envtest` first): %w", err)
	}
	defer func() { _ = env.Stop() }()
	step("installed the FluxConfig CRD and the Flux CRDs")

	user, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	kubeconfigPath := filepath.Join(state, "kubeconfig")
	if err := os.WriteFile(kubeconfigPath, kubeconfig, 0o600); err != nil {
		return err
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	logPath := filepath.Join(state, "controller.log")
	stopController, err := startController(ctx, filepath.Join(bin, "manager"), kubeconfigPath, logPath)
	if err != nil {
		return err
	}
	defer stopController()
	step("started the controller (bin/manager), logs in " + rel(root, logPath))

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, v1alpha1.AddToScheme, sourcev1.AddToScheme, kustomizev1.AddToScheme} {
		if err := add(scheme); err != nil {
			return err
		}
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	sample := filepath.Join(root, "config", "samples", "clusterconfig_v1alpha1_fluxconfig.yaml")
	if err := applyFile(ctx, c, sample); err != nil {
		return err
	}
	step("applied " + rel(root, sample))

	fc, err := waitForStatus(ctx, c, wait)
	if err != nil {
		return err
	}
	if err := printAll(ctx, c, fc); err != nil {
		return err
	}
	fmt.Printf("\nkubeconfig: %s\n", kubeconfigPath)
	fmt.Printf("try:        KUBECONFIG=%s kubectl get fc -A\n", kubeconfigPath)
	fmt.Println("note:       no Flux controllers run here yet, so the generated objects stay Pending: the status says so.")
	if once {
		return nil
	}
	fmt.Println("\nrunning until Ctrl-C")
	<-ctx.Done()
	step("stopping")
	return nil
}

func step(msg string) { fmt.Printf(">> %s\n", msg) }

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}

// startController runs the controller binary against the local API server
// and returns how to stop it.
func startController(ctx context.Context, binary, kubeconfig, logPath string) (func(), error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary,
		"--metrics-addr=127.0.0.1:0", "--health-addr=127.0.0.1:0",
		"--cluster-scope-namespaces=cluster-config,flux-system", "--log-level=info")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s (run `make build` first): %w", binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	return func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	}, nil
}

func applyFile(ctx context.Context, c client.Client, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if len(u.Object) == 0 {
			continue
		}
		if err := c.Create(ctx, u); client.IgnoreAlreadyExists(err) != nil {
			return fmt.Errorf("creating %s %s: %w", u.GetKind(), u.GetName(), err)
		}
	}
}

func waitForStatus(ctx context.Context, c client.Client, wait time.Duration) (*v1alpha1.FluxConfig, error) {
	deadline := time.Now().Add(wait)
	fc := &v1alpha1.FluxConfig{}
	for {
		err := c.Get(ctx, client.ObjectKey{Namespace: "cluster-config", Name: "cluster-config"}, fc)
		if err == nil && fc.Status.ProvisioningState != "" {
			return fc, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the FluxConfig has no status after %s: see bin/local/controller.log", wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func printAll(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig) error {
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAMESPACE\tNAME\tSCOPE\tURL\tCOMPLIANCE\tPROVISIONING")
	fmt.Fprintf(w, "%s\tfluxconfig/%s\t%s\t%s\t%s\t%s\n", fc.Namespace, fc.Name, fc.Spec.Scope,
		fc.Status.SourceURL, fc.Status.ComplianceState, fc.Status.ProvisioningState)
	_ = w.Flush()

	fmt.Println("\nGenerated objects:")
	w = tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAMESPACE\tNAME\tDETAILS")
	labels := client.MatchingLabels{v1alpha1.NameLabel: fc.Name, v1alpha1.NamespaceLabel: fc.Namespace}
	var repos sourcev1.GitRepositoryList
	var kss kustomizev1.KustomizationList
	var sas corev1.ServiceAccountList
	var crbs rbacv1.ClusterRoleBindingList
	for _, l := range []client.ObjectList{&repos, &kss, &crbs} {
		if err := c.List(ctx, l, labels); err != nil {
			return err
		}
	}
	if err := c.List(ctx, &sas, client.InNamespace(fc.Namespace), client.MatchingLabels{v1alpha1.ManagedLabel: "true"}); err != nil {
		return err
	}
	for _, r := range repos.Items {
		fmt.Fprintf(w, "GitRepository\t%s\t%s\turl=%s branch=%s\n", r.Namespace, r.Name, r.Spec.URL, r.Spec.Reference.Branch)
	}
	for _, k := range kss.Items {
		deps := ""
		for _, d := range k.Spec.DependsOn {
			deps += d.Name + " "
		}
		fmt.Fprintf(w, "Kustomization\t%s\t%s\tpath=%s prune=%t dependsOn=[%s] serviceAccount=%s\n",
			k.Namespace, k.Name, k.Spec.Path, k.Spec.Prune, trim(deps), k.Spec.ServiceAccountName)
	}
	for _, s := range sas.Items {
		fmt.Fprintf(w, "ServiceAccount\t%s\t%s\t\n", s.Namespace, s.Name)
	}
	for _, b := range crbs.Items {
		fmt.Fprintf(w, "ClusterRoleBinding\t\t%s\trole=%s\n", b.Name, b.RoleRef.Name)
	}
	_ = w.Flush()

	status, err := yaml.Marshal(fc.Status)
	if err != nil {
		return err
	}
	fmt.Printf("\nFluxConfig status:\n%s", status)
	return nil
}

func trim(s string) string {
	if len(s) > 0 && s[len(s)-1] == ' ' {
		return s[:len(s)-1]
	}
	return s
}

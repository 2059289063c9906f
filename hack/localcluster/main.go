// Command localcluster is the README's run command: the tutorial end to end
// on this machine. It serves the tutorial's Git repository and charts on
// 127.0.0.1, starts the test control plane, the real source-,
// kustomize- and helm-controller and this controller, applies the
// tutorial's FluxConfig, and shows its compliance converge live. It runs
// until Ctrl-C (or, with -once, exits once the FluxConfig is Compliant),
// stopping every process it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/cluster"
)

func main() {
	once := flag.Bool("once", false, "exit once the FluxConfig is Compliant instead of running until Ctrl-C")
	wait := flag.Duration("wait", 5*time.Minute, "how long to wait for the FluxConfig to be Compliant")
	flag.Parse()
	if err := run(*once, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(once bool, wait time.Duration) error {
	start := time.Now()
	root, err := testenv.Root()
	if err != nil {
		return err
	}
	bin := filepath.Join(root, "bin")
	state := filepath.Join(bin, "local")
	if err := os.RemoveAll(state); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	step("serving the tutorial's Git repository (test/testdata/sample-repo) and its charts on 127.0.0.1")
	content, err := cluster.ServeTutorial(state)
	if err != nil {
		return err
	}
	defer content.Close()

	c, err := cluster.Start(cluster.Options{
		StateDir:    state,
		FluxBin:     filepath.Join(bin, "flux"),
		Manager:     filepath.Join(bin, "manager"),
		ManagerArgs: []string{"--cluster-scope-namespaces=cluster-config,flux-system", "--log-level=info"},
		Progress:    step,
	})
	if err != nil {
		return err
	}
	defer func() {
		step("stopping every process this command started")
		c.Stop()
	}()

	fc, err := applyTutorial(ctx, c, root, content.GitURL)
	if err != nil {
		return err
	}
	applied := time.Now()

	fmt.Println()
	if err := watch(ctx, c, fc, wait); err != nil {
		fmt.Printf("\nlogs: %s\n", state)
		return err
	}
	fmt.Printf("\nCompliant %s after the FluxConfig was applied, %s after this command started.\n",
		time.Since(applied).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
	printStatus(ctx, c, fc)
	printTry(root, c, state, content)
	if once {
		return c.Check()
	}
	fmt.Println("\nRunning until Ctrl-C.")
	<-ctx.Done()
	return nil
}

func step(msg string) { fmt.Printf(">> %s\n", msg) }

// applyTutorial creates the tutorial's namespace and FluxConfig, pointed
// at the local Git server's url.
func applyTutorial(ctx context.Context, c *cluster.Cluster, root, url string) (*v1alpha1.FluxConfig, error) {
	fc, err := tutorialConfig(root, url)
	if err != nil {
		return nil, err
	}
	if err := c.Client.Create(ctx, &nsObject); client.IgnoreAlreadyExists(err) != nil {
		return nil, err
	}
	if err := c.Client.Create(ctx, fc); err != nil {
		return nil, err
	}
	step(fmt.Sprintf("applied FluxConfig %s/%s (config/samples, url %s)", fc.Namespace, fc.Name, url))
	return fc, nil
}

// tutorialConfig reads the tutorial's FluxConfig from config/samples and
// points it at the local Git server.
func tutorialConfig(root, url string) (*v1alpha1.FluxConfig, error) {
	data, err := os.ReadFile(filepath.Join(root, "config", "samples", "clusterconfig_v1alpha1_fluxconfig.yaml"))
	if err != nil {
		return nil, err
	}
	for _, doc := range splitYAML(data) {
		fc := &v1alpha1.FluxConfig{}
		if err := yaml.Unmarshal(doc, fc); err != nil || fc.Kind != "FluxConfig" {
			continue
		}
		fc.Spec.GitRepository.URL = url
		// Pick up pushed commits quickly, as a demo should.
		fc.Spec.GitRepository.SyncInterval = &metav1.Duration{Duration: 10 * time.Second}
		return fc, nil
	}
	return nil, errors.New("config/samples has no FluxConfig")
}

func printStatus(ctx context.Context, c *cluster.Cluster, fc *v1alpha1.FluxConfig) {
	cur := &v1alpha1.FluxConfig{}
	if err := c.Client.Get(ctx, client.ObjectKeyFromObject(fc), cur); err != nil {
		return
	}
	st := cur.Status
	n := len(st.Statuses)
	st.Statuses = nil // listed above, one line each
	out, err := yaml.Marshal(map[string]any{"status": st})
	if err != nil {
		return
	}
	fmt.Printf("\nThe FluxConfig's status (kubectl get fc -n %s %s -o yaml), without its %d statuses[] entries:\n%s",
		fc.Namespace, fc.Name, n, out)
}

func printTry(root string, c *cluster.Cluster, state string, content *cluster.Content) {
	kubectl := "kubectl"
	if _, err := os.Stat(filepath.Join(root, "bin", "k8s", "kubectl")); err == nil {
		kubectl = "bin/k8s/kubectl"
	}
	rel := func(p string) string {
		if r, err := filepath.Rel(root, p); err == nil {
			return r
		}
		return p
	}
	fmt.Printf(`
Try it (from the repository root):
  export KUBECONFIG=%s
  %s get fc -A -o wide
  %s get gitrepositories,kustomizations,helmreleases -A
  %s describe fc -n cluster-config cluster-config
  %s wait --for=condition=Ready fc/cluster-config -n cluster-config
  %s patch fc -n cluster-config cluster-config --type merge -p '{"spec":{"suspend":true}}'
Push to the tutorial's repository and watch Flux follow:
  git clone %s /tmp/tutorial && cd /tmp/tutorial   # edit, commit, git push
Logs of every process: %s
`, rel(c.Kubeconfig), kubectl, kubectl, kubectl, kubectl, kubectl, content.GitURL, rel(state))
	printCLI(root, rel(c.Kubeconfig))
}

// printCLI shows the fluxconfig command (docs/cli.md) on the demo.
func printCLI(root, kubeconfig string) {
	bin := "bin/fluxconfig"
	if _, err := os.Stat(filepath.Join(root, bin)); err != nil {
		bin = "go run ./cmd/fluxconfig"
	}
	fmt.Printf(`The fluxconfig command (also kubectl fluxconfig, see docs/cli.md):
  %[1]s get -A --kubeconfig %[2]s
  %[1]s tree -n cluster-config cluster-config      # source, Kustomizations, what they applied
  %[1]s why -n cluster-config cluster-config       # what blocks it, root cause last
  %[1]s reconcile -n cluster-config cluster-config --with-source
  %[1]s render -f config/samples/clusterconfig_v1alpha1_fluxconfig.yaml
`, bin, kubeconfig)
}

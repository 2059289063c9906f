package cli

import (
	"strings"
	"testing"
	"time"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// TestReconcileWithTheController runs `fluxconfig reconcile` against a
// test control plane where the controller runs (Flux's controllers do
// not): the request reaches the controller, which records it in
// status.lastHandledReconcileAt and forwards it to the source; the
// command then reports a FluxConfig the controller cannot build at once,
// and names the Flux objects that never handled the request.
func TestReconcileWithTheController(t *testing.T) {
	ctx, c, kubeconfig := startControllerEnv(t)
	git := &v1alpha1.GitRepositoryDefinition{URL: "https://git.example.com/fleet", RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"}}
	create := func(ns, name string, suspend bool) {
		t.Helper()
		applyCase(ctx, t, c, renderCase{fc: &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: v1alpha1.FluxConfigSpec{Scope: v1alpha1.ScopeCluster, Suspend: suspend, GitRepository: git.DeepCopy(),
				Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "apps"}}}}})
	}
	reconcile := func(ns, name string, timeout time.Duration) (string, int) {
		out, errOut, code := run(t, "", "reconcile", "--kubeconfig", kubeconfig, "-n", ns, name, "--timeout", timeout.String())
		t.Logf("$ fluxconfig reconcile -n %s %s\n%s%s(exit %d)", ns, name, out, errOut, code)
		return out + errOut, code
	}

	t.Run("a FluxConfig the controller stalls is reported as soon as it handled the request", func(t *testing.T) {
		create("team-b", "stalled", false) // scope cluster, which the controller allows in cluster-config and flux-system only
		out, code := reconcile("team-b", "stalled", time.Minute)
		if code != ExitFindings || !strings.Contains(out, "✔ FluxConfig team-b/stalled handled the request\nFluxConfig team-b/stalled is Non-Compliant:") ||
			!strings.Contains(out, "the controller cannot carry it out: spec.scope: cluster is not allowed in namespace team-b") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		fc := &v1alpha1.FluxConfig{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "team-b", Name: "stalled"}, fc); err != nil {
			t.Fatal(err)
		}
		if at := fc.Annotations[fluxmeta.ReconcileRequestAnnotation]; at == "" || fc.Status.LastHandledReconcileAt != at {
			t.Errorf("requestedAt %q, lastHandledReconcileAt %q", at, fc.Status.LastHandledReconcileAt)
		}
	})

	t.Run("the request is forwarded; without Flux nobody handles it", func(t *testing.T) {
		create("cluster-config", "fleet", false)
		out, code := reconcile("cluster-config", "fleet", 5*time.Second)
		if code != ExitFindings || !strings.Contains(out, "✔ FluxConfig cluster-config/fleet handled the request\n◎ forwarded to the source and the Kustomizations: waiting for GitRepository cluster-config/fleet, Kustomization cluster-config/fleet-apps") ||
			!strings.Contains(out, "GitRepository cluster-config/fleet, Kustomization cluster-config/fleet-apps did not finish the request in time (are the Flux controllers running?)") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		fc, repo := &v1alpha1.FluxConfig{}, &sourcev1.GitRepository{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "cluster-config", Name: "fleet"}, fc); err != nil {
			t.Fatal(err)
		}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "cluster-config", Name: "fleet"}, repo); err != nil {
			t.Fatal(err)
		}
		if at := fc.Annotations[fluxmeta.ReconcileRequestAnnotation]; at == "" || repo.Annotations[fluxmeta.ReconcileRequestAnnotation] != at {
			t.Errorf("the source's requestedAt %q, the FluxConfig's %q", repo.Annotations[fluxmeta.ReconcileRequestAnnotation], at)
		}
	})

	t.Run("a suspended FluxConfig is not reconciled", func(t *testing.T) {
		create("cluster-config", "paused", true)
		out, code := reconcile("cluster-config", "paused", 5*time.Second)
		if code != ExitFindings || !strings.Contains(out, "FluxConfig cluster-config/paused is suspended: set spec.suspend to false") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
}

package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	"github.com/spf13/cobra"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// pollInterval is how often reconcile looks at the objects it waits for.
const pollInterval = time.Second

type reconcileOptions struct {
	withSource bool
	timeout    time.Duration
	kube       *kube
}

func newReconcileCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &reconcileOptions{}
	cmd := &cobra.Command{
		Use:   "reconcile NAME [--with-source]",
		Short: "Ask for an immediate reconciliation and wait for the result",
		Long: `reconcile sets the reconcile.fluxcd.io/requestedAt annotation on the
FluxConfig, as 'flux reconcile' does, and waits until the controller
records it in status.lastHandledReconcileAt. The controller forwards the
request to the FluxConfig's source and Kustomizations (like 'flux reconcile
kustomization --with-source'); reconcile then waits until Flux has handled
it on each of them and finished (the Kustomizations applying the revision
the source holds then), and until the FluxConfig's status agrees with them.
It prints the progress, and exits 0 when the FluxConfig ends Compliant, 1
otherwise (with the chain that blocks it). A suspended FluxConfig is not
reconciled.`,
		Example: `  fluxconfig reconcile -n cluster-config cluster-config`,
		Args:    oneName,
	}
	o.kube = addKubeFlags(cmd, true)
	cmd.Flags().BoolVar(&o.withSource, "with-source", false, "accepted for 'flux reconcile kustomization --with-source' habits: the controller always forwards the request to the source")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the result")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return o.run(cmd.Context(), streams.Out, args[0])
	}
	return cmd
}

func (o *reconcileOptions) run(ctx context.Context, out io.Writer, name string) error {
	c, err := o.kube.client()
	if err != nil {
		return err
	}
	ns, err := o.kube.namespace()
	if err != nil {
		return err
	}
	fc, err := getConfig(ctx, c, ns, name)
	if err != nil {
		return err
	}
	if fc.Spec.Suspend {
		return fmt.Errorf("FluxConfig %s/%s is suspended: set spec.suspend to false to reconcile it", ns, name)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	token := time.Now().UTC().Format(time.RFC3339Nano)
	if err := requestReconcile(ctx, c, fc, token); err != nil {
		return err
	}
	fmt.Fprintf(out, "► requested a reconciliation of FluxConfig %s/%s at %s\n", ns, name, token)
	if fc, err = waitConfigHandled(ctx, c, fc, token, out); err != nil {
		return err
	}
	if apimeta.IsStatusConditionTrue(fc.Status.Conditions, fluxmeta.StalledCondition) {
		return report(ctx, c, fc, out) // the controller cannot build or apply it
	}
	if err := waitChildren(ctx, c, fc, token, out); err != nil {
		return err
	}
	return o.waitStatus(ctx, c, fc, out)
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt on the FluxConfig.
func requestReconcile(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig, token string) error {
	patch := client.MergeFrom(fc.DeepCopy())
	ann := fc.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[fluxmeta.ReconcileRequestAnnotation] = token
	fc.SetAnnotations(ann)
	if err := c.Patch(ctx, fc, patch); err != nil {
		return fmt.Errorf("annotating FluxConfig %s/%s: %w", fc.Namespace, fc.Name, err)
	}
	return nil
}

// handledSince tells whether a status.lastHandledReconcileAt records the
// request made at token, or a later one (the controller asks for one of
// its own when credentials change; a user may ask again meanwhile).
func handledSince(handled, token string) bool {
	if handled == token {
		return true
	}
	h, err1 := time.Parse(time.RFC3339Nano, handled)
	t, err2 := time.Parse(time.RFC3339Nano, token)
	return err1 == nil && err2 == nil && h.After(t)
}

// waitConfigHandled waits until the controller recorded the request in the
// FluxConfig's status, and returns the FluxConfig as it is then.
func waitConfigHandled(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig, token string, out io.Writer) (*v1alpha1.FluxConfig, error) {
	ref := fc.Namespace + "/" + fc.Name
	fmt.Fprintf(out, "◎ waiting for the controller to handle the request on FluxConfig %s\n", ref)
	var cur *v1alpha1.FluxConfig
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		var err error
		cur, err = getConfig(ctx, c, fc.Namespace, fc.Name)
		return err == nil && handledSince(cur.Status.LastHandledReconcileAt, token), err
	})
	if err != nil {
		return nil, fmt.Errorf("FluxConfig %s did not record the request in status.lastHandledReconcileAt in time (is the controller running, and of a version that records it?): %w", ref, err)
	}
	fmt.Fprintf(out, "✔ FluxConfig %s handled the request\n", ref)
	return cur, nil
}

// waitChildren waits until Flux has handled the forwarded request on the
// source and on every Kustomization and finished, printing each as it
// finishes.
func waitChildren(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig, token string, out io.Writer) error {
	printed := map[string]bool{}
	var last []childState
	waiting := func() []string {
		var names []string
		for _, ch := range last {
			if !printed[ch.obj.Ref()] {
				names = append(names, ch.obj.Ref())
			}
		}
		return names
	}
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		children, err := readChildren(ctx, c, fc)
		if err != nil {
			return false, err
		}
		if last == nil {
			fmt.Fprintf(out, "◎ forwarded to the source and the Kustomizations: waiting for %s\n", strings.Join(refs(children), ", "))
		}
		last = children
		for i, done := range finished(children, token) {
			if ref := children[i].obj.Ref(); done && !printed[ref] {
				printed[ref] = true
				writeChild(out, children[i].obj)
			}
		}
		return len(waiting()) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("%s did not finish the request in time (are the Flux controllers running?): %w", strings.Join(waiting(), ", "), err)
	}
	return nil
}

func refs(children []childState) []string {
	out := make([]string, len(children))
	for i, ch := range children {
		out[i] = ch.obj.Ref()
	}
	return out
}

func writeChild(out io.Writer, o status.Object) {
	mark := "✔"
	if status.Compliance(o) != v1alpha1.ComplianceCompliant {
		mark = "✗"
	}
	fmt.Fprintf(out, "%s %s %s\n", mark, o.Ref(), strings.TrimSpace(status.Compliance(o)+" "+o.Revision))
}

// waitStatus waits until the FluxConfig's status says what the controller's
// own aggregation of the live objects says, and reports it.
func (o *reconcileOptions) waitStatus(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig, out io.Writer) error {
	var cur *v1alpha1.FluxConfig
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		var err error
		if cur, err = getConfig(ctx, c, fc.Namespace, fc.Name); err != nil {
			return false, err
		}
		obs, err := observe(ctx, c, cur)
		if err != nil {
			return false, err
		}
		states := make([]string, len(obs.objects))
		for i, ob := range obs.objects {
			states[i] = status.Compliance(ob)
		}
		want := status.Aggregate(cur.Spec.Suspend, states)
		return cur.Status.ObservedGeneration == cur.Generation && cur.Status.ComplianceState == want && want != v1alpha1.CompliancePending, nil
	})
	if err != nil {
		return fmt.Errorf("FluxConfig %s/%s did not settle in time: %w", fc.Namespace, fc.Name, err)
	}
	return report(ctx, c, cur, out)
}

// report prints what blocks the FluxConfig, and fails unless it is
// Compliant.
func report(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig, out io.Writer) error {
	obs, err := observe(ctx, c, fc)
	if err != nil {
		return err
	}
	e := explain(obs)
	if err := writeExplanation(out, e, "", paletteFor(out)); err != nil {
		return err
	}
	if e.Compliance != v1alpha1.ComplianceCompliant {
		return errFindings
	}
	return nil
}

// settled: Flux finished with the object, as kstatus reads it: a Ready
// condition that is True or False for the current generation, and not
// Reconciling. Flux records the request as handled when it starts.
func settled(o status.Object) bool {
	ready := apimeta.FindStatusCondition(o.Conditions, fluxmeta.ReadyCondition)
	return ready != nil && ready.Status != metav1.ConditionUnknown && ready.ObservedGeneration == o.Generation &&
		!apimeta.IsStatusConditionTrue(o.Conditions, fluxmeta.ReconcilingCondition)
}

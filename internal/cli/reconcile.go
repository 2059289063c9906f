package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"github.com/spf13/cobra"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
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
FluxConfig, then on its source (with --with-source, as 'flux reconcile ks
--with-source' does) and its Kustomizations, one after the other and
dependencies first, waiting each time until Flux has finished; then until
the FluxConfig's status agrees with what Flux did. It prints the progress. It exits 0 when the FluxConfig ends Compliant, 1 otherwise (with
the chain that blocks it).`,
		Example: `  fluxconfig reconcile -n cluster-config cluster-config --with-source`,
		Args:    oneName,
	}
	o.kube = addKubeFlags(cmd, true)
	cmd.Flags().BoolVar(&o.withSource, "with-source", false, "fetch the source again first")
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
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	token := time.Now().Format(time.RFC3339Nano)
	targets := o.targets(fc)
	if err := requestReconcile(ctx, c, targets[0], token); err != nil {
		return err
	}
	fmt.Fprintf(out, "► requested a reconciliation of FluxConfig %s/%s at %s\n", ns, name, token)
	// One after the other, dependencies first, so that a Kustomization
	// does not check its dependency while that one is still at work.
	for _, t := range targets[1:] {
		if err := requestReconcile(ctx, c, t, token); err != nil {
			return err
		}
		if err := waitHandled(ctx, c, t, token, out); err != nil {
			return err
		}
	}
	return o.waitStatus(ctx, c, fc, out)
}

// targets are the objects to annotate: the FluxConfig, the source with
// --with-source, then the Kustomizations.
func (o *reconcileOptions) targets(fc *v1alpha1.FluxConfig) []client.Object {
	key := func(name string) metaKey { return metaKey{Namespace: fc.Namespace, Name: name} }
	out := []client.Object{withKey(&v1alpha1.FluxConfig{}, key(fc.Name))}
	if o.withSource {
		var src client.Object
		switch builder.FluxSourceKind(fc) {
		case sourcev1.BucketKind:
			src = &sourcev1.Bucket{}
		case sourcev1.OCIRepositoryKind:
			src = &sourcev1.OCIRepository{}
		default:
			src = &sourcev1.GitRepository{}
		}
		out = append(out, withKey(src, key(builder.SourceName(fc))))
	}
	for _, k := range dependenciesFirst(fc.Spec.Kustomizations) {
		out = append(out, withKey(&kustomizev1.Kustomization{}, key(builder.KustomizationName(fc, k))))
	}
	return out
}

// dependenciesFirst orders kustomization names so that each comes after
// what it depends on, in spec order otherwise; a cycle keeps spec order.
func dependenciesFirst(ks []v1alpha1.KustomizationDefinition) []string {
	done := map[string]bool{}
	var out []string
	for len(out) < len(ks) {
		progress := false
		for _, k := range ks {
			if done[k.Name] || !allDone(k.DependsOn, done) {
				continue
			}
			done[k.Name], progress = true, true
			out = append(out, k.Name)
		}
		if !progress { // a cycle: the controller stalls it anyway
			for _, k := range ks {
				if !done[k.Name] {
					done[k.Name] = true
					out = append(out, k.Name)
				}
			}
		}
	}
	return out
}

func allDone(names []string, done map[string]bool) bool {
	for _, n := range names {
		if !done[n] {
			return false
		}
	}
	return true
}

type metaKey = client.ObjectKey

func withKey(obj client.Object, key metaKey) client.Object {
	obj.SetNamespace(key.Namespace)
	obj.SetName(key.Name)
	return obj
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt on obj.
func requestReconcile(ctx context.Context, c client.Client, obj client.Object, token string) error {
	if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
		return fmt.Errorf("reading %T %s: %w", obj, obj.GetName(), err)
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[fluxmeta.ReconcileRequestAnnotation] = token
	obj.SetAnnotations(ann)
	if err := c.Patch(ctx, obj, patch); err != nil {
		return fmt.Errorf("annotating %s: %w", obj.GetName(), err)
	}
	return nil
}

// handled tells whether Flux finished the request on obj.
func handled(obj client.Object, token string) bool {
	var last string
	switch t := obj.(type) {
	case *sourcev1.GitRepository:
		last = t.Status.LastHandledReconcileAt
	case *sourcev1.Bucket:
		last = t.Status.LastHandledReconcileAt
	case *sourcev1.OCIRepository:
		last = t.Status.LastHandledReconcileAt
	case *kustomizev1.Kustomization:
		last = t.Status.LastHandledReconcileAt
	}
	return last == token
}

// settled: Flux finished with the object, as kstatus reads it: a Ready
// condition that is True or False for the current generation, and not
// Reconciling. Flux records the request as handled when it starts.
func settled(o status.Object) bool {
	ready := apimeta.FindStatusCondition(o.Conditions, fluxmeta.ReadyCondition)
	return ready != nil && ready.Status != metav1.ConditionUnknown && ready.ObservedGeneration == o.Generation &&
		!apimeta.IsStatusConditionTrue(o.Conditions, fluxmeta.ReconcilingCondition)
}

// waitHandled waits until Flux handled the request on obj and finished,
// and prints how it ended.
func waitHandled(ctx context.Context, c client.Client, obj client.Object, token string, out io.Writer) error {
	kind := fmt.Sprintf("%T", obj)[len("*v1."):]
	fmt.Fprintf(out, "◎ waiting for %s %s/%s\n", kind, obj.GetNamespace(), obj.GetName())
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return handled(obj, token) && settled(kinds.Project(obj)), nil
	})
	if err != nil {
		return fmt.Errorf("%s %s/%s did not handle the request in time (is its Flux controller running?): %w", kind, obj.GetNamespace(), obj.GetName(), err)
	}
	o := kinds.Project(obj)
	mark := "✔"
	if status.Compliance(o) != v1alpha1.ComplianceCompliant {
		mark = "✗"
	}
	fmt.Fprintf(out, "%s %s %s/%s %s %s\n", mark, kind, o.Namespace, o.Name, status.Compliance(o), o.Revision)
	return nil
}

// waitStatus waits until the FluxConfig's status says what the controller's
// own aggregation of the live objects says, and reports it.
func (o *reconcileOptions) waitStatus(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig, out io.Writer) error {
	var obs *observation
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		cur, err := getConfig(ctx, c, fc.Namespace, fc.Name)
		if err != nil {
			return false, err
		}
		if obs, err = observe(ctx, c, cur); err != nil {
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
	e := explain(obs)
	if err := writeExplanation(out, e, "", paletteFor(out)); err != nil {
		return err
	}
	if e.Compliance != v1alpha1.ComplianceCompliant {
		return errFindings
	}
	return nil
}

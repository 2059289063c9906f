package cli

import (
	"context"
	"fmt"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// childState is what reconcile reads of one generated Flux object: the
// source first, then the Kustomizations in spec order.
type childState struct {
	obj status.Object
	// handled is status.lastHandledReconcileAt.
	handled string
	// attempted is a Kustomization's status.lastAttemptedRevision.
	attempted string
	// dependsOn are the indexes of the Kustomizations it depends on.
	dependsOn []int
}

// readChildren reads the source and the Kustomizations of fc; a missing
// one reads as not found (not handled).
func readChildren(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig) ([]childState, error) {
	src, err := readSource(ctx, c, fc)
	if err != nil {
		return nil, err
	}
	out := []childState{src}
	index := map[string]int{}
	for i, k := range fc.Spec.Kustomizations {
		index[k.Name] = i + 1
	}
	for _, k := range fc.Spec.Kustomizations {
		name := builder.KustomizationName(fc, k.Name)
		ks := &kustomizev1.Kustomization{}
		ch := childState{obj: status.Missing(kustomizev1.KustomizationKind, fc.Namespace, name)}
		switch err := c.Get(ctx, client.ObjectKey{Namespace: fc.Namespace, Name: name}, ks); {
		case err == nil:
			ch = childState{obj: kinds.Project(ks), handled: ks.Status.LastHandledReconcileAt, attempted: ks.Status.LastAttemptedRevision}
		case !apierrors.IsNotFound(err):
			return nil, fmt.Errorf("reading Kustomization %s/%s: %w", fc.Namespace, name, err)
		}
		for _, d := range k.DependsOn {
			if i, ok := index[d]; ok {
				ch.dependsOn = append(ch.dependsOn, i)
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

func readSource(ctx context.Context, c client.Client, fc *v1alpha1.FluxConfig) (childState, error) {
	kind, name := builder.FluxSourceKind(fc), builder.SourceName(fc)
	var obj client.Object
	switch kind {
	case sourcev1.BucketKind:
		obj = &sourcev1.Bucket{}
	case sourcev1.OCIRepositoryKind:
		obj = &sourcev1.OCIRepository{}
	default:
		obj = &sourcev1.GitRepository{}
	}
	err := c.Get(ctx, client.ObjectKey{Namespace: fc.Namespace, Name: name}, obj)
	switch {
	case apierrors.IsNotFound(err):
		return childState{obj: status.Missing(kind, fc.Namespace, name)}, nil
	case err != nil:
		return childState{}, fmt.Errorf("reading %s %s/%s: %w", kind, fc.Namespace, name, err)
	}
	var handled string
	switch t := obj.(type) {
	case *sourcev1.GitRepository:
		handled = t.Status.LastHandledReconcileAt
	case *sourcev1.Bucket:
		handled = t.Status.LastHandledReconcileAt
	case *sourcev1.OCIRepository:
		handled = t.Status.LastHandledReconcileAt
	}
	return childState{obj: kinds.Project(obj), handled: handled}, nil
}

// finished tells, for each child, whether Flux has handled the request
// made at token and finished with it:
//   - the source: handled, and settled (a Ready verdict for its
//     generation, not Reconciling);
//   - a Kustomization: handled and settled once the source finished, and
//     either it applied (or tried) the revision the source holds, or it
//     waits on a dependency that finished without being Compliant. One
//     that waits on dependencies that all finished Compliant is not
//     finished: kustomize-controller tries it again (--requeue-dependency).
//
// Flux reconciles the forwarded request on every child at once; reading
// the dependencies this way reports what the request led to, not a
// Kustomization that checked its dependency while that one was still at
// work.
func finished(children []childState, token string) []bool {
	done := make([]bool, len(children))
	if len(children) == 0 {
		return done
	}
	src := children[0]
	done[0] = handledSince(src.handled, token) && settled(src.obj)
	state := make([]int, len(children)) // 0 unknown, 1 visiting, 2 known
	var visit func(i int) bool
	visit = func(i int) bool {
		if state[i] != 0 {
			return done[i]
		}
		state[i] = 1
		k := children[i]
		ok := done[0] && handledSince(k.handled, token) && settled(k.obj)
		if ok && waitsOnDependency(k.obj) {
			ok = false
			for _, d := range k.dependsOn {
				if visit(d) && status.Compliance(children[d].obj) != v1alpha1.ComplianceCompliant {
					ok = true
				}
			}
		} else if ok {
			ok = k.attempted == src.obj.Revision
		}
		done[i], state[i] = ok, 2
		return ok
	}
	for i := 1; i < len(children); i++ {
		visit(i)
	}
	return done
}

// waitsOnDependency: kustomize-controller did not apply the Kustomization
// because a dependency was not ready.
func waitsOnDependency(o status.Object) bool {
	ready := apimeta.FindStatusCondition(o.Conditions, fluxmeta.ReadyCondition)
	return ready != nil && ready.Reason == fluxmeta.DependencyNotReadyReason
}

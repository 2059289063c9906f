package chart

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

const fieldOwner = client.FieldOwner("chart-test")

func newClient(t *testing.T, c *rest.Config) client.Client {
	t.Helper()
	cl, err := client.New(c, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// apply server-side applies one object, for real or as a dry run.
func apply(ctx context.Context, c client.Client, u *unstructured.Unstructured, dryRun bool) error {
	opts := []client.ApplyOption{fieldOwner, client.ForceOwnership}
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u.DeepCopy()), opts...); err != nil {
		return fmt.Errorf("%s %s: %w", u.GetKind(), client.ObjectKeyFromObject(u), err)
	}
	return nil
}

func createNamespace(ctx context.Context, t *testing.T, c client.Client, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// installCRD applies the chart's CRD for real, as helm install would, and
// waits until it is served.
func installCRD(ctx context.Context, t *testing.T, c client.Client) {
	t.Helper()
	crd := only(t, render(t, defaultRelease, defaultNamespace), "CustomResourceDefinition")
	if err := apply(ctx, c, crd, false); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got := &unstructured.Unstructured{}
		got.SetGroupVersionKind(crd.GroupVersionKind())
		if err := c.Get(ctx, client.ObjectKeyFromObject(crd), got); err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, cond := range conds {
			m, _ := cond.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("the chart's CRD is not established: %v", err)
	}
}

// Every object of every install is accepted by the API server (strict field
// validation, admission, RBAC escalation checks), as a server-side dry run.
func TestServerSideDryRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := newClient(t, cfg)
	installCRD(ctx, t, c)

	for _, tc := range []struct {
		name, namespace string
		objs            func() []*unstructured.Unstructured
	}{
		{"chart defaults", "dry-default", func() []*unstructured.Unstructured { return render(t, defaultRelease, "dry-default") }},
		{"chart custom values", "dry-custom", func() []*unstructured.Unstructured {
			return render(t, "shard-a", "dry-custom", "-f", customValues)
		}},
		{"chart without leader election", "dry-single", func() []*unstructured.Unstructured {
			return render(t, "single", "dry-single", "--set=leaderElection.enabled=false", "--set=crds.keep=false")
		}},
		{"config/default", defaultNamespace, func() []*unstructured.Unstructured { return kustomizeBuild(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := tc.objs()
			// A dry run does not create the namespace the other objects
			// go in, so it is created for real first (helm --create-namespace,
			// or the Namespace of config/default).
			createNamespace(ctx, t, c, tc.namespace)
			for _, o := range objs {
				if err := apply(ctx, c, o, true); err != nil {
					t.Error(err)
				}
			}
		})
	}

	// The dry run does check: a field the schema does not know is refused.
	t.Run("unknown field is refused", func(t *testing.T) {
		d := only(t, render(t, defaultRelease, "dry-default"), "Deployment")
		cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
		cs[0].(map[string]any)["securityContext"].(map[string]any)["readOnlyRootFS"] = true
		if err := unstructured.SetNestedSlice(d.Object, cs, "spec", "template", "spec", "containers"); err != nil {
			t.Fatal(err)
		}
		err := apply(ctx, c, d, true)
		if err == nil || !strings.Contains(err.Error(), "readOnlyRootFS") {
			t.Fatalf("want an error naming the unknown field, got %v", err)
		}
	})
}

// The chart's RBAC, installed for real, lets the controller's ServiceAccount
// do its job and no more: leader election in its namespace, the bindings of
// the flux-applier ServiceAccounts to admin and cluster-admin, and nothing
// it does not need.
func TestControllerRBAC(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const ns, release = "rbac-check", "rbac-check"
	sa := release + "-" + chartName
	user := "system:serviceaccount:" + ns + ":" + sa
	c := newClient(t, cfg)
	createNamespace(ctx, t, c, ns)
	for _, o := range render(t, release, ns, "--set=crds.install=false") {
		if err := apply(ctx, c, o, false); err != nil {
			t.Fatal(err)
		}
	}
	asSA := rest.CopyConfig(cfg)
	asSA.Impersonate = rest.ImpersonationConfig{UserName: user}
	asSA.QPS, asSA.Burst = 50, 100 // the checks below poll

	t.Run("access", func(t *testing.T) {
		admin := rest.CopyConfig(cfg)
		admin.QPS, admin.Burst = 50, 100
		cs := kubernetes.NewForConfigOrDie(admin)
		for _, tc := range []struct {
			attrs   authorizationv1.ResourceAttributes
			allowed bool
		}{
			{authorizationv1.ResourceAttributes{Group: "clusterconfig.azure.com", Resource: "fluxconfigs", Verb: "watch"}, true},
			{authorizationv1.ResourceAttributes{Group: "clusterconfig.azure.com", Resource: "fluxconfigs", Subresource: "status", Verb: "patch", Namespace: "tenant"}, true},
			{authorizationv1.ResourceAttributes{Group: "kustomize.toolkit.fluxcd.io", Resource: "kustomizations", Verb: "create", Namespace: "tenant"}, true},
			{authorizationv1.ResourceAttributes{Group: "", Resource: "secrets", Verb: "delete", Namespace: "tenant"}, true},
			{authorizationv1.ResourceAttributes{Group: "", Resource: "configmaps", Verb: "create", Namespace: "tenant"}, true}, // kubeConfig ConfigMaps
			{authorizationv1.ResourceAttributes{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "cluster-admin", Verb: "bind"}, true},
			{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: ns}, true},
			{authorizationv1.ResourceAttributes{Group: "clusterconfig.azure.com", Resource: "fluxconfigs", Verb: "create", Namespace: "tenant"}, false},
			{authorizationv1.ResourceAttributes{Group: "", Resource: "pods", Verb: "list"}, false},
			{authorizationv1.ResourceAttributes{Group: "apps", Resource: "deployments", Verb: "get", Namespace: ns}, false},
			{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: "default"}, false},
			{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "delete", Namespace: ns}, false},
			{authorizationv1.ResourceAttributes{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "edit", Verb: "bind"}, false},
			{authorizationv1.ResourceAttributes{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Verb: "escalate"}, false},
			{authorizationv1.ResourceAttributes{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions", Verb: "delete"}, false},
		} {
			sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: user, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
				ResourceAttributes: &tc.attrs,
			}}
			// Wait for what must be allowed. The table lists those first,
			// so what must be denied is checked once the bindings are live.
			got, err := eventually(ctx, tc.allowed, func() (bool, error) {
				res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
				if err != nil {
					return false, err
				}
				return res.Status.Allowed, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.allowed {
				t.Errorf("%s %+v: allowed %v, want %v", user, tc.attrs, got, tc.allowed)
			}
		}
	})

	// The bindings the controller creates for flux-applier: the API server
	// lets it refer to admin and cluster-admin (bind), not to other roles
	// that hold rights it does not have.
	t.Run("applier bindings", func(t *testing.T) {
		if err := testenv.AggregateClusterRoles(ctx, c); err != nil {
			t.Fatal(err)
		}
		createNamespace(ctx, t, c, "tenant")
		sac := newClient(t, asSA)
		subjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "flux-applier", Namespace: "tenant"}}
		ref := func(role string) rbacv1.RoleRef {
			return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
		}
		for _, tc := range []struct {
			obj     client.Object
			allowed bool
		}{
			{&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "applier", Namespace: "tenant"}, RoleRef: ref("admin"), Subjects: subjects}, true},
			{&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "applier"}, RoleRef: ref("cluster-admin"), Subjects: subjects}, true},
			{&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "applier-edit", Namespace: "tenant"}, RoleRef: ref("edit"), Subjects: subjects}, false},
			{&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "applier-view"}, RoleRef: ref("view"), Subjects: subjects}, false},
		} {
			// As above: what must be allowed is listed first.
			var err error
			_, _ = eventually(ctx, tc.allowed, func() (bool, error) {
				err = sac.Create(ctx, tc.obj.DeepCopyObject().(client.Object), client.DryRunAll)
				return err == nil, nil
			})
			switch {
			case tc.allowed && err != nil:
				t.Errorf("%T %s: %v", tc.obj, tc.obj.GetName(), err)
			case !tc.allowed && !apierrors.IsForbidden(err):
				t.Errorf("%T %s: want Forbidden, got %v", tc.obj, tc.obj.GetName(), err)
			}
		}
	})

	// Leader election as controller-runtime runs it: client-go's Lease lock
	// with a core v1 event recorder, released on exit.
	t.Run("leader election", func(t *testing.T) {
		cs := kubernetes.NewForConfigOrDie(asSA)
		broadcaster := record.NewBroadcaster()
		defer broadcaster.Shutdown()
		broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
		lock, err := resourcelock.New(resourcelock.LeasesResourceLock, ns, "fluxconfig-controller-leader-election",
			cs.CoreV1(), cs.CoordinationV1(), resourcelock.ResourceLockConfig{
				Identity:      "chart-test",
				EventRecorder: broadcaster.NewRecorder(clientgoscheme.Scheme, corev1.EventSource{Component: "chart-test"}),
			})
		if err != nil {
			t.Fatal(err)
		}
		leading := make(chan struct{})
		lctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			leaderelection.RunOrDie(lctx, leaderelection.LeaderElectionConfig{
				Lock: lock, ReleaseOnCancel: true,
				LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: time.Second,
				Callbacks: leaderelection.LeaderCallbacks{
					OnStartedLeading: func(context.Context) { close(leading) },
					OnStoppedLeading: func() {},
				},
			})
		}()
		select {
		case <-leading:
		case <-time.After(30 * time.Second):
			t.Error("the ServiceAccount did not become leader")
		}
		stop()
		<-done

		admin := kubernetes.NewForConfigOrDie(cfg)
		var lease *coordinationv1.Lease
		if lease, err = admin.CoordinationV1().Leases(ns).Get(ctx, "fluxconfig-controller-leader-election", metav1.GetOptions{}); err != nil {
			t.Fatal(err)
		}
		if h := lease.Spec.HolderIdentity; h != nil && *h != "" {
			t.Errorf("the lease was not released: held by %s", *h)
		}
		err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 15*time.Second, true, func(ctx context.Context) (bool, error) {
			evs, err := admin.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, err
			}
			for _, e := range evs.Items {
				if e.Reason == "LeaderElection" && e.Source.Component == "chart-test" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Errorf("no LeaderElection event recorded in %s: %v", ns, err)
		}
	})
}

// eventually calls allowed until it returns true, for up to 10 seconds, when
// retry is set (RBAC changes reach the authorizer through an informer), or
// once when it is not. It returns the last answer.
func eventually(ctx context.Context, retry bool, allowed func() (bool, error)) (bool, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := allowed()
		if err != nil || ok || !retry || time.Now().After(deadline) {
			return ok, err
		}
		select {
		case <-ctx.Done():
			return ok, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

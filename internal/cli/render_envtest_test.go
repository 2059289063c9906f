package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/apply"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	fcctrl "github.com/fluxconfig-controller/fluxconfig-controller/internal/controller"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
)

// renderCase is one FluxConfig (and its protected parameters) that the
// controller and render must turn into the same objects.
type renderCase struct {
	fc        *v1alpha1.FluxConfig
	protected map[string]string
}

// TestRenderMatchesTheController applies FluxConfigs to a test control
// plane where the controller runs in-process with its default options, and
// checks that every object render prints exists there with the same
// spec, data, labels, annotations and ownerReferences. Server-set metadata
// and fields the API server defaults are not compared.
func TestRenderMatchesTheController(t *testing.T) {
	ctx, c, _ := startControllerEnv(t)
	for _, rc := range renderCases() {
		t.Run(rc.fc.Namespace+"/"+rc.fc.Name, func(t *testing.T) {
			live := applyCase(ctx, t, c, rc)
			var protected *corev1.Secret
			if ref := live.Spec.ProtectedParametersSecretRef; ref != nil {
				protected = &corev1.Secret{StringData: rc.protected}
			}
			objs, err := renderObjects(live, protected, builder.Options{
				MultiTenancy: defaultMultiTenancy, ClusterScopeNamespaces: splitList(defaultClusterScopeNamespaces),
			})
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			for _, obj := range objs {
				assertLiveMatches(ctx, t, c, obj)
			}
		})
	}
}

func renderCases() []renderCase {
	dur := func(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }
	fc := func(ns, name string, spec v1alpha1.FluxConfigSpec) *v1alpha1.FluxConfig {
		return &v1alpha1.FluxConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	}
	git := func(url string) *v1alpha1.GitRepositoryDefinition {
		return &v1alpha1.GitRepositoryDefinition{URL: url, RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"}}
	}
	tutorial := []v1alpha1.KustomizationDefinition{
		{Name: "infra", Path: "./infrastructure", Prune: true},
		{Name: "apps", Path: "./apps/staging", Prune: true, DependsOn: []string{"infra"}},
	}
	https := git("https://git.example.com/team/deploy.git")
	https.HTTPSUser, https.HTTPSCACert, https.SyncInterval = "deploy-bot", "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n", dur(time.Minute)
	ref := func(name string) *v1alpha1.LocalObjectReference {
		return &v1alpha1.LocalObjectReference{Name: name + "-protected"}
	}
	return []renderCase{
		{fc: fc("cluster-config", "cluster-config", v1alpha1.FluxConfigSpec{Scope: "cluster", GitRepository: git("https://github.com/Azure/gitops-flux2-kustomize-helm-mt"), Kustomizations: tutorial})},
		{fc: fc("team-a", "deploy", v1alpha1.FluxConfigSpec{Scope: "namespace", GitRepository: https, ProtectedParametersSecretRef: ref("deploy"),
			Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "app", Path: "./app", Force: true, RetryInterval: dur(30 * time.Second),
				PostBuild: &v1alpha1.PostBuildDefinition{Substitute: map[string]string{"env": "dev"}}}}}),
			protected: map[string]string{v1alpha1.ProtectedHTTPSKey: "fake-token"}},
		{fc: fc("team-a", "edge", v1alpha1.FluxConfigSpec{Scope: "namespace", SourceKind: v1alpha1.SourceKindBucket, ProtectedParametersSecretRef: ref("edge"),
			Bucket:         &v1alpha1.BucketDefinition{URL: "http://minio.example.com:9000", BucketName: "edge", AccessKey: "reader"},
			Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "edge", Path: "./"}}}),
			protected: map[string]string{v1alpha1.ProtectedBucketSecretKey: "fake-secret"}},
		{fc: fc("cluster-config", "blob", v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindAzureBlob, ProtectedParametersSecretRef: ref("blob"),
			AzureBlob: &v1alpha1.AzureBlobDefinition{URL: "https://st.blob.core.windows.net", ContainerName: "cfg",
				ServicePrincipal: &v1alpha1.ServicePrincipalDefinition{ClientID: "client", TenantID: "tenant"}},
			Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "cfg"}}}),
			protected: map[string]string{v1alpha1.ProtectedClientSecret: "fake-client-secret"}},
		{fc: fc("cluster-config", "shop", v1alpha1.FluxConfigSpec{SourceKind: v1alpha1.SourceKindOCIRepository, ProtectedParametersSecretRef: ref("shop"),
			OCIRepository: &v1alpha1.OCIRepositoryDefinition{URL: "oci://registry.example.com/shop", RepositoryRef: &v1alpha1.OCIRepositoryRefDefinition{Tag: "1.0.0"},
				TLSConfig: &v1alpha1.TLSConfigDefinition{ClientCertificate: "fake-cert", CACertificate: "fake-ca"}},
			Kustomizations: []v1alpha1.KustomizationDefinition{{Name: "shop", Wait: new(false)}}}),
			protected: map[string]string{v1alpha1.ProtectedTLSPrivateKey: "fake-key"}},
	}
}

// startControllerEnv starts the test control plane with this project's
// and Flux's CRDs, and the controller with its default options. It
// returns a client and the path of a kubeconfig for the command's
// --kubeconfig.
func startControllerEnv(t *testing.T) (ctx context.Context, c client.Client, kubeconfig string) {
	t.Helper()
	log.SetLogger(zap.New(zap.WriteTo(testWriter{t}), zap.UseDevMode(true)))
	own, err := testenv.CRDs()
	if err != nil {
		t.Fatal(err)
	}
	flux, err := testenv.FluxCRDs()
	if err != nil {
		t.Fatal(err)
	}
	env, cfg, err := testenv.Start(own, flux)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(func() {
		cancel()
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme(), Metrics: metricsserver.Options{BindAddress: "0"},
		Cache: fcctrl.CacheOptions(nil), Controller: config.Controller{SkipNameValidation: new(true)}})
	if err != nil {
		t.Fatal(err)
	}
	r := &fcctrl.FluxConfigReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(),
		Builder:        builder.Options{MultiTenancy: defaultMultiTenancy, ClusterScopeNamespaces: splitList(defaultClusterScopeNamespaces)},
		ResyncInterval: 10 * time.Minute, RetryInterval: 2 * time.Second}
	if err := r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: 2}); err != nil {
		t.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()
	if c, err = client.New(cfg, client.Options{Scheme: scheme()}); err != nil {
		t.Fatal(err)
	}
	return ctx, c, writeKubeconfig(t, env)
}

// writeKubeconfig writes a kubeconfig of a cluster admin of env.
func writeKubeconfig(t *testing.T, env *envtest.Environment) string {
	t.Helper()
	user, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// applyCase creates the namespace, the protected parameters and the
// FluxConfig, and returns the FluxConfig as the API server stored it.
func applyCase(ctx context.Context, t *testing.T, c client.Client, rc renderCase) *v1alpha1.FluxConfig {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rc.fc.Namespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if ref := rc.fc.Spec.ProtectedParametersSecretRef; ref != nil {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: rc.fc.Namespace, Name: ref.Name}, StringData: rc.protected}
		if err := c.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		if err := c.Update(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	fc := rc.fc.DeepCopy()
	if err := c.Create(ctx, fc); err != nil {
		t.Fatal(err)
	}
	return fc
}

// assertLiveMatches waits until the controller created want, then compares.
func assertLiveMatches(ctx context.Context, t *testing.T, c client.Client, want runtime.Object) {
	t.Helper()
	desired, err := runtime.DefaultUnstructuredConverter.ToUnstructured(want)
	if err != nil {
		t.Fatal(err)
	}
	delete(desired, "status")
	delete(desired["metadata"].(map[string]any), "creationTimestamp")
	u := &unstructured.Unstructured{Object: desired}
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	ref := fmt.Sprintf("%s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKeyFromObject(u), live)
		return err == nil, client.IgnoreNotFound(err)
	})
	if err != nil {
		t.Fatalf("%s: the controller did not create it: %v", ref, err)
	}
	// The API server defaults what render prints as it defaulted what the
	// controller applied: a dry-run create of a copy gives render's object
	// as stored, to compare field for field.
	dry := u.DeepCopy()
	dry.SetName(u.GetName() + "-render")
	if err := c.Create(ctx, dry, client.DryRunAll); err != nil {
		t.Fatalf("%s: the API server refuses render's object: %v", ref, err)
	}
	for _, field := range []string{"spec", "data", "type", "roleRef", "subjects"} {
		if !equality.Semantic.DeepEqual(dry.Object[field], live.Object[field]) {
			t.Errorf("%s: %s differs from render:\n--- render\n%v\n--- controller\n%v", ref, field, dry.Object[field], live.Object[field])
		}
	}
	if !equality.Semantic.DeepEqual(dry.GetOwnerReferences(), live.GetOwnerReferences()) {
		t.Errorf("%s: ownerReferences differ from render:\n%v\n%v", ref, dry.GetOwnerReferences(), live.GetOwnerReferences())
	}
	liveAnn := live.GetAnnotations()
	delete(liveAnn, apply.HashAnnotation) // the applier's bookkeeping, not the builder's
	if !equality.Semantic.DeepEqual(dry.GetLabels(), live.GetLabels()) || len(dry.GetAnnotations()) != len(liveAnn) ||
		(len(liveAnn) > 0 && !equality.Semantic.DeepEqual(dry.GetAnnotations(), liveAnn)) {
		t.Errorf("%s: labels or annotations differ from render:\n%v %v\n%v %v", ref, dry.GetLabels(), dry.GetAnnotations(), live.GetLabels(), liveAnn)
	}
}

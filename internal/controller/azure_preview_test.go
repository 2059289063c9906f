package controller

import (
	"context"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// fields is an additionalConfigurations object: keys and their JSON.
func fields(kv map[string]string) v1alpha1.AdditionalConfigurations {
	out := v1alpha1.AdditionalConfigurations{Fields: map[string]apiextensionsv1.JSON{}}
	for k, v := range kv {
		out.Fields[k] = apiextensionsv1.JSON{Raw: []byte(v)}
	}
	return out
}

func gitExtra(kv map[string]string) *v1alpha1.GitRepositoryAdditionalConfigurations {
	return &v1alpha1.GitRepositoryAdditionalConfigurations{AdditionalConfigurations: fields(kv)}
}

func ksExtra(kv map[string]string) *v1alpha1.KustomizationAdditionalConfigurations {
	return &v1alpha1.KustomizationAdditionalConfigurations{AdditionalConfigurations: fields(kv)}
}

const (
	testClientID = "9d2c439a-3b52-4a08-b64f-1d5f3e0d537e"
	testTenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testAKS      = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/staging"
)

func remoteKustomization(fc *v1alpha1.FluxConfig) {
	fc.Spec.Kustomizations[1].KubeConfig = &v1alpha1.KubeConfigDefinition{
		ClusterResourceID:   testAKS,
		ObjectLevelIdentity: v1alpha1.ObjectLevelIdentityDefinition{ClientID: testClientID, TenantID: testTenantID},
	}
}

// startShard runs a manager of its own, named name, for the FluxConfigs
// labeled shardLabel=value, with the given options, until the returned
// stop is called; stop waits until it has stopped.
func startShard(value, name string, opts builder.Options) func() {
	shard, err := labels.Parse(shardLabel + "=" + value)
	Expect(err).NotTo(HaveOccurred())
	c, stop := context.WithCancel(suiteCtx)
	counter := startManager(c, cfg, shard, opts, name)
	return func() {
		stop()
		Eventually(counter.done, timeout).Should(BeClosed(), "the %s manager stops", name)
	}
}

// updateFC changes a FluxConfig, retrying on conflicts with the controller.
func updateFC(ns, name string, change func(*v1alpha1.FluxConfig)) {
	EventuallyWithOffset(1, func() error {
		fc := getFC(ns, name)
		change(fc)
		return k8sClient.Update(ctx(), fc)
	}, timeout, interval).Should(Succeed())
}

var _ = Describe("Fields of Azure's 2026-07-01-preview model", func() {
	It("keeps every additionalConfigurations key through the API server and merges them into the Flux objects", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "extra")
		fc.Spec.GitRepository.SparseCheckout = []string{"infrastructure", "apps"}
		fc.Spec.GitRepository.AdditionalConfigurations = gitExtra(map[string]string{
			"recurseSubmodules": `true`,
			"include":           `[{"repository":{"name":"shared"},"toPath":"shared"}]`,
		})
		fc.Spec.Kustomizations[1].AdditionalConfigurations = ksExtra(map[string]string{
			"targetNamespace": `"podinfo"`,
			"decryption":      `{"provider":"sops","secretRef":{"name":"sops-age"}}`,
			"patches":         `[{"patch":"- op: add\n  path: /metadata/labels/team\n  value: a","target":{"kind":"Deployment"}}]`,
		})
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		stored := getFC(ns, "extra")
		Expect(stored.Spec.GitRepository.AdditionalConfigurations.Fields).To(HaveLen(2), "the API server keeps the free-form keys")
		Expect(stored.Spec.Kustomizations[1].AdditionalConfigurations.Fields).To(HaveKey("decryption"))

		repo := &sourcev1.GitRepository{}
		eventuallyGet(repo, ns, "extra")
		Expect(repo.Spec.SparseCheckout).To(Equal([]string{"infrastructure", "apps"}))
		Expect(repo.Spec.RecurseSubmodules).To(BeTrue())
		Expect(repo.Spec.Include).To(HaveLen(1))
		Expect(repo.Spec.Include[0].GitRepositoryRef.Name).To(Equal("shared"))
		Expect(repo.Spec.URL).To(Equal(fc.Spec.GitRepository.URL), "the typed fields stay")

		apps := &kustomizev1.Kustomization{}
		eventuallyGet(apps, ns, "extra-apps")
		Expect(apps.Spec.TargetNamespace).To(Equal("podinfo"))
		Expect(apps.Spec.Decryption).To(Equal(&kustomizev1.Decryption{Provider: "sops", SecretRef: &meta.LocalObjectReference{Name: "sops-age"}}))
		Expect(apps.Spec.Patches).To(HaveLen(2))
		Expect(apps.Spec.Patches[0]).To(Equal(builder.ManagedSourcePatch(stored)), "the managed-source patch stays first")
		Expect(apps.Spec.Patches[1].Target.Kind).To(Equal("Deployment"))
		Expect(apps.Spec.ServiceAccountName).To(Equal(builder.ApplierServiceAccount))
	})

	It("stalls naming a key Flux's API does not have, which admission cannot see", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "typo")
		fc.Spec.GitRepository.AdditionalConfigurations = gitExtra(map[string]string{"recurseSubmodule": `true`})
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "typo"), timeout, interval).Should(HaveField("ErrorMessage",
			Equal(`spec.gitRepository.additionalConfigurations.recurseSubmodule: does not fit the spec of Flux's GitRepository (source.toolkit.fluxcd.io/v1): unknown field "recurseSubmodule"`)))
		st := fcStatus(ns, "typo")()
		Expect(testkit.Condition(st, meta.ReadyCondition).Reason).To(Equal("InvalidConfiguration"))
		Expect(testkit.Condition(st, meta.StalledCondition).Status).To(Equal(metav1.ConditionTrue))
	})

	It("stalls as Rejected, naming the key and Flux's complaint, when the Flux CRD refuses the merged object", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "rejected")
		fc.Spec.Kustomizations[0].AdditionalConfigurations = ksExtra(map[string]string{"deletionPolicy": `"Sometimes"`})
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "rejected"), timeout, interval).Should(HaveField("ErrorMessage", And(
			HavePrefix("the API server refused Kustomization "+ns+"/rejected-infra: spec.kustomizations[infra].additionalConfigurations.deletionPolicy: Flux's CRD refuses it: "),
			ContainSubstring(`spec.deletionPolicy: Unsupported value: "Sometimes"`))))
		st := fcStatus(ns, "rejected")()
		Expect(testkit.Condition(st, meta.ReadyCondition).Reason).To(Equal("Rejected"))
		Expect(testkit.Condition(st, meta.StalledCondition).Status).To(Equal(metav1.ConditionTrue))
		Expect(st.ComplianceState).To(Equal(v1alpha1.ComplianceNonCompliant))

		By("recovering when the value is fixed")
		updateFC(ns, "rejected", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.Kustomizations[0].AdditionalConfigurations = ksExtra(map[string]string{"deletionPolicy": `"Orphan"`})
		})
		ks := &kustomizev1.Kustomization{}
		Eventually(func() string {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "rejected-infra"}, ks)
			return ks.Spec.DeletionPolicy
		}, timeout, interval).Should(Equal("Orphan"))
		Eventually(fcStatus(ns, "rejected"), timeout, interval).Should(HaveField("ErrorMessage", BeEmpty()))
	})

	It("creates, owns and prunes the ServiceAccount of an objectLevelIdentity, and uses a named one as it is", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "wi")
		fc.Spec.GitRepository.URL = "https://dev.azure.com/contoso/app-team/_git/cluster-config"
		fc.Spec.GitRepository.ObjectLevelIdentity = &v1alpha1.ObjectLevelIdentityDefinition{ClientID: testClientID, TenantID: testTenantID}
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		fc = getFC(ns, "wi")

		sa := &corev1.ServiceAccount{}
		eventuallyGet(sa, ns, "wi-gitrepository")
		expectOwnedChild(sa, fc)
		Expect(sa.Annotations).To(And(
			HaveKeyWithValue(builder.WorkloadIdentityClientIDAnnotation, testClientID),
			HaveKeyWithValue(builder.WorkloadIdentityTenantIDAnnotation, testTenantID)))
		repo := &sourcev1.GitRepository{}
		eventuallyGet(repo, ns, "wi")
		Expect(repo.Spec.Provider).To(Equal("azure"))
		Expect(repo.Spec.ServiceAccountName).To(Equal("wi-gitrepository"))

		By("removing the tenant ID removes its annotation")
		updateFC(ns, "wi", func(fc *v1alpha1.FluxConfig) { fc.Spec.GitRepository.ObjectLevelIdentity.TenantID = "" })
		Eventually(func() map[string]string {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "wi-gitrepository"}, sa)
			return sa.Annotations
		}, timeout, interval).ShouldNot(HaveKey(builder.WorkloadIdentityTenantIDAnnotation))
		Expect(sa.Annotations).To(HaveKeyWithValue(builder.WorkloadIdentityClientIDAnnotation, testClientID))

		By("naming an existing ServiceAccount: the generated one is pruned and the named one used")
		updateFC(ns, "wi", func(fc *v1alpha1.FluxConfig) {
			fc.Spec.GitRepository.ObjectLevelIdentity.ServiceAccountName = "team-reader"
		})
		eventuallyGone(&corev1.ServiceAccount{}, ns, "wi-gitrepository")
		Eventually(func() string {
			_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "wi"}, repo)
			return repo.Spec.ServiceAccountName
		}, timeout, interval).Should(Equal("team-reader"))
		Consistently(func() error {
			return k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "team-reader"}, &corev1.ServiceAccount{})
		}, "1s", interval).ShouldNot(Succeed(), "a named ServiceAccount is never created")
	})

	It("points a kustomization at a remote AKS cluster through a generated kubeConfig ConfigMap", func() {
		ns := newNamespace("fc-")
		fc := tutorialConfig(ns, "remote")
		remoteKustomization(fc)
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		fc = getFC(ns, "remote")

		cm := &corev1.ConfigMap{}
		eventuallyGet(cm, ns, "remote-apps-kubeconfig")
		expectOwnedChild(cm, fc)
		Expect(cm.Data).To(Equal(map[string]string{"provider": "azure", "cluster": testAKS, "serviceAccountName": "remote-apps-kubeconfig"}))
		sa := &corev1.ServiceAccount{}
		eventuallyGet(sa, ns, "remote-apps-kubeconfig")
		Expect(sa.Annotations).To(HaveKeyWithValue(builder.WorkloadIdentityClientIDAnnotation, testClientID))
		apps := &kustomizev1.Kustomization{}
		eventuallyGet(apps, ns, "remote-apps")
		Expect(apps.Spec.KubeConfig.ConfigMapRef.Name).To(Equal("remote-apps-kubeconfig"))
		Expect(apps.Spec.ServiceAccountName).To(BeEmpty(), "the local applier does not exist on the remote cluster")

		By("removing the kubeConfig prunes the ConfigMap and its ServiceAccount")
		updateFC(ns, "remote", func(fc *v1alpha1.FluxConfig) { fc.Spec.Kustomizations[1].KubeConfig = nil })
		eventuallyGone(&corev1.ConfigMap{}, ns, "remote-apps-kubeconfig")
		eventuallyGone(&corev1.ServiceAccount{}, ns, "remote-apps-kubeconfig")
	})

	It("refuses a remote cluster under scope namespace unless the operator allows it", func() {
		ns := newNamespace("tenant-")
		fc := tutorialConfig(ns, "tenant-remote")
		fc.Spec.Scope = v1alpha1.ScopeNamespace
		remoteKustomization(fc)
		Expect(k8sClient.Create(ctx(), fc)).To(Succeed())
		Eventually(fcStatus(ns, "tenant-remote"), timeout, interval).Should(HaveField("ErrorMessage", And(
			HavePrefix("spec.kustomizations[apps].kubeConfig: applies to another cluster"),
			ContainSubstring("--allow-remote-clusters-in-namespace-scope=true"))))
		Expect(k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "tenant-remote-apps-kubeconfig"}, &corev1.ConfigMap{})).NotTo(Succeed())

		By("a controller started with --allow-remote-clusters-in-namespace-scope applies it")
		opts := suiteOptions
		opts.AllowRemoteClustersInNamespaceScope = true
		stop := startShard("remote", "fluxconfig-remote", opts)
		defer stop()
		allowed := tutorialConfig(ns, "allowed-remote")
		allowed.Labels = map[string]string{shardLabel: "remote"}
		allowed.Spec.Scope = v1alpha1.ScopeNamespace
		remoteKustomization(allowed)
		Expect(k8sClient.Create(ctx(), allowed)).To(Succeed())
		eventuallyGet(&corev1.ConfigMap{}, ns, "allowed-remote-apps-kubeconfig")
		Eventually(fcStatus(ns, "allowed-remote"), timeout, interval).Should(HaveField("ProvisioningState", v1alpha1.ProvisioningSucceeded))
	})

	It("forwards reconcile.fluxcd.io/requestedAt to the source and the Kustomizations (sync now)", func() {
		ns := newNamespace("fc-")
		Expect(k8sClient.Create(ctx(), tutorialConfig(ns, "sync"))).To(Succeed())
		eventuallyGet(&kustomizev1.Kustomization{}, ns, "sync-apps")
		requested := time.Now().UTC().Format(time.RFC3339Nano)
		updateFC(ns, "sync", func(fc *v1alpha1.FluxConfig) {
			fc.Annotations = map[string]string{meta.ReconcileRequestAnnotation: requested}
		})

		for _, obj := range []client.Object{&sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "sync"}},
			&kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "sync-infra"}},
			&kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "sync-apps"}}} {
			Eventually(func() map[string]string {
				_ = k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: obj.GetName()}, obj)
				return obj.GetAnnotations()
			}, timeout, interval).Should(HaveKeyWithValue(meta.ReconcileRequestAnnotation, requested), obj.GetName())
		}
		Eventually(fcStatus(ns, "sync"), timeout, interval).Should(HaveField("LastHandledReconcileAt", requested))
	})
})

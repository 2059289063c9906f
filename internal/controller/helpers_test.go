package controller

import (
	"context"
	"fmt"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const (
	timeout  = 20 * time.Second
	interval = 100 * time.Millisecond
)

// newNamespace makes a fresh namespace for one test: envtest runs no
// namespace controller, so namespaces are never reused.
func newNamespace(prefix string) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	Expect(k8sClient.Create(ctx(), ns)).To(Succeed())
	return ns.Name
}

func ctx() context.Context { return suiteCtx }

// tutorialConfig is the tutorial's FluxConfig: infra, then apps.
func tutorialConfig(ns, name string) *v1alpha1.FluxConfig {
	return &v1alpha1.FluxConfig{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: v1alpha1.FluxConfigSpec{
			Scope:      v1alpha1.ScopeCluster,
			SourceKind: v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{
				URL:           "https://git.example.com/gitops-flux2-kustomize-helm-mt",
				RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
			},
			Kustomizations: []v1alpha1.KustomizationDefinition{
				{Name: "infra", Path: "./infrastructure", Prune: true},
				{Name: "apps", Path: "./apps/staging", Prune: true, DependsOn: []string{"infra"}},
			},
		},
	}
}

func getFC(ns, name string) *v1alpha1.FluxConfig {
	fc := &v1alpha1.FluxConfig{}
	ExpectWithOffset(1, k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, fc)).To(Succeed())
	return fc
}

// fcStatus polls a FluxConfig's status, for Eventually.
func fcStatus(ns, name string) func() v1alpha1.FluxConfigStatus {
	return func() v1alpha1.FluxConfigStatus {
		fc := &v1alpha1.FluxConfig{}
		if err := k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, fc); err != nil {
			return v1alpha1.FluxConfigStatus{}
		}
		return fc.Status
	}
}

func compliance(ns, name string) func() string {
	return func() string { return fcStatus(ns, name)().ComplianceState }
}

// eventuallyGet waits until obj exists and reads it.
func eventuallyGet(obj client.Object, ns, name string) {
	EventuallyWithOffset(1, func() error {
		return k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, obj)
	}, timeout, interval).Should(Succeed())
}

func eventuallyGone(obj client.Object, ns, name string) {
	EventuallyWithOffset(1, func() bool {
		err := k8sClient.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, obj)
		return client.IgnoreNotFound(err) == nil && err != nil
	}, timeout, interval).Should(BeTrue(), "%T %s/%s should be deleted", obj, ns, name)
}

func ready(status metav1.ConditionStatus, reason, msg string, gen int64) []metav1.Condition {
	return []metav1.Condition{{
		Type: meta.ReadyCondition, Status: status, Reason: reason, Message: msg,
		ObservedGeneration: gen, LastTransitionTime: metav1.Now(),
	}}
}

// The set* helpers write status the way the Flux controllers do.

func setGitRepositoryReady(ns, name, revision string) {
	repo := &sourcev1.GitRepository{}
	eventuallyGet(repo, ns, name)
	EventuallyWithOffset(1, func() error {
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		repo.Status.ObservedGeneration = repo.Generation
		repo.Status.Conditions = ready(metav1.ConditionTrue, meta.SucceededReason, "stored artifact for revision '"+revision+"'", repo.Generation)
		repo.Status.Artifact = &meta.Artifact{
			Path: "gitrepository/x.tar.gz", URL: "http://source-controller/x.tar.gz",
			Revision: revision, Digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
			LastUpdateTime: metav1.Now(),
		}
		return k8sClient.Status().Update(ctx(), repo)
	}, timeout, interval).Should(Succeed())
}

func setKustomization(ns, name string, status metav1.ConditionStatus, reason, msg, revision string, inventory ...string) {
	ks := &kustomizev1.Kustomization{}
	eventuallyGet(ks, ns, name)
	EventuallyWithOffset(1, func() error {
		Expect(k8sClient.Get(ctx(), client.ObjectKeyFromObject(ks), ks)).To(Succeed())
		ks.Status.ObservedGeneration = ks.Generation
		ks.Status.Conditions = ready(status, reason, msg, ks.Generation)
		ks.Status.LastAttemptedRevision = revision
		if status == metav1.ConditionTrue {
			ks.Status.LastAppliedRevision = revision
		}
		if len(inventory) > 0 {
			ks.Status.Inventory = &kustomizev1.ResourceInventory{}
			for _, id := range inventory {
				ks.Status.Inventory.Entries = append(ks.Status.Inventory.Entries, kustomizev1.ResourceRef{ID: id, Version: "v2"})
			}
		}
		return k8sClient.Status().Update(ctx(), ks)
	}, timeout, interval).Should(Succeed())
}

func ksReady(ns, name, revision string, inventory ...string) {
	setKustomization(ns, name, metav1.ConditionTrue, meta.ReconciliationSucceededReason, "Applied revision: "+revision, revision, inventory...)
}

func inventoryID(ns, name, group, kind string) string {
	return fmt.Sprintf("%s_%s_%s_%s", ns, name, group, kind)
}

// createHelmRelease makes a HelmRelease as the Kustomization appliedBy would
// have applied it, with kustomize-controller's labels.
func createHelmRelease(ns, name, appliedBy string) *helmv2.HelmRelease {
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{
			"kustomize.toolkit.fluxcd.io/name": appliedBy, "kustomize.toolkit.fluxcd.io/namespace": ns,
		}},
		Spec: helmv2.HelmReleaseSpec{
			Interval: metav1.Duration{Duration: time.Minute},
			Chart: &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
				Chart:     "./charts/podinfo",
				SourceRef: helmv2.CrossNamespaceObjectReference{Kind: "GitRepository", Name: "cluster-config"},
			}},
		},
	}
	ExpectWithOffset(1, k8sClient.Create(ctx(), hr)).To(Succeed())
	return hr
}

var _ = GinkgoWriter

// eventReasons lists the reasons of the events about a FluxConfig.
func eventReasons(ns, name string) []string {
	var list eventsv1.EventList
	Expect(k8sClient.List(ctx(), &list, client.InNamespace(ns))).To(Succeed())
	var reasons []string
	for _, e := range list.Items {
		if e.Regarding.Kind == "FluxConfig" && e.Regarding.Name == name {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

func protectedSecret(ns, name string, data map[string]string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, StringData: data}
}

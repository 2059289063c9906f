package e2e

import (
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/kinds"
)

func key(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }

func createNamespace(name string) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	Expect(client.IgnoreAlreadyExists(k8s.Create(ctx, ns))).To(Succeed())
}

// fluxConfig returns a Git FluxConfig in ns with the given kustomizations.
func fluxConfig(ns, name, scope, url string, ks ...v1alpha1.KustomizationDefinition) *v1alpha1.FluxConfig {
	return &v1alpha1.FluxConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.FluxConfigSpec{
			Scope:      scope,
			SourceKind: v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{
				URL:           url,
				RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"},
				SyncInterval:  &metav1.Duration{Duration: 5e9},
				Timeout:       &metav1.Duration{Duration: 20e9},
			},
			Kustomizations: ks,
		},
	}
}

// kustomization is one spec.kustomizations entry that prunes, retried
// every 5 s so failures and fixes show quickly.
func kustomization(name, path string, dependsOn ...string) v1alpha1.KustomizationDefinition {
	return v1alpha1.KustomizationDefinition{
		Name: name, Path: path, Prune: true, DependsOn: dependsOn,
		SyncInterval:  &metav1.Duration{Duration: 10e9},
		RetryInterval: &metav1.Duration{Duration: 5e9},
		Timeout:       &metav1.Duration{Duration: 60e9},
	}
}

// status polls a FluxConfig's status.
func status(ns, name string) func() v1alpha1.FluxConfigStatus {
	return func() v1alpha1.FluxConfigStatus {
		fc := &v1alpha1.FluxConfig{}
		if err := k8s.Get(ctx, key(ns, name), fc); err != nil {
			return v1alpha1.FluxConfigStatus{ErrorMessage: "get: " + err.Error()}
		}
		return fc.Status
	}
}

func compliance(st v1alpha1.FluxConfigStatus) string { return st.ComplianceState }

func HaveCompliance(state string) OmegaMatcher {
	return WithTransform(compliance, Equal(state))
}

func readyMessage(conds []metav1.Condition) string {
	if c := apimeta.FindStatusCondition(conds, meta.ReadyCondition); c != nil {
		return c.Reason + ": " + c.Message
	}
	return "no Ready condition"
}

func gone(obj client.Object) func() bool {
	return func() bool {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return apierrors.IsNotFound(err)
	}
}

// goneOrTerminating: without kube-controller-manager a deleted Namespace
// stays Terminating, which is all Flux can do.
func goneOrTerminating(name string) func() bool {
	return func() bool {
		ns := &corev1.Namespace{}
		err := k8s.Get(ctx, key("", name), ns)
		return apierrors.IsNotFound(err) || ns.DeletionTimestamp != nil
	}
}

// dump prints every FluxConfig's status and the Ready condition of every
// object of a Flux kind (internal/kinds): what a user would look at after
// a failure. No Secret is read.
func dump(ctx context.Context) {
	var fcs v1alpha1.FluxConfigList
	if err := k8s.List(ctx, &fcs); err == nil {
		for _, fc := range fcs.Items {
			st, _ := yaml.Marshal(fc.Status)
			GinkgoWriter.Printf("--- FluxConfig %s/%s\n%s", fc.Namespace, fc.Name, st)
		}
	}
	var b strings.Builder
	for _, k := range kinds.All {
		if !k.Flux() {
			continue
		}
		l := k.NewList()
		if k8s.List(ctx, l) != nil {
			continue
		}
		items, _ := apimeta.ExtractList(l)
		for _, item := range items {
			o, ok := item.(interface {
				client.Object
				GetConditions() []metav1.Condition
			})
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "%s %s/%s: %s\n", k.GVK.Kind, o.GetNamespace(), o.GetName(), readyMessage(o.GetConditions()))
		}
	}
	GinkgoWriter.Print(b.String())
}

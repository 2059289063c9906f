package fault

import (
	"encoding/json"
	"fmt"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// expectQuiet checks that, for window, the controller writes nothing in
// the namespaces and no FluxConfig there changes: what it reported stays
// reported, without churn, through retries and a resync.
func expectQuiet(window time.Duration, namespaces ...string) {
	rvs := func() map[string]string {
		out := map[string]string{}
		for _, ns := range namespaces {
			var list v1alpha1.FluxConfigList
			Expect(k8s.List(bg(), &list, client.InNamespace(ns))).To(Succeed())
			for _, fc := range list.Items {
				out[id(&fc)] = fc.ResourceVersion
			}
		}
		return out
	}
	settle(namespaces...)
	before := rvs()
	from := time.Now()
	ConsistentlyWithOffset(1, rvs, window, 500*time.Millisecond).Should(Equal(before), "FluxConfig resourceVersions")
	writes, err := controllerWrites(pl.auditLog, writeFilter{from: from, namespaces: namespaces})
	Expect(err).NotTo(HaveOccurred())
	ExpectWithOffset(1, writes).To(BeEmpty(), "the controller wrote while nothing changed:\n%s", summarize(writes, 20))
}

// settleQuiet is how long the controller must have written nothing for
// its last reaction to be over. It must exceed the longest delay the
// controller puts on a write on purpose: a status whose details moved
// within a second of its last write is written a second after that write
// (internal/controller's detailInterval), and its events are written
// asynchronously. With a quiet second only, that deferred status write
// could land just after settle returned, inside the window expected quiet
// (seen once in CI, on a busy machine, after the fight).
const settleQuiet = 3 * time.Second

// settle waits until the controller has written nothing in the namespaces
// for settleQuiet, so a quiet window starts after its last reaction. A
// controller that never stops writing fails here.
func settle(namespaces ...string) { settleWithin(20*time.Second, namespaces...) }

// settleWithin is settle with a longer patience.
func settleWithin(patience time.Duration, namespaces ...string) {
	EventuallyWithOffset(1, func() time.Duration { return sinceLastWrite(namespaces...) }, patience).
		Should(BeNumerically(">=", settleQuiet), func() string {
			w, err := controllerWrites(pl.auditLog, writeFilter{from: time.Now().Add(-20 * time.Second), namespaces: namespaces})
			Expect(err).NotTo(HaveOccurred())
			return "the controller keeps writing; its writes of the last 20 s:\n" + summarize(w, 20)
		})
}

// eventCount counts the occurrences of events about a FluxConfig.
func eventCount(fc *v1alpha1.FluxConfig) int {
	var list eventsv1.EventList
	Expect(k8s.List(bg(), &list, client.InNamespace(fc.Namespace))).To(Succeed())
	n := 0
	for _, e := range list.Items {
		if e.Regarding.Kind != "FluxConfig" || e.Regarding.Name != fc.Name {
			continue
		}
		if e.Series != nil && e.Series.Count > 1 {
			n += int(e.Series.Count)
		} else {
			n++
		}
	}
	return n
}

func kustomizationsExist(fc *v1alpha1.FluxConfig) []string {
	var p []string
	for _, k := range fc.Spec.Kustomizations {
		name := fc.Name + "-" + k.Name
		err := k8s.Get(bg(), client.ObjectKey{Namespace: fc.Namespace, Name: name}, &kustomizev1.Kustomization{})
		if !apierrors.IsNotFound(err) {
			p = append(p, fmt.Sprintf("Kustomization %s/%s exists (%v)", fc.Namespace, name, err))
		}
	}
	return p
}

// leaksIn looks for every planted secret value in the controller's log and
// in what a user or another tenant reads in the namespaces: events,
// FluxConfigs, the generated objects, and the metadata of the Secrets.
func leaksIn(namespaces ...string) []string {
	logs, err := ctrlProc.logText()
	Expect(err).NotTo(HaveOccurred())
	found := planted.leaks("the controller's log", logs)
	lists := []client.ObjectList{
		&eventsv1.EventList{}, &v1alpha1.FluxConfigList{}, &sourcev1.GitRepositoryList{}, &sourcev1.BucketList{},
		&sourcev1.OCIRepositoryList{}, &kustomizev1.KustomizationList{}, &corev1.ServiceAccountList{}, &rbacv1.RoleBindingList{},
	}
	for _, ns := range namespaces {
		for _, list := range lists {
			Expect(k8s.List(bg(), list, client.InNamespace(ns))).To(Succeed())
			data, err := json.Marshal(list)
			Expect(err).NotTo(HaveOccurred())
			found = append(found, planted.leaks(fmt.Sprintf("%T in %s", list, ns), string(data))...)
		}
		var secrets corev1.SecretList
		Expect(k8s.List(bg(), &secrets, client.InNamespace(ns))).To(Succeed())
		for _, s := range secrets.Items {
			data, err := json.Marshal(s.ObjectMeta)
			Expect(err).NotTo(HaveOccurred())
			found = append(found, planted.leaks("the metadata of Secret "+ns+"/"+s.Name, string(data))...)
		}
	}
	return found
}

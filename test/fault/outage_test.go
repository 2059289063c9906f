package fault

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const (
	outageConfigs = 100
	// Three of every five configs use a generated SSH key: 60 of 100.
	outageOutages = 2
	outageLength  = 10 * time.Second
	// outageAfter is the longest wait for the next share of keys before an
	// outage: client-go's reflectors back off for up to a minute after
	// kube-apiserver returns, and the outage does not wait for them.
	outageAfter = 20 * time.Second
)

var _ = Describe("kube-apiserver outage", func() {
	It("keeps every generated key and converges without a restart when kube-apiserver stops twice mid-rollout", func() {
		Expect(ctrlProc.ensureRunning()).To(Succeed())
		nsA, nsB := newNamespace(trustedPrefix+"outage-", nil), newNamespace(trustedPrefix+"outage-", nil)
		createCredentials(nsA)
		createCredentials(nsB)
		DeferCleanup(deleteConfigs, nsA, nsB)
		DeferCleanup(pl.ensureUp) // runs first
		f := outageFleet(nsA, nsB)
		generated, generatedIDs := f.generated()
		keys.track(generated...)
		pid := ctrlProc.pid()

		By(fmt.Sprintf("creating %d FluxConfigs, %d with a generated key", outageConfigs, len(generatedIDs)))
		for _, fc := range f.configs {
			Expect(k8s.Create(bg(), fc.DeepCopy())).To(Succeed())
		}
		before, lengths := outagesDuringRollout(generatedIDs)

		By("the same controller process converges")
		Eventually(func() []string { return fleetProblems(f, convergedProblems, nsA, nsB) }, 3*time.Minute).Should(BeEmpty())
		Expect(ctrlProc.pid()).To(Equal(pid), "the controller converged only after it was restarted")
		Expect(fleetProblems(f, ownChildren, nsA, nsB)).To(BeEmpty())

		By("no generated key changed: not in the auth Secrets, not in the status, at no moment")
		after := storedKeys(generatedIDs)
		var replaced []string
		for k, v := range before {
			if after[k] != v {
				replaced = append(replaced, k)
			}
		}
		n, changes := keys.changed(generatedIDs)
		AddReportEntry("kube-apiserver outages", fmt.Sprintf("%d outages (%s from stop to serving again), %d FluxConfigs of which %d with a generated key; "+
			"%d configs published more than one key (at most %d keys on one), %d of %d auth Secrets stored before an outage were replaced; %d status versions carried an error",
			outageOutages, strings.Join(lengths, ", "), outageConfigs, len(generatedIDs), n, keys.distinctKeys(generatedIDs), len(replaced), len(before), keys.errors(nsA, nsB)))
		Expect(replaced).To(BeEmpty(), "%d of %d auth Secrets stored before an outage hold another key after it", len(replaced), len(before))
		Expect(changes).To(BeEmpty(), "%d of %d generated keys changed after being published (at most %d keys on one config)", n, len(generatedIDs), keys.distinctKeys(generatedIDs))
		Expect(keys.problems(nsA, nsB)).To(BeEmpty(), "every status version read during the run is coherent")
	})
})

// outageFleet: 100 configs over two namespaces, three of every five with a
// generated SSH key, the others HTTPS with credentials.
func outageFleet(nsA, nsB string) *fleet {
	f := &fleet{}
	for i := range outageConfigs {
		ns, scope, kind := nsA, v1alpha1.ScopeNamespace, httpsWithCredentials
		if i%2 == 1 {
			ns, scope = nsB, v1alpha1.ScopeCluster
		}
		if i%5 < 3 {
			kind = generatedSSHKey
		}
		f.add(gitConfig(ns, fmt.Sprintf("outage-%03d", i), kind, scope), kind)
	}
	return f
}

// outagesDuringRollout stops kube-apiserver for outageLength, outageOutages
// times, each once a further share of the keys is out (or after
// outageAfter). It returns the first key each auth Secret stored before an
// outage, and how long each outage lasted.
func outagesDuringRollout(ids []string) (map[string]string, []string) {
	var lengths []string
	before := map[string]string{}
	for o := range outageOutages {
		share := (o + 1) * len(ids) / (outageOutages + 1)
		By(fmt.Sprintf("outage %d: stopping kube-apiserver for %s once %d keys are out (or after %s)", o+1, outageLength, share, outageAfter))
		waitFrom := time.Now()
		Eventually(func() bool {
			return keys.published(ids) >= share || time.Since(waitFrom) > outageAfter
		}, 2*outageAfter).Should(BeTrue())
		for k, v := range storedKeys(ids) {
			if _, ok := before[k]; !ok {
				before[k] = v
			}
		}
		stopped := time.Now()
		Expect(pl.stopAPIServer()).To(Succeed())
		pause(context.Background(), outageLength)
		Expect(pl.startAPIServer()).To(Succeed())
		lengths = append(lengths, time.Since(stopped).Round(100*time.Millisecond).String())
	}
	return before, lengths
}

// storedKeys reads the auth Secrets of the configs ids (namespace/name)
// that exist: public key and a digest of the private key, by config.
func storedKeys(ids []string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		ns, name, _ := strings.Cut(id, "/")
		s := &corev1.Secret{}
		if err := k8s.Get(bg(), client.ObjectKey{Namespace: ns, Name: name + "-auth"}, s); err != nil {
			continue
		}
		out[id] = fmt.Sprintf("%s %x", strings.TrimSpace(string(s.Data["identity.pub"])), sha256.Sum256(s.Data["identity"]))
	}
	return out
}

// deleteConfigs deletes every FluxConfig of the namespaces and waits until
// the controller has released them, so later specs run on a quiet
// controller.
func deleteConfigs(namespaces ...string) {
	for _, ns := range namespaces {
		Expect(k8s.DeleteAllOf(bg(), &v1alpha1.FluxConfig{}, client.InNamespace(ns))).To(Succeed())
	}
	Eventually(func() int {
		n := 0
		for _, ns := range namespaces {
			var list v1alpha1.FluxConfigList
			Expect(k8s.List(bg(), &list, client.InNamespace(ns))).To(Succeed())
			n += len(list.Items)
		}
		return n
	}, 2*time.Minute).Should(BeZero())
}

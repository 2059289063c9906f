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
	outageOutages = 3
	outageLength  = 10 * time.Second
	// outageKeys is how many keys of a wave are out when kube-apiserver
	// stops: the rest of the wave is generated as it comes back, while the
	// controller's informers are still behind. outageAfter is the longest
	// wait for them: after an outage client-go's informers back off for up
	// to a minute, and the next outage does not wait for them.
	outageKeys  = 5
	outageAfter = 15 * time.Second
)

var _ = Describe("kube-apiserver outage", func() {
	It("keeps every generated key and converges without a restart when kube-apiserver stops three times mid-rollout", func() {
		Expect(ctrlProc.ensureRunning()).To(Succeed())
		nsA, nsB := newNamespace(trustedPrefix+"outage-", nil), newNamespace(trustedPrefix+"outage-", nil)
		createCredentials(nsA)
		createCredentials(nsB)
		DeferCleanup(deleteConfigs, nsA, nsB)
		DeferCleanup(pl.ensureUp) // runs first
		f := outageFleet(nsA, nsB)
		generated, generatedIDs := f.generated()
		keys.track(generated...)
		pollCtx, stopPolling := context.WithCancel(context.Background())
		DeferCleanup(stopPolling)
		keys.poll(pollCtx, k8s, nsA, nsB)
		pid := ctrlProc.pid()

		before, lengths := outagesDuringRollout(f)
		back := time.Now()

		By("the same controller process converges")
		Eventually(func() []string { return fleetProblems(f, convergedProblems, nsA, nsB) }, 3*time.Minute).Should(BeEmpty())
		Expect(ctrlProc.pid()).To(Equal(pid), "the controller converged only after it was restarted")
		plantGeneratedKeys(generatedIDs)
		Expect(fleetProblems(f, ownChildren, nsA, nsB)).To(BeEmpty())
		By("and then stops writing: client-go's informers catch up within about a minute")
		settleWithin(90*time.Second, nsA, nsB)
		quiet := time.Since(back).Round(time.Second)

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
			"%d configs published more than one key (at most %d keys on one), %d of %d auth Secrets stored before an outage were replaced, "+
			"%d writes of an auth Secret after its first; %d status versions carried an error; quiet again %s after kube-apiserver came back",
			outageOutages, strings.Join(lengths, ", "), outageConfigs, len(generatedIDs), n, keys.distinctKeys(generatedIDs), len(replaced), len(before),
			rewrites(generatedIDs), keys.errors(nsA, nsB), quiet))
		GinkgoWriter.Printf("the errors the status showed meanwhile, most frequent first:\n%s\n", strings.Join(keys.topMessages(5, nsA, nsB), "\n"))
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

// outagesDuringRollout creates the fleet in outageOutages waves and stops
// kube-apiserver for outageLength once outageKeys keys of a wave are out (or
// after outageAfter). It returns the first key each auth Secret stored
// before an outage, and how long each outage lasted.
func outagesDuringRollout(f *fleet) (map[string]string, []string) {
	var lengths []string
	before := map[string]string{}
	_, all := f.generated()
	for o := range outageOutages {
		wave := &fleet{kinds: f.kinds}
		for i, fc := range f.configs {
			if i*outageOutages/len(f.configs) == o {
				wave.configs = append(wave.configs, fc)
				Expect(k8s.Create(bg(), fc.DeepCopy())).To(Succeed())
			}
		}
		_, ids := wave.generated()
		By(fmt.Sprintf("wave %d: %d FluxConfigs (%d with a generated key) created, kube-apiserver stops for %s once %d of their keys are out",
			o+1, len(wave.configs), len(ids), outageLength, outageKeys))
		waitFrom := time.Now()
		Eventually(func() bool {
			return keys.published(ids) >= outageKeys || time.Since(waitFrom) > outageAfter
		}, 2*outageAfter).Should(BeTrue())
		for k, v := range storedKeys(all) {
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

// plantGeneratedKeys plants the private keys in the auth Secrets of ids,
// so that the suite looks for them in the controller's log.
func plantGeneratedKeys(ids []string) {
	for _, id := range ids {
		ns, name, _ := strings.Cut(id, "/")
		s := &corev1.Secret{}
		if k8s.Get(bg(), client.ObjectKey{Namespace: ns, Name: name + "-auth"}, s) == nil && len(s.Data["identity"]) > 0 {
			planted.addKey("the generated private key of "+id, s.Data["identity"])
		}
	}
}

// rewrites counts, from the audit log, the controller's writes of the auth
// Secrets of ids after the first write of each.
func rewrites(ids []string) int {
	n := 0
	for _, id := range ids {
		ns, name, _ := strings.Cut(id, "/")
		w, err := controllerWrites(pl.auditLog, writeFilter{namespaces: []string{ns}, resource: "secrets", name: name + "-auth"})
		Expect(err).NotTo(HaveOccurred())
		n += max(0, len(w)-1)
	}
	return n
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

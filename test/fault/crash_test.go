package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const (
	crashConfigs = 40
	crashKills   = 10
	// crashDeleteKills kills during the deletion of crashDeletes configs.
	crashDeletes     = 30
	crashDeleteKills = 6
)

var _ = Describe("Crash", func() {
	It("leaves exactly the expected children and every generated key after SIGKILLs during rollout and deletion", func() {
		Expect(ctrlProc.ensureRunning()).To(Succeed())
		seed := GinkgoRandomSeed()
		rng := rand.New(rand.NewPCG(uint64(seed), 8))
		By(fmt.Sprintf("random kill moments from seed %d (ginkgo --seed=%d repeats them)", seed, seed))
		nsA, nsB := newNamespace(trustedPrefix+"crash-", nil), newNamespace(trustedPrefix+"crash-", nil)
		createCredentials(nsA)
		createCredentials(nsB)
		DeferCleanup(deleteConfigs, nsA, nsB)
		f := crashFleet(nsA, nsB)
		generated, generatedIDs := f.generated()
		keys.track(generated...)
		pollCtx, stopPolling := context.WithCancel(context.Background())
		DeferCleanup(stopPolling)
		keys.poll(pollCtx, k8s, nsA, nsB)

		By(fmt.Sprintf("creating %d FluxConfigs while the controller is SIGKILLed %d times", crashConfigs, crashKills))
		created := paced(f.configs, rng, 30, 270, func(fc *v1alpha1.FluxConfig) {
			Expect(k8s.Create(bg(), fc.DeepCopy())).To(Succeed())
		})
		killAtRandom(crashKills, rng)
		Eventually(created, 2*time.Minute).Should(BeClosed())

		By("the restarted controller converges to exactly the expected children")
		Eventually(func() []string { return fleetProblems(f, convergedProblems, nsA, nsB) }, 2*time.Minute).Should(BeEmpty())
		Eventually(func() []string { return fleetProblems(f, ownChildren, nsA, nsB) }, 30*time.Second).Should(BeEmpty())
		n, changes := keys.changed(generatedIDs)
		Expect(changes).To(BeEmpty(), "%d of %d generated keys changed after being published", n, len(generatedIDs))
		Expect(keys.published(generatedIDs)).To(Equal(len(generatedIDs)))
		plantGeneratedKeys(generatedIDs)

		By(fmt.Sprintf("deleting %d of them while the controller is SIGKILLed %d times", crashDeletes, crashDeleteKills))
		// All of nsA (its shared ServiceAccount must go too), part of nsB.
		inB := f.in(nsB)
		doomed := append(f.in(nsA), inB[:crashDeletes-crashConfigs/2]...)
		kept := &fleet{configs: inB[crashDeletes-crashConfigs/2:], kinds: f.kinds}
		deleted := paced(doomed, rng, 20, 180, func(fc *v1alpha1.FluxConfig) {
			Expect(k8s.Delete(bg(), fc.DeepCopy())).To(Succeed())
		})
		killAtRandom(crashDeleteKills, rng)
		Eventually(deleted, time.Minute).Should(BeClosed())
		Eventually(func() []string { return stillThere(doomed) }, 2*time.Minute).Should(BeEmpty(), "the finalizer of every deleted FluxConfig is released")
		Eventually(func() []string { return fleetProblems(kept, ownChildren, nsA, nsB) }, time.Minute).
			Should(BeEmpty(), "nothing of the deleted configs remains, the others keep theirs")
		Expect(fleetProblems(kept, convergedProblems, nsA, nsB)).To(BeEmpty())
		_, changes = keys.changed(generatedIDs)
		Expect(changes).To(BeEmpty())
		AddReportEntry("kills survived", fmt.Sprintf("%d during the creation of %d FluxConfigs, %d during the deletion of %d (seed %d)",
			crashKills, crashConfigs, crashDeleteKills, crashDeletes, seed))
	})
})

// crashFleet is a mix over two namespaces: HTTPS with credentials,
// generated SSH key and public HTTPS, scope namespace and cluster.
func crashFleet(nsA, nsB string) *fleet {
	f := &fleet{}
	for i := range crashConfigs {
		ns, scope := nsA, v1alpha1.ScopeNamespace
		if i%2 == 1 {
			ns = nsB
		}
		if i%4 >= 2 {
			scope = v1alpha1.ScopeCluster
		}
		kind := configKind(i % 3)
		f.add(gitConfig(ns, fmt.Sprintf("crash-%02d", i), kind, scope), kind)
	}
	return f
}

// ownChildren checks the children of a fleet's configs in ns; the
// protected parameters Secret is the test's own.
func ownChildren(f *fleet, ns string) []string {
	return childrenProblems(f, ns, map[string]bool{protectedName: true})
}

// fleetProblems runs check on each namespace.
func fleetProblems(f *fleet, check func(*fleet, string) []string, namespaces ...string) []string {
	var p []string
	for _, ns := range namespaces {
		p = append(p, check(f, ns)...)
	}
	return p
}

// stillThere lists the configs that still exist.
func stillThere(fcs []*v1alpha1.FluxConfig) []string {
	var left []string
	for _, fc := range fcs {
		if _, err := getConfig(fc.Namespace, fc.Name); !apierrors.IsNotFound(err) {
			left = append(left, fmt.Sprintf("%s still exists (%v)", id(fc), err))
		}
	}
	return left
}

// killAtRandom SIGKILLs the controller n times, each at a random moment
// 0.2 to 2.5 s after it was (re)started (some before its caches sync, some
// in the middle of a pass), and starts it again each time.
func killAtRandom(n int, rng *rand.Rand) {
	for range n {
		pause(context.Background(), time.Duration(200+rng.IntN(2300))*time.Millisecond)
		ctrlProc.kill()
		Expect(ctrlProc.start()).To(Succeed())
	}
}

// paced runs action on each config in the background, minMs to
// minMs+spreadMs milliseconds apart (drawn from rng now, so the seed alone
// decides them), and closes the returned channel when done.
func paced(fcs []*v1alpha1.FluxConfig, rng *rand.Rand, minMs, spreadMs int, action func(*v1alpha1.FluxConfig)) chan struct{} {
	gaps := make([]time.Duration, len(fcs))
	for i := range gaps {
		gaps[i] = time.Duration(minMs+rng.IntN(spreadMs)) * time.Millisecond
	}
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		for i, fc := range fcs {
			pause(context.Background(), gaps[i])
			action(fc)
		}
	}()
	return done
}

package fault

import (
	"fmt"
	"reflect"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

const (
	fightConfigs = 3
	// The other writer acts every 200 ms for 10 s.
	fightTicks = 50
	fightEvery = 200 * time.Millisecond
	// fighter is the other writer's field manager.
	fighter = "fault-fighter"
)

var _ = Describe("Two writers", func() {
	It("restores what another field manager edits and deletes, without a hot loop", func() {
		Expect(ctrlProc.ensureRunning()).To(Succeed())
		ns := newNamespace(trustedPrefix+"fight-", nil)
		createCredentials(ns)
		DeferCleanup(deleteConfigs, ns)
		f := &fleet{}
		for i := range fightConfigs {
			fc := gitConfig(ns, fmt.Sprintf("fight-%d", i), httpsWithCredentials, v1alpha1.ScopeNamespace)
			f.add(fc, httpsWithCredentials)
			Expect(k8s.Create(bg(), fc.DeepCopy())).To(Succeed())
		}
		Eventually(func() []string { return append(convergedProblems(f, ns), ownChildren(f, ns)...) }, time.Minute).Should(BeEmpty())
		credentials := authSecretData(ns, f.configs[0].Name)

		By(fmt.Sprintf("another field manager changes a Kustomization's path, deletes an auth Secret and changes a GitRepository's URL every %s, %d times", fightEvery, fightTicks))
		from := time.Now()
		edits := fightFor(f)
		to := time.Now()

		By("everything is restored")
		Eventually(func() []string { return append(convergedProblems(f, ns), ownChildren(f, ns)...) }, 30*time.Second).Should(BeEmpty())
		for _, fc := range f.configs {
			// Compared as a bool: a failure must not print the credentials.
			Expect(reflect.DeepEqual(authSecretData(ns, fc.Name), credentials)).To(BeTrue(), "the auth Secret of %s holds the credentials again", fc.Name)
		}

		By("the controller's writes during the fight are bounded")
		writes, err := controllerWrites(pl.auditLog, writeFilter{from: from, to: to, namespaces: []string{ns}})
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("writes during a fight", fmt.Sprintf("%d controller write requests against %d edits and deletions by another field manager in %s",
			len(writes), edits, to.Sub(from).Round(100*time.Millisecond)))
		GinkgoWriter.Printf("controller writes during the fight:\n%s\n", summarize(writes, 20))
		Expect(writes).NotTo(BeEmpty(), "the audit log shows the controller undoing the other writer")
		// Each foreign edit is one change to undo: one apply (or one create
		// for a deleted Secret), plus at most one event (a Secret created
		// again) and one status write (the status quotes the generation of
		// an edited child). A hot loop, a pass that wakes itself or retries
		// without backoff, is bounded only by the API server's latency
		// (controller-runtime turns client-side rate limiting off): hundreds
		// of writes a second, thousands in the fight. Three writes per edit
		// is what an honest controller needs at most, and far below that.
		Expect(len(writes)).To(BeNumerically("<=", 3*edits+10), summarize(writes, 20))

		By("once the fight is over, the controller is quiet through a resync")
		expectQuiet(6*time.Second, ns)
	})
})

// fightFor makes the other writer's edits on the fleet's children, one
// config per tick, and returns how many it made.
func fightFor(f *fleet) int {
	other := client.WithFieldOwner(k8s, fighter)
	edits := 0
	ticker := time.NewTicker(fightEvery)
	defer ticker.Stop()
	for i := range fightTicks {
		<-ticker.C
		edits += fight(other, f.configs[i%len(f.configs)], i)
	}
	return edits
}

// fight makes the other writer's three edits on one config's children and
// returns how many it made (a Secret already deleted is not one).
func fight(c client.Client, fc *v1alpha1.FluxConfig, i int) int {
	n := 0
	ks := &kustomizev1.Kustomization{}
	Expect(k8s.Get(bg(), client.ObjectKey{Namespace: fc.Namespace, Name: fc.Name + "-apps"}, ks)).To(Succeed())
	base := ks.DeepCopy()
	ks.Spec.Path = fmt.Sprintf("./fought/%d", i)
	Expect(c.Patch(bg(), ks, client.MergeFrom(base))).To(Succeed())
	n++
	err := c.Delete(bg(), &corev1.Secret{ObjectMeta: objectMeta(fc.Namespace, fc.Name+"-auth")})
	Expect(client.IgnoreNotFound(err)).To(Succeed())
	if err == nil {
		n++
	}
	repo := &sourcev1.GitRepository{}
	Expect(k8s.Get(bg(), client.ObjectKey{Namespace: fc.Namespace, Name: fc.Name}, repo)).To(Succeed())
	base2 := repo.DeepCopy()
	repo.Spec.URL = fmt.Sprintf("https://fought.example.com/%d", i)
	Expect(c.Patch(bg(), repo, client.MergeFrom(base2))).To(Succeed())
	return n + 1
}

// authSecretData reads the data of a config's auth Secret, nil if absent.
func authSecretData(ns, name string) map[string][]byte {
	s := &corev1.Secret{}
	if err := k8s.Get(bg(), client.ObjectKey{Namespace: ns, Name: name + "-auth"}, s); err != nil {
		return nil
	}
	return s.Data
}

// sinceLastWrite is how long ago the controller last wrote in the
// namespaces ("" for cluster-scoped objects).
func sinceLastWrite(namespaces ...string) time.Duration {
	w, err := controllerWrites(pl.auditLog, writeFilter{namespaces: namespaces})
	Expect(err).NotTo(HaveOccurred())
	var last time.Time
	for _, e := range w {
		if e.StageTimestamp.After(last) {
			last = e.StageTimestamp.Time
		}
	}
	return time.Since(last)
}

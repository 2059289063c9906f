package e2e

import (
	"bytes"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/cli"
)

// fluxconfig runs the fluxconfig command in-process against the suite's
// cluster, as a user would with --kubeconfig.
func fluxconfig(args ...string) (stdout string, code int) {
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code = cli.Execute(append(args, "--kubeconfig", env.Kubeconfig), streams, cli.Version{Version: "e2e"})
	GinkgoWriter.Printf("$ fluxconfig %s\n%s%s(exit %d)\n", strings.Join(args, " "), out.String(), errOut.String(), code)
	return out.String(), code
}

// expectCLIExplainsBrokenCommit is called by the tutorial's broken-commit
// spec while infra fails to build and apps waits for it: get, tree and
// why show it the way a user needs to see it.
func expectCLIExplainsBrokenCommit(ns, name string) {
	By("fluxconfig why: the chain, root cause last, with the fix")
	Eventually(func(g Gomega) {
		out, code := fluxconfig("why", "-n", ns, name)
		g.Expect(code).To(Equal(cli.ExitFindings))
		g.Expect(out).To(ContainSubstring("FluxConfig " + ns + "/" + name + " is Non-Compliant:"))
		g.Expect(out).To(ContainSubstring("apps waits for infra; infra failed: kustomize build failed"))
		g.Expect(out).To(ContainSubstring("Fix: a manifest or kustomization.yaml under the kustomization's path does not build"))
	}).Should(Succeed())

	By("fluxconfig tree: the source, each Kustomization with its state, and what infra applied")
	Eventually(func(g Gomega) {
		out, code := fluxconfig("tree", "-n", ns, name)
		g.Expect(code).To(Equal(cli.ExitOK))
		g.Expect(out).To(MatchRegexp(`(?m)^├── GitRepository ` + ns + `/` + name + `  Compliant  main@sha1:`))
		g.Expect(out).To(MatchRegexp(`(?m)^├── Kustomization ` + ns + `/` + name + `-infra  Non-Compliant  .*kustomize build failed`))
		g.Expect(out).To(MatchRegexp(`(?m)^│   [├└]── HelmRelease ` + ns + `/nginx  Compliant`))
		// A Kustomization shows the revision it last applied: the commit
		// before the broken one. Flux words the wait in more than one way.
		g.Expect(out).To(MatchRegexp(`(?m)^└── Kustomization ` + ns + `/` + name + `-apps  Pending  (main@sha1:\S+  )?dependency '` + ns + `/` + name + `-infra'`))
	}).Should(Succeed())

	By("fluxconfig get -A: one line with the compliance and the first error")
	out, code := fluxconfig("get", "-A")
	Expect(code).To(Equal(cli.ExitOK))
	Expect(out).To(MatchRegexp(`(?m)^` + ns + `\s+` + name + `\s+Non-Compliant\s+main@sha1:\S+\s+false\s+\S+\s+.*kustomize build failed`))
}

// expectCLIReconcilesCompliant asks for an immediate reconciliation of a
// Compliant FluxConfig and waits for the real Flux controllers to handle
// it: the controller records the request and forwards it to the source
// (no --with-source needed) and the Kustomizations.
func expectCLIReconcilesCompliant(ns, name string) {
	By("fluxconfig reconcile: the controller forwards the request, Flux handles it, the FluxConfig stays Compliant")
	out, code := fluxconfig("reconcile", "-n", ns, name, "--timeout", "2m")
	Expect(code).To(Equal(cli.ExitOK), out)
	Expect(out).To(ContainSubstring("✔ FluxConfig " + ns + "/" + name + " handled the request"))
	Expect(out).To(ContainSubstring("✔ GitRepository " + ns + "/" + name + " Compliant main@sha1:"))
	Expect(out).To(ContainSubstring("✔ Kustomization " + ns + "/" + name + "-infra Compliant"))
	Expect(out).To(ContainSubstring("✔ Kustomization " + ns + "/" + name + "-apps Compliant"))
	Expect(out).To(ContainSubstring("FluxConfig " + ns + "/" + name + " is Compliant: nothing blocks it."))

	By("the request reached every Flux object: the value the command set is the one Flux handled")
	fc := &v1alpha1.FluxConfig{}
	Expect(k8s.Get(ctx, key(ns, name), fc)).To(Succeed())
	requested := fc.Annotations[meta.ReconcileRequestAnnotation]
	Expect(requested).NotTo(BeEmpty())
	Expect(fc.Status.LastHandledReconcileAt).To(Equal(requested))
	repo := &sourcev1.GitRepository{}
	Expect(k8s.Get(ctx, key(ns, name), repo)).To(Succeed())
	Expect(repo.Status.LastHandledReconcileAt).To(Equal(requested))
	for _, k := range []string{name + "-infra", name + "-apps"} {
		ks := &kustomizev1.Kustomization{}
		Expect(k8s.Get(ctx, key(ns, k), ks)).To(Succeed())
		Expect(ks.Status.LastHandledReconcileAt).To(Equal(requested), k)
	}
}

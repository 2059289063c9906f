// The end-to-end suite: the real source-, kustomize- and helm-controller
// (built into bin/flux by `make flux`) and this controller's binary run
// against the test control plane, with Git and chart repositories served on
// 127.0.0.1. It proves the tutorial's scenario and its failure paths from
// what a user reads: the FluxConfig's status.
package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/cluster"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/gitserver"
)

var (
	env     *cluster.Cluster
	content *cluster.Content
	k8s     client.Client
	ctx     context.Context
	// stateDir keeps the logs of every process for a failed run.
	stateDir string
	// names resolves *.localhost and *.test to 127.0.0.1 for
	// source-controller, and notes what it refused (no internet here).
	names *cluster.NameProxy
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(90 * time.Second)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	RunSpecs(t, "End-to-end Suite")
}

var _ = BeforeSuite(func() {
	ctx = context.Background()
	root, err := testenv.Root()
	Expect(err).NotTo(HaveOccurred())
	stateDir = os.Getenv("E2E_STATE_DIR")
	if stateDir == "" {
		stateDir = filepath.Join(root, "bin", "e2e")
	}
	Expect(os.RemoveAll(stateDir)).To(Succeed())
	Expect(os.MkdirAll(stateDir, 0o755)).To(Succeed())

	By("building this controller's binary from the working tree")
	manager := filepath.Join(stateDir, "manager")
	Expect(testkit.BuildManager(ctx, manager)).To(Succeed())

	By("serving the tutorial's Git repository and charts")
	content, err = cluster.ServeTutorial(stateDir)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(content.Close)

	By("starting the proxy that takes source-controller to test host names")
	names, err = cluster.ServeNames()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(names.Close)

	fluxBin, err := testenv.Dir("FLUX_BIN", "flux")
	Expect(err).NotTo(HaveOccurred())
	env, err = cluster.Start(cluster.Options{
		StateDir: stateDir,
		FluxBin:  fluxBin,
		Manager:  manager,
		// The tutorial's namespace may hold scope cluster; team-x (scenario 6) may not.
		ManagerArgs: []string{"--cluster-scope-namespaces=cluster-config,fleet", "--log-level=debug"},
		SourceEnv:   names.Env(),
		Progress:    func(s string) { By(s) },
	})
	Expect(err).NotTo(HaveOccurred())
	// Registered after content.Close, so it runs first: processes stop
	// before the servers they use, even when a spec failed.
	DeferCleanup(env.Stop)
	k8s = env.Client
	GinkgoWriter.Printf("logs of every process: %s\n", stateDir)
})

// After a failed spec: what a user would look at, and whether a process died.
var _ = AfterEach(func() {
	if !CurrentSpecReport().Failed() || env == nil {
		return
	}
	if err := env.Check(); err != nil {
		GinkgoWriter.Println(err)
	}
	dump(ctx)
})

// newRepo makes a repository on the suite's Git server with the given files
// and returns its HTTP URL and first commit.
func newRepo(name string, files map[string]string) (*gitserver.Repo, string, string) {
	repo, err := content.Git.CreateRepo(name)
	Expect(err).NotTo(HaveOccurred())
	for p, c := range files {
		Expect(repo.WriteFile(p, c)).To(Succeed())
	}
	sha, err := repo.Commit("initial content")
	Expect(err).NotTo(HaveOccurred())
	return repo, content.GitBase + "/" + name + ".git", sha
}

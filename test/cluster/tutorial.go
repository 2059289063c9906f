package cluster

import (
	"path/filepath"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/chartrepo"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/gitserver"
)

// TutorialCharts are the charts the tutorial's HelmRepositories offer, by
// repository, at versions that match what its HelmReleases ask for.
var TutorialCharts = map[string][]chartrepo.Chart{
	"bitnami":       {{Name: "redis", Version: "17.9.0"}},
	"ingress-nginx": {{Name: "ingress-nginx", Version: "4.10.1"}},
	"podinfo":       {{Name: "podinfo", Version: "6.5.0"}},
}

// HelloChart is the chart that lives in the tutorial's Git repository
// itself, installed through the FluxConfig's managed source.
var HelloChart = chartrepo.Chart{Name: "hello", Version: "0.1.0"}

// Content is the tutorial's Git repository and chart repositories, served
// on 127.0.0.1.
type Content struct {
	Git    *gitserver.Server
	Charts *chartrepo.Server
	Repo   *gitserver.Repo
	// GitURL is the HTTP URL of the repository.
	GitURL string
	// GitBase is the Git server's HTTP base URL, for more repositories.
	GitBase string
	// Commit is the SHA of the first commit on main.
	Commit string
}

// ServeTutorial starts a chart server and a Git server under dir and pushes
// the tutorial's repository (test/testdata/sample-repo, with charts/hello)
// as repository "gitops-flux2-kustomize-helm-mt".
func ServeTutorial(dir string) (c *Content, err error) {
	root, err := testenv.Root()
	if err != nil {
		return nil, err
	}
	c = &Content{}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	if c.Charts, err = chartrepo.Serve(TutorialCharts); err != nil {
		return nil, err
	}
	if c.Git, err = gitserver.New(filepath.Join(dir, "git")); err != nil {
		return nil, err
	}
	if c.GitBase, err = c.Git.Serve(); err != nil {
		return nil, err
	}
	if c.Repo, err = c.Git.CreateRepo("gitops-flux2-kustomize-helm-mt"); err != nil {
		return nil, err
	}
	c.GitURL = c.GitBase + "/" + c.Repo.Name + ".git"
	sample := filepath.Join(root, "test", "testdata", "sample-repo")
	if err := c.Repo.CopyDir(sample, ".", map[string]string{"${CHART_REPO}": c.Charts.URL}); err != nil {
		return nil, err
	}
	for path, content := range HelloChart.Files() {
		if err := c.Repo.WriteFile(filepath.Join("charts", "hello", path), content); err != nil {
			return nil, err
		}
	}
	c.Commit, err = c.Repo.Commit("The tutorial's sample repository")
	return c, err
}

// Close stops the servers.
func (c *Content) Close() {
	if c.Git != nil {
		c.Git.Close()
	}
	if c.Charts != nil {
		c.Charts.Close()
	}
}

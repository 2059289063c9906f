package cli

import "strings"

// fix is one row of the "Root causes and their fixes" table of
// docs/troubleshooting.md: when Flux's message contains match, the fix.
// fixes_test.go keeps this list equal to the table.
type fix struct {
	match, text string
}

var fixes = []fix{
	{"kustomize build failed", "a manifest or kustomization.yaml under the kustomization's path does not build: run `kustomize build` on that path at the commit in sourceSyncedCommitId, fix it and push"},
	{"kustomization path not found", "the path is not in the source at that revision: fix spec.kustomizations[].path, or push the directory"},
	{"authentication required", "the source needs credentials: set httpsUser with httpsKey (or sshPrivateKey) in the protected parameters Secret, or localAuthRef"},
	{"authentication failed", "the credentials were refused: rotate httpsKey or sshPrivateKey in the protected parameters Secret, or fix localAuthRef"},
	{"knownhosts: key is unknown", "the SSH host key is not trusted: put the host's keys in spec.gitRepository.sshKnownHosts"},
	{"couldn't find remote ref", "the branch or tag does not exist: fix spec.gitRepository.repositoryRef, or push it"},
	{"health check failed", "an object the kustomization applied did not become ready within its timeout: the next clause names it; fix that workload, or raise spec.kustomizations[].timeout"},
	{"Helm install failed", "the chart did not install: kubectl describe the HelmRelease and fix its values or chart"},
	{"Helm upgrade failed", "the upgrade failed (and may have been rolled back): kubectl describe the HelmRelease and fix its values or chart"},
	{"chart pull error", "the chart version is not in the chart repository: fix the HelmRelease's chart version or the HelmRepository URL"},
	{"no such host", "the source's host name does not resolve from the cluster: fix the URL, or the cluster's DNS"},
}

// fixFor returns the fix for a root cause, the last clause of a chain,
// or "".
func fixFor(chain string) string {
	clauses := strings.Split(chain, "; ")
	root := clauses[len(clauses)-1]
	for _, f := range fixes {
		if strings.Contains(root, f.match) {
			return f.text
		}
	}
	return ""
}

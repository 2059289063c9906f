package arm

import "regexp"

var (
	// fluxRevision is Flux's artifact revision: [<ref>@]<algo>:<hex>.
	fluxRevision = regexp.MustCompile(`^(?:(.+)@)?(sha1|sha256):([0-9a-f]+)$`)
	// azureRevision is Azure's sourceSyncedCommitId: [<ref>/]<hex>.
	azureRevision = regexp.MustCompile(`^(?:(.+)/)?([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// AzureRevision turns Flux's revision (main@sha1:0a1b...) into the form
// Azure reports in sourceSyncedCommitId (main/0a1b...). A revision
// without a reference (a bucket's sha256:...) becomes the bare digest. What
// is not a Flux revision is returned as it is.
func AzureRevision(flux string) string {
	m := fluxRevision.FindStringSubmatch(flux)
	if len(m) < 4 || !digestLength(m[2], m[3]) {
		return flux
	}
	if m[1] == "" {
		return m[3]
	}
	return m[1] + "/" + m[3]
}

// FluxRevision is the inverse of AzureRevision: main/0a1b... becomes
// main@sha1:0a1b... (sha256 for a 64-digit digest).
func FluxRevision(azure string) string {
	m := azureRevision.FindStringSubmatch(azure)
	if m == nil {
		return azure
	}
	algo := "sha1"
	if len(m[2]) == 64 {
		algo = "sha256"
	}
	if m[1] == "" {
		return algo + ":" + m[2]
	}
	return m[1] + "@" + algo + ":" + m[2]
}

func digestLength(algo, hex string) bool {
	return (algo == "sha1" && len(hex) == 40) || (algo == "sha256" && len(hex) == 64)
}

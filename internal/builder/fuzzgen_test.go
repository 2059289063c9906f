package builder_test

import (
	"strings"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// specGen turns fuzz bytes into a FluxConfig (as the map a user writes):
// each choice takes a byte, and a string is either a value from a pool of
// edge cases or raw bytes from the input, so the fuzzer reaches both the
// limits of every rule and arbitrary text.
type specGen struct{ data []byte }

func (g *specGen) next() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *specGen) intn(n int) int { return int(g.next()) % n }

func (g *specGen) flip() bool { return g.next()&1 == 1 }

// raw takes up to n bytes of the input as a string.
func (g *specGen) raw(n int) string {
	n = min(g.intn(n+1), len(g.data))
	s := string(g.data[:n])
	g.data = g.data[n:]
	return s
}

// pool holds the values of one field: good ones the schema admits, at its
// limits, and bad ones it must refuse.
type pool struct{ good, bad []string }

// str is mostly a good value of the pool, sometimes a bad one, and
// sometimes raw input, so that most generated FluxConfigs are admitted
// and reach the builder while every rule is still crossed.
func (g *specGen) str(p pool) string {
	switch b := g.next() % 64; {
	case b == 0 || len(p.good) == 0:
		return g.raw(80)
	case b <= 2 && len(p.bad) > 0:
		return p.bad[g.intn(len(p.bad))]
	}
	return p.good[g.intn(len(p.good))]
}

// set puts a value under key, one time in two.
func (g *specGen) set(m map[string]any, key string, value func() any) {
	if g.flip() {
		m[key] = value()
	}
}

func values(good ...string) pool { return pool{good: good} }

var (
	long63  = strings.Repeat("a", 61) + "-z"
	long64  = strings.Repeat("a", 62) + "-z"
	long253 = strings.Repeat("r", 63) + "." + strings.Repeat("e", 63) + "." + strings.Repeat("f", 63) + "." + strings.Repeat("s", 61)

	namePool = pool{
		good: []string{"cfg", "a", "infra", "apps", "platform.team-a", "a.b", "a-b", "0", strings.Repeat("k", 31)},
		bad:  []string{long63, long64, "A", "a_b", "-a", "a.", "", "a..b"},
	}
	refPool = pool{
		good: []string{"creds", "a", "a.b", "vars.v1", long253},
		bad:  []string{long253 + "x", "other-ns/secret", "Creds", "a_b", "", "-a", "a.", "ns/"},
	}
	durPool = pool{
		good: []string{"1ms", "59m59s", "59m59.999999999s", "1.5h", "0.99h", "10m", "1500ms", "0.001s", "1.0000001ms", "1h1h", "90s", "2562047h"},
		bad:  []string{"0s", "0ms", "1h", "60m", "0.5ms", "0.999ms", "1h0m0s", "2562048h", "9999999999h", "10 minutes", "1d", "5us", "600", "1e3s"},
	}
	gitURLs = pool{
		good: []string{"https://example.com/org/repo.git", "http://git.local/r", "ssh://git@example.com/org/repo", "git@example.com:org/repo.git", "git@example.com", "git@", "git@host:", "git@a/b:c", "https://", "ssh://"},
		bad:  []string{"ftp://x", ""},
	}
	httpURLs = pool{
		good: []string{"https://s3.example.com", "http://minio:9000/", "https://account.blob.core.windows.net", "http://127.0.0.1:10000/devstoreaccount1", "https://h:1"},
		bad:  []string{"http://", "https://a/b", "s3.example.com", "https://u@h", ""},
	}
	ociURLs   = pool{good: []string{"oci://registry.example.com/org/configs", "oci://", "oci://r/x:tag"}, bad: []string{"https://r/x", ""}}
	refValues = values("main", "v1.0.0", ">=1.0.0", "0123456789abcdef0123456789abcdef01234567", "abcdef1", "HEAD~1", "release/1.x", "*")
	varNames  = pool{good: []string{"cluster", "_x", "Cluster_Name2", "region"}, bad: []string{"cluster-name", "1st", "", "a.b", "é"}}
	plain     = values("x", "fake-value", "-----BEGIN CERTIFICATE-----\nFAKE\n-----END CERTIFICATE-----\n", "00000000-0000-0000-0000-000000000000", "")
)

// fluxConfig generates the object: metadata, scope, one source body (and
// sometimes a second or none), kustomizations and references.
func (g *specGen) fluxConfig() map[string]any {
	spec := map[string]any{}
	g.set(spec, "scope", func() any {
		return g.str(pool{good: []string{v1alpha1.ScopeCluster, v1alpha1.ScopeNamespace}, bad: []string{"global"}})
	})
	kinds := []string{v1alpha1.SourceKindGitRepository, v1alpha1.SourceKindBucket, v1alpha1.SourceKindAzureBlob, v1alpha1.SourceKindOCIRepository}
	kind := kinds[g.intn(len(kinds))]
	spec["sourceKind"] = kind
	g.set(spec, "suspend", func() any { return g.flip() })
	bodies := map[string]func() (string, map[string]any){
		v1alpha1.SourceKindGitRepository: g.gitRepository,
		v1alpha1.SourceKindBucket:        g.bucket,
		v1alpha1.SourceKindAzureBlob:     g.azureBlob,
		v1alpha1.SourceKindOCIRepository: g.ociRepository,
	}
	key, body := bodies[kind]()
	spec[key] = body
	if g.intn(16) == 0 { // a second body, or a wrong one
		key, body = bodies[kinds[g.intn(len(kinds))]]()
		spec[key] = body
	}
	spec["kustomizations"] = g.kustomizations()
	g.set(spec, "protectedParametersSecretRef", func() any { return map[string]any{"name": g.str(refPool)} })
	return map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(),
		"kind":       "FluxConfig",
		"metadata":   map[string]any{"name": g.str(namePool), "namespace": "team-a"},
		"spec":       spec,
	}
}

func (g *specGen) durations(m map[string]any) {
	g.set(m, "syncInterval", func() any { return g.str(durPool) })
	g.set(m, "timeout", func() any { return g.str(durPool) })
}

func (g *specGen) gitRepository() (string, map[string]any) {
	ref := map[string]any{}
	for _, k := range []string{"branch", "tag", "semver", "commit"} {
		if g.intn(3) == 0 {
			ref[k] = g.str(refValues)
		}
	}
	m := map[string]any{"url": g.str(gitURLs), "repositoryRef": ref}
	g.durations(m)
	g.set(m, "sshKnownHosts", func() any { return g.str(plain) })
	g.set(m, "httpsUser", func() any { return g.str(plain) })
	g.set(m, "httpsCACert", func() any { return g.str(plain) })
	g.set(m, "localAuthRef", func() any { return g.str(refPool) })
	g.set(m, "provider", func() any { return g.str(pool{good: []string{"generic", "azure", "github"}, bad: []string{"aws"}}) })
	g.azurePreview(m, true)
	return "gitRepository", m
}

func (g *specGen) bucket() (string, map[string]any) {
	m := map[string]any{"url": g.str(httpURLs), "bucketName": g.str(pool{good: []string{"configs", "a.b-c", long63}, bad: []string{"ab"}})}
	g.durations(m)
	g.set(m, "insecure", func() any { return g.flip() })
	g.set(m, "accessKey", func() any { return g.str(plain) })
	g.set(m, "localAuthRef", func() any { return g.str(refPool) })
	g.azurePreview(m, false)
	return "bucket", m
}

func (g *specGen) azureBlob() (string, map[string]any) {
	m := map[string]any{"url": g.str(httpURLs), "containerName": g.str(pool{good: []string{"configs", long63}, bad: []string{"ab"}})}
	g.durations(m)
	switch g.intn(4) {
	case 0:
		m["servicePrincipal"] = map[string]any{"clientId": g.str(plain), "tenantId": g.str(plain), "clientCertificateSendChain": g.flip()}
	case 1:
		m["managedIdentity"] = map[string]any{"clientId": g.str(plain)}
	case 2:
		m["localAuthRef"] = g.str(refPool)
	}
	g.azurePreview(m, false)
	return "azureBlob", m
}

func (g *specGen) ociRepository() (string, map[string]any) {
	m := map[string]any{"url": g.str(ociURLs)}
	g.durations(m)
	g.set(m, "repositoryRef", func() any {
		ref := map[string]any{}
		g.set(ref, "tag", func() any { return g.str(refValues) })
		g.set(ref, "semver", func() any { return g.str(refValues) })
		g.set(ref, "digest", func() any {
			return g.str(pool{good: []string{"sha256:0123456789abcdef0123456789abcdef"}, bad: []string{"sha256:xyz", ""}})
		})
		return ref
	})
	g.set(m, "layerSelector", func() any {
		return map[string]any{"mediaType": g.str(plain), "operation": g.str(pool{good: []string{"extract", "copy"}, bad: []string{"unpack"}})}
	})
	g.set(m, "verify", func() any {
		v := map[string]any{"provider": g.str(pool{good: []string{"cosign", "notation"}, bad: []string{"gpg"}})}
		g.set(v, "verificationConfigRef", func() any { return g.str(refPool) })
		g.set(v, "matchOidcIdentity", func() any { return []any{map[string]any{"issuer": g.str(plain), "subject": g.str(plain)}} })
		return v
	})
	g.set(m, "insecure", func() any { return g.flip() })
	g.set(m, "useWorkloadIdentity", func() any { return g.flip() })
	g.set(m, "serviceAccountName", func() any { return g.str(refPool) })
	g.set(m, "localAuthRef", func() any { return g.str(refPool) })
	g.set(m, "tlsConfig", func() any { return map[string]any{"clientCertificate": g.str(plain), "caCertificate": g.str(plain)} })
	g.azurePreview(m, false)
	return "ociRepository", m
}

// kustomizations: up to 52 entries (the limit is 50), with dependsOn on
// names of the list (or not), durations, postBuild.
func (g *specGen) kustomizations() []any {
	n := g.intn(6)
	if g.intn(32) == 0 {
		n = 49 + g.intn(4)
	}
	names := make([]string, n)
	out := make([]any, n)
	for i := range n {
		names[i] = g.str(namePool)
		if g.next()%16 != 0 { // else: maybe a duplicate
			names[i] += "-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
	}
	for i := range n {
		k := map[string]any{"name": names[i]}
		g.set(k, "path", func() any { return g.str(values("./apps", "", "/abs", "../up")) })
		g.set(k, "dependsOn", func() any { return []any{names[g.intn(n)]} })
		g.durations(k)
		g.set(k, "retryInterval", func() any { return g.str(durPool) })
		g.set(k, "prune", func() any { return g.flip() })
		g.set(k, "wait", func() any { return g.flip() })
		g.set(k, "postBuild", func() any { return g.postBuild() })
		g.azurePreviewKustomization(k)
		out[i] = k
	}
	return out
}

func (g *specGen) postBuild() map[string]any {
	vars := map[string]any{}
	for range g.intn(3) {
		vars[g.str(varNames)] = g.str(plain)
	}
	from := []any{}
	for range g.intn(3) {
		from = append(from, map[string]any{"kind": g.str(pool{good: []string{"ConfigMap", "Secret"}, bad: []string{"Deployment"}}), "name": g.str(refPool), "optional": g.flip()})
	}
	return map[string]any{"substitute": vars, "substituteFrom": from}
}

// protected generates the protected parameters the controller would read.
func (g *specGen) protected(sshKey []byte) map[string][]byte {
	keys := []string{
		v1alpha1.ProtectedSSHPrivateKey, v1alpha1.ProtectedHTTPSKey, v1alpha1.ProtectedBucketSecretKey,
		v1alpha1.ProtectedClientSecret, v1alpha1.ProtectedClientCertificate, v1alpha1.ProtectedClientCertificatePassword,
		v1alpha1.ProtectedAccountKey, v1alpha1.ProtectedSASToken, v1alpha1.ProtectedTLSPrivateKey,
	}
	p := map[string][]byte{}
	for _, k := range keys {
		if g.intn(4) == 0 {
			p[k] = []byte(g.str(plain))
		}
	}
	if _, ok := p[v1alpha1.ProtectedSSHPrivateKey]; ok && g.flip() {
		p[v1alpha1.ProtectedSSHPrivateKey] = sshKey
	}
	return p
}

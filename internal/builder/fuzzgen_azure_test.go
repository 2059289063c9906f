package builder_test

import (
	"encoding/json"
	"slices"
)

// The fields of Azure's 2026-07-01-preview model, for the fuzz generator:
// every value of these pools is one the builder either turns into objects
// Flux accepts or refuses with a ConfigError. Values only Flux's CRD can
// judge (an enum such as deletionPolicy) are left out: the API server
// answers them, and the FluxConfig stalls as Rejected naming the key.

var (
	guids  = pool{good: []string{"9d2c439a-3b52-4a08-b64f-1d5f3e0d537e", "00000000-0000-0000-0000-000000000000"}, bad: []string{"my-identity", ""}}
	aksIDs = pool{good: []string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks", "/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/a"}, bad: []string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc", "aks"}}
	dirs   = pool{good: []string{"apps", "infrastructure/base", "./apps", "a.b"}, bad: []string{""}}
)

// extraSource are source keys: allowed ones with values Flux's Go types
// take, refused ones, one Flux does not have, one of the wrong JSON type.
var extraSource = map[string][]string{
	"ignore":             {`"*.md"`, `null`},
	"recurseSubmodules":  {`true`, `"yes"`},
	"include":            {`[{"repository":{"name":"shared"},"toPath":"shared"}]`, `"deploy/**"`},
	"proxySecretRef":     {`{"name":"proxy"}`},
	"prefix":             {`"clusters/"`},
	"url":                {`"https://elsewhere.example.com"`},
	"secretRef":          {`{"name":"other"}`},
	"serviceAccountName": {`"default"`},
	"recurseSubmodule":   {`true`},
}

// extraKustomization are Kustomization keys, likewise.
var extraKustomization = map[string][]string{
	"targetNamespace":    {`"team-a"`, `"kube-system"`},
	"decryption":         {`{"provider":"sops","secretRef":{"name":"sops-age"}}`},
	"components":         {`["../components/a"]`, `"../components/a"`},
	"healthChecks":       {`[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","namespace":"kube-system"}]`},
	"patches":            {`[{"patch":"[]","target":{"kind":"Deployment"}}]`},
	"namePrefix":         {`"a-"`},
	"commonMetadata":     {`{"labels":{"team":"a"}}`},
	"sourceRef":          {`{"kind":"GitRepository","name":"x"}`},
	"dependsOn":          {`[{"name":"x"}]`},
	"serviceAccountName": {`"default"`},
	"kubeConfig":         {`{"secretRef":{"name":"remote"}}`},
	"prune":              {`true`},
	"targetNamespaces":   {`"a"`},
}

// extra picks up to three keys of a pool, with one of their values.
func (g *specGen) extra(pool map[string][]string) map[string]any {
	keys := make([]string, 0, len(pool))
	for k := range pool {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]any{}
	for range g.intn(4) {
		k := keys[g.intn(len(keys))]
		var v any
		_ = json.Unmarshal([]byte(pool[k][g.intn(len(pool[k]))]), &v)
		out[k] = v
	}
	return out
}

func (g *specGen) identity() map[string]any {
	id := map[string]any{"clientId": g.str(guids)}
	g.set(id, "tenantId", func() any { return g.str(guids) })
	g.set(id, "serviceAccountName", func() any { return g.str(refPool) })
	return id
}

// azurePreview adds the new source fields to a source body.
func (g *specGen) azurePreview(m map[string]any, git bool) {
	if git {
		g.set(m, "sparseCheckout", func() any { return []any{g.str(dirs), g.str(dirs)} })
	}
	g.set(m, "objectLevelIdentity", func() any { return g.identity() })
	g.set(m, "additionalConfigurations", func() any { return g.extra(extraSource) })
}

// azurePreviewKustomization adds the new kustomization fields.
func (g *specGen) azurePreviewKustomization(k map[string]any) {
	g.set(k, "kubeConfig", func() any {
		return map[string]any{"clusterResourceId": g.str(aksIDs), "objectLevelIdentity": g.identity()}
	})
	g.set(k, "additionalConfigurations", func() any { return g.extra(extraKustomization) })
}

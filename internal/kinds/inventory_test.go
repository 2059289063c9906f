package kinds

import (
	"testing"

	"github.com/fluxcd/cli-utils/pkg/object"
)

// TestParseInventoryIDAgreesWithCLIUtils holds the parser against the one
// kustomize-controller's inventory format comes from.
func TestParseInventoryIDAgreesWithCLIUtils(t *testing.T) {
	ids := []string{
		"apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease",
		"flux-system_flux-system_source.toolkit.fluxcd.io_GitRepository",
		"_cluster-admin-binding_rbac.authorization.k8s.io_ClusterRoleBinding",
		"_system__controller__job_rbac.authorization.k8s.io_ClusterRole",
		"apps_web__Service",
		"_apps__Namespace",
		"team-a_my.dotted.name_kustomize.toolkit.fluxcd.io_Kustomization",
		"nounderscore",
		"ns_name_kind",
		"",
	}
	for _, id := range ids {
		want, wantErr := object.ParseObjMetadata(id)
		got, ok := ParseInventoryID(id)
		if (wantErr == nil) != ok {
			t.Errorf("%q: parsed %v, cli-utils error %v", id, ok, wantErr)
			continue
		}
		if ok && (got.Namespace != want.Namespace || got.Name != want.Name || got.GroupKind != want.GroupKind) {
			t.Errorf("%q: got %+v, cli-utils %+v", id, got, want)
		}
	}
}

package kinds

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// InventoryRef is one entry of a Kustomization's inventory.
type InventoryRef struct {
	Namespace, Name string
	GroupKind       schema.GroupKind
}

// ParseInventoryID reads an id of kustomize-controller's inventory,
// "<namespace>_<name>_<group>_<kind>", the cli-utils ObjMetadata format: a
// ':' of a name (RBAC objects) is written "__", the namespace is empty for
// cluster-scoped objects and the group for the core group. It agrees with
// cli-utils' object.ParseObjMetadata (the test holds them side by side),
// which the controller does not import: that package brings cli-runtime
// and kustomize's kyaml into the binary, megabytes of code that every
// replica would load for a 30-line parser.
func ParseInventoryID(id string) (InventoryRef, bool) {
	ns, rest, ok := strings.Cut(id, "_")
	if !ok {
		return InventoryRef{}, false
	}
	rest, kind, ok := cutLast(rest, "_")
	if !ok || kind == "" {
		return InventoryRef{}, false
	}
	name, group, ok := cutLast(rest, "_")
	if !ok || name == "" {
		return InventoryRef{}, false
	}
	name = strings.ReplaceAll(name, "__", ":")
	return InventoryRef{Namespace: ns, Name: name, GroupKind: schema.GroupKind{Group: group, Kind: kind}}, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

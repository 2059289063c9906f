package builder

import (
	"strings"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// FindCycle returns the names along the first dependsOn cycle, with the first
// name repeated at the end (a -> b -> a), or nil when there is none. The API
// server's CEL rules cannot see cycles, so the controller checks them.
func FindCycle(ks []v1alpha1.KustomizationDefinition) []string {
	deps := make(map[string][]string, len(ks))
	for _, k := range ks {
		deps[k.Name] = k.DependsOn
	}
	const (
		unvisited = iota
		onPath
		done
	)
	state := make(map[string]int, len(ks))
	var path []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = onPath
		path = append(path, n)
		for _, d := range deps[n] {
			if _, known := deps[d]; !known {
				continue
			}
			switch state[d] {
			case onPath:
				for i, p := range path {
					if p == d {
						return append(append([]string{}, path[i:]...), d)
					}
				}
			case unvisited:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, k := range ks {
		if state[k.Name] == unvisited {
			if c := visit(k.Name); c != nil {
				return c
			}
		}
	}
	return nil
}

// Validate reports the problems of a FluxConfig that the schema cannot see
// (a dependsOn cycle), and those that the schema refuses but a FluxConfig
// stored before the rule existed may still have: references to
// kustomizations that do not exist, object names the API server can never
// look up, durations Flux refuses, variable names Flux refuses. Each is a
// *ConfigError: no retry can fix it. The controller calls it before it
// reads anything the FluxConfig refers to.
func Validate(fc *v1alpha1.FluxConfig) error {
	for _, check := range []func(*v1alpha1.FluxConfig) error{validateDependsOn, validateReferences, validateDurations, validateSubstitutions} {
		if err := check(fc); err != nil {
			return err
		}
	}
	return nil
}

func validateDependsOn(fc *v1alpha1.FluxConfig) error {
	names := make(map[string]bool, len(fc.Spec.Kustomizations))
	for _, k := range fc.Spec.Kustomizations {
		names[k.Name] = true
	}
	for _, k := range fc.Spec.Kustomizations {
		for _, d := range k.DependsOn {
			if d == k.Name {
				return configErr("spec.kustomizations["+k.Name+"].dependsOn", "a kustomization cannot depend on itself; remove %s from its dependsOn", k.Name)
			}
			if !names[d] {
				return configErr("spec.kustomizations["+k.Name+"].dependsOn", "%q is not a kustomization of this FluxConfig; dependsOn takes the names of sibling kustomizations", d)
			}
		}
	}
	if c := FindCycle(fc.Spec.Kustomizations); c != nil {
		return configErr("spec.kustomizations", "dependsOn forms a cycle: %s; remove one of these dependencies", strings.Join(c, " -> "))
	}
	return nil
}

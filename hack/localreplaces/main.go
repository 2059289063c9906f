// Command localreplaces reads `go mod edit -json` on stdin and prints, one a
// line, every module that the go.mod requires and replaces with a local
// directory. hack/build-envtest.sh uses it on k8s.io/kubernetes's go.mod:
// those are the staging modules, which a dependency's replaces cannot reach.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// modFile holds the fields of `go mod edit -json` that are read here.
type modFile struct {
	Require []struct{ Path string }
	Replace []struct {
		Old struct{ Path string }
		New struct{ Path, Version string }
	}
}

func main() {
	var mf modFile
	if err := json.NewDecoder(os.Stdin).Decode(&mf); err != nil {
		fmt.Fprintln(os.Stderr, "localreplaces: reading `go mod edit -json` from stdin:", err)
		os.Exit(1)
	}
	for _, path := range localReplaces(mf) {
		fmt.Println(path)
	}
}

// localReplaces returns, sorted, the required modules replaced with a
// directory: a replacement without a version, as go.mod defines it.
func localReplaces(mf modFile) []string {
	required := map[string]bool{}
	for _, r := range mf.Require {
		required[r.Path] = true
	}
	var paths []string
	for _, r := range mf.Replace {
		if r.New.Version == "" && required[r.Old.Path] {
			paths = append(paths, r.Old.Path)
		}
	}
	sort.Strings(paths)
	return paths
}

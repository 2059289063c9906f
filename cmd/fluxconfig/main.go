// Command fluxconfig renders, converts and creates FluxConfigs offline and
// explains them live. Installed as kubectl-fluxconfig it is also a kubectl
// plugin: kubectl fluxconfig get -A.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/cli"
)

// Set at build time with -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(cli.Execute(os.Args[1:], streams, cli.Version{Version: version, Commit: commit}))
}

package testkit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// managerPackage is the controller's main package. Built by import path,
// it builds from any directory of the module: a test's own package
// directory, or the repository root for `go run ./test/scale`.
const managerPackage = "github.com/fluxconfig-controller/fluxconfig-controller/cmd"

// BuildManager builds the controller from the working tree into out, as
// `make build` does: static, with trimmed paths.
func BuildManager(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-o", out, managerPackage) //nolint:gosec // G204: out is where the test wants the binary; the command is fixed
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", managerPackage, err, b)
	}
	return nil
}

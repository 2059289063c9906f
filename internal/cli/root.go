// Package cli is the fluxconfig command: cobra subcommands that share the
// controller's builder and status code, so that what the command says is
// what the controller does.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, for CI.
const (
	ExitOK = 0
	// ExitFindings: the command worked and found something wrong (not
	// Compliant, a blocking chain, a conversion it refuses).
	ExitFindings = 1
	// ExitUsage: the command line is wrong.
	ExitUsage = 2
)

// Version is what `fluxconfig version` prints.
type Version struct {
	Version string
	Commit  string
}

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// errFindings: the command already printed what it found; exit 1.
var errFindings = errors.New("findings")

// Execute runs the command line and returns the process exit code.
func Execute(args []string, streams genericiooptions.IOStreams, v Version) int {
	root := NewRootCommand(streams, v)
	root.SetArgs(groupKustomizationArgs(args))
	cmd, err := root.ExecuteC()
	return exitCode(cmd, err, streams.ErrOut)
}

func exitCode(cmd *cobra.Command, err error, errOut io.Writer) int {
	var usage *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFindings):
		return ExitFindings
	case errors.As(err, &usage) || isCobraUsage(err):
		fmt.Fprintf(errOut, "error: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
		return ExitUsage
	}
	fmt.Fprintf(errOut, "error: %v\n", err)
	return ExitFindings
}

// isCobraUsage recognizes cobra's own complaints about the command line.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "invalid argument", "required flag", "flag needs an argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// NewRootCommand builds the fluxconfig command and its subcommands.
func NewRootCommand(streams genericiooptions.IOStreams, v Version) *cobra.Command {
	root := &cobra.Command{
		Use:   "fluxconfig",
		Short: "Render, validate, convert and create FluxConfigs offline; explain them live",
		Long: `fluxconfig works with the FluxConfig API (clusterconfig.azure.com/v1alpha1).

Offline, it renders the Flux objects the controller would create, validates
FluxConfigs as the API server and the controller would, converts between
Azure's fluxConfigurations resources and FluxConfigs, and creates a
FluxConfig from the flags of 'az k8s-configuration flux create'. Against a
cluster, it lists FluxConfigs, shows what they applied, explains what blocks
them and asks for an immediate reconciliation.

Exit codes: 0 ok, 1 findings (not Compliant, an invalid FluxConfig, a
refused conversion, an error), 2 a wrong command line.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	root.AddCommand(
		newRenderCommand(streams),
		newValidateCommand(streams),
		newConvertCommand(streams),
		newCreateCommand(streams),
		newGetCommand(streams),
		newTreeCommand(streams),
		newWhyCommand(streams),
		newReconcileCommand(streams),
		newVersionCommand(streams, v),
	)
	return root
}

func newVersionCommand(streams genericiooptions.IOStreams, v Version) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(streams.Out, "fluxconfig %s (commit %s)\n", v.Version, v.Commit)
			return err
		},
	}
}

// Argument checks that report a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.Name(), args)
	}
	return nil
}

func oneName(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("%s needs the name of one FluxConfig", cmd.Name())
	}
	return nil
}

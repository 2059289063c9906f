package cli

import (
	"fmt"
	"io"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"

	"github.com/spf13/cobra"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// troubleshootingDoc is where the fixes come from.
const troubleshootingDoc = "docs/troubleshooting.md"

// explanation is what `why` found.
type explanation struct {
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	Compliance string `json:"complianceState"`
	// Chain is what blocks the FluxConfig, root cause last.
	Chain string `json:"chain,omitempty"`
	// Fix is the fix of the root cause, when one is known.
	Fix string `json:"fix,omitempty"`
}

func newWhyCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "why NAME",
		Short: "Explain what keeps a FluxConfig from being Compliant, root cause last",
		Long: `why follows what each Flux object of a FluxConfig waits for, down to the root
cause, and prints the chain (apps waits for infra; infra failed: kustomize
build failed: ...) with the fix from docs/troubleshooting.md where one is
known. It exits 1 when something blocks the FluxConfig, 0 when it is
Compliant.`,
		Example: `  fluxconfig why -n cluster-config cluster-config`,
		Args:    oneName,
	}
	k := addKubeFlags(cmd, true)
	cmd.Flags().StringVarP(&output, "output", "o", "", "json or yaml instead of text")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		obs, err := observeNamed(cmd, k, args[0], output)
		if err != nil {
			return err
		}
		e := explain(obs)
		if err := writeExplanation(streams.Out, e, output, paletteFor(streams.Out)); err != nil {
			return err
		}
		if e.Chain != "" {
			return errFindings
		}
		return nil
	}
	return cmd
}

// explain computes the chain from the live objects with the controller's
// status code. A FluxConfig the controller could not build or apply is
// explained by its own error.
func explain(obs *observation) explanation {
	fc := obs.config
	e := explanation{Name: fc.Name, Namespace: fc.Namespace, Compliance: or(fc.Status.ComplianceState, v1alpha1.ComplianceUnknown)}
	ready := apimeta.FindStatusCondition(fc.Status.Conditions, fluxmeta.ReadyCondition)
	if ready != nil && (ready.Reason == status.InvalidConfigReason || ready.Reason == status.ReconciliationFailedReason) {
		e.Chain = fmt.Sprintf("the controller cannot carry it out: %s", fc.Status.ErrorMessage)
		e.Fix = "see the message's entry in " + troubleshootingDoc
		return e
	}
	if fc.Spec.Suspend {
		return e
	}
	e.Chain = status.Chain(obs.objects)
	e.Fix = fixFor(e.Chain)
	return e
}

func writeExplanation(w io.Writer, e explanation, output string, p palette) error {
	if output != "" {
		return writeObjectsAny(w, e, output)
	}
	ref := e.Namespace + "/" + e.Name
	if e.Chain == "" {
		_, err := fmt.Fprintf(w, "FluxConfig %s is %s: nothing blocks it.\n", ref, p.compliance(e.Compliance))
		return err
	}
	fmt.Fprintf(w, "FluxConfig %s is %s:\n  %s\n", ref, p.compliance(e.Compliance), e.Chain)
	if e.Fix != "" {
		fmt.Fprintf(w, "Fix: %s\n", e.Fix)
	}
	return nil
}

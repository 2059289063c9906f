package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"

	"github.com/spf13/cobra"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// maxMessage bounds a message in a one-line view.
const maxMessage = 120

func newGetCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var allNamespaces bool
	var output string
	cmd := &cobra.Command{
		Use:   "get [NAME]",
		Short: "List FluxConfigs with their compliance, revision, age and first error",
		Long: `get lists FluxConfigs like 'flux get': one line each with its compliance, the
source revision Flux fetched, its age, and the first error.`,
		Example: `  fluxconfig get -A
  fluxconfig get -n cluster-config cluster-config -o yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: nil,
	}
	k := addKubeFlags(cmd, true)
	cmd.Flags().BoolVarP(&allNamespaces, "all-namespaces", "A", false, "list the FluxConfigs of every namespace")
	cmd.Flags().StringVarP(&output, "output", "o", "", "yaml or json instead of the table")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if output != "" {
			if err := checkFormat(output, formatYAML, formatJSON); err != nil {
				return err
			}
		}
		list, err := listConfigs(cmd, k, args, allNamespaces)
		if err != nil {
			return err
		}
		if output != "" {
			objs := make([]runtime.Object, len(list))
			for i := range list {
				objs[i] = &list[i]
			}
			return writeObjects(streams.Out, objs, output)
		}
		return writeTable(streams.Out, list, allNamespaces, paletteFor(streams.Out), time.Now())
	}
	return cmd
}

func listConfigs(cmd *cobra.Command, k *kube, args []string, all bool) ([]v1alpha1.FluxConfig, error) {
	c, err := k.client()
	if err != nil {
		return nil, err
	}
	ns, err := k.namespace()
	if err != nil {
		return nil, err
	}
	if len(args) == 1 {
		fc, err := getConfig(cmd.Context(), c, ns, args[0])
		if err != nil {
			return nil, err
		}
		return []v1alpha1.FluxConfig{*fc}, nil
	}
	var list v1alpha1.FluxConfigList
	var opts []client.ListOption
	if !all {
		opts = append(opts, client.InNamespace(ns))
	}
	if err := c.List(cmd.Context(), &list, opts...); err != nil {
		return nil, fmt.Errorf("listing FluxConfigs: %w", err)
	}
	return list.Items, nil
}

// writeTable prints one line per FluxConfig.
func writeTable(out io.Writer, list []v1alpha1.FluxConfig, withNamespace bool, p palette, now time.Time) error {
	w := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	header := "NAME\tCOMPLIANCE\tREVISION\tSUSPENDED\tAGE\tMESSAGE"
	if withNamespace {
		header = "NAMESPACE\t" + header
	}
	fmt.Fprintln(w, header)
	if len(list) == 0 {
		fmt.Fprintln(w, "(no FluxConfigs)")
	}
	for _, fc := range list {
		row := fmt.Sprintf("%s\t%s\t%s\t%t\t%s\t%s", fc.Name, p.compliance(or(fc.Status.ComplianceState, v1alpha1.ComplianceUnknown)),
			fc.Status.SourceSyncedCommitID, fc.Spec.Suspend, duration.HumanDuration(now.Sub(fc.CreationTimestamp.Time)), oneLine(firstError(&fc)))
		if withNamespace {
			row = fc.Namespace + "\t" + row
		}
		fmt.Fprintln(w, row)
	}
	return w.Flush()
}

// firstError is the FluxConfig's errorMessage, else what its Ready
// condition says when it is not Ready.
func firstError(fc *v1alpha1.FluxConfig) string {
	if fc.Status.ErrorMessage != "" {
		return fc.Status.ErrorMessage
	}
	if c := apimeta.FindStatusCondition(fc.Status.Conditions, fluxmeta.ReadyCondition); c != nil && c.Status != "True" {
		return c.Message
	}
	return ""
}

// oneLine shortens a message to one line of at most maxMessage characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxMessage {
		return string(r[:maxMessage-3]) + "..."
	}
	return s
}

package cli

import (
	"fmt"
	"io"
	"strings"

	fluxmeta "github.com/fluxcd/pkg/apis/meta"

	"github.com/spf13/cobra"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/status"
)

// node is one line of the tree: an object, its compliance and message.
type node struct {
	Object     string  `json:"object"`
	Compliance string  `json:"compliance,omitempty"`
	Revision   string  `json:"revision,omitempty"`
	Message    string  `json:"message,omitempty"`
	Children   []*node `json:"children,omitempty"`
}

func newTreeCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "tree NAME",
		Short: "Show a FluxConfig's source, Kustomizations and what they applied, as a tree",
		Long: `tree reads a FluxConfig's source, each of its Kustomizations and the objects in
their inventories, and shows them as a tree with the compliance of every
Flux object (computed by the controller's own code) and its message.`,
		Example: `  fluxconfig tree -n cluster-config cluster-config`,
		Args:    oneName,
	}
	k := addKubeFlags(cmd, true)
	cmd.Flags().StringVarP(&output, "output", "o", "", "yaml or json instead of the tree")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		obs, err := observeNamed(cmd, k, args[0], output)
		if err != nil {
			return err
		}
		root := buildTree(obs)
		switch output {
		case formatJSON:
			return writeJSON(streams.Out, root)
		case formatYAML:
			b, err := yaml.Marshal(root)
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(b)
			return err
		}
		writeTree(streams.Out, root, "", "", paletteFor(streams.Out))
		return nil
	}
	return cmd
}

// observeNamed checks the output format asked for (empty: the command's
// own), then reads one FluxConfig and its objects.
func observeNamed(cmd *cobra.Command, k *kube, name, output string) (*observation, error) {
	if output != "" {
		if err := checkFormat(output, formatYAML, formatJSON); err != nil {
			return nil, err
		}
	}
	c, err := k.client()
	if err != nil {
		return nil, err
	}
	ns, err := k.namespace()
	if err != nil {
		return nil, err
	}
	fc, err := getConfig(cmd.Context(), c, ns, name)
	if err != nil {
		return nil, err
	}
	return observe(cmd.Context(), c, fc)
}

// buildTree arranges the observation: the FluxConfig, its source, and each
// Kustomization with its inventory.
func buildTree(obs *observation) *node {
	fc := obs.config
	root := &node{Object: fmt.Sprintf("FluxConfig %s/%s", fc.Namespace, fc.Name), Compliance: fc.Status.ComplianceState,
		Revision: fc.Status.SourceSyncedCommitID, Message: firstError(fc)}
	for i, o := range obs.objects {
		if o.AppliedBy != nil {
			break // the applied objects hang under their Kustomization
		}
		n := objectNode(o)
		if i > 0 {
			for _, e := range obs.inventories[o.Name] {
				n.Children = append(n.Children, entryNode(obs, e))
			}
		}
		root.Children = append(root.Children, n)
	}
	return root
}

func objectNode(o status.Object) *node {
	n := &node{Object: o.Ref(), Compliance: status.Compliance(o), Revision: o.Revision}
	for _, t := range []string{fluxmeta.StalledCondition, fluxmeta.ReadyCondition, fluxmeta.ReconcilingCondition} {
		if c := apimeta.FindStatusCondition(o.Conditions, t); c != nil && c.Message != "" {
			n.Message = c.Message
			break
		}
	}
	if !o.Found {
		n.Message = "not found"
	}
	return n
}

// entryNode is an inventory entry: a Flux object with its state, or any
// other object by name.
func entryNode(obs *observation, e entry) *node {
	if o := obs.find(e.Kind, e.Namespace, e.Name); o != nil {
		n := objectNode(*o)
		n.Revision = ""
		return n
	}
	return &node{Object: e.ref()}
}

// writeTree prints the tree with box-drawing branches.
func writeTree(w io.Writer, n *node, prefix, branch string, p palette) {
	line := branch + n.Object
	if n.Compliance != "" {
		line += "  " + p.compliance(n.Compliance)
	}
	if n.Revision != "" {
		line += "  " + n.Revision
	}
	if n.Message != "" {
		line += "  " + oneLine(n.Message)
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
	for i, c := range n.Children {
		last := i == len(n.Children)-1
		b, next := "├── ", "│   "
		if last {
			b, next = "└── ", "    "
		}
		writeTree(w, c, prefix+next, prefix+b, p)
	}
}

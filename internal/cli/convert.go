package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

type convertOptions struct {
	fromARM, toARM, name, namespace, secretName, output string
	withoutSecrets                                      bool
}

func newConvertCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert (--from-arm FILE | --to-arm FILE)",
		Short: "Convert between Azure's fluxConfigurations resources and FluxConfigs",
		Long: `convert --from-arm reads a Microsoft.KubernetesConfiguration/fluxConfigurations
resource (a PUT body or a GET response, api-version 2025-04-01 or
2026-07-01-preview; FILE or - for stdin) and prints the FluxConfig and the
Secrets of its protected settings: base64 values decoded, *InSeconds turned
into durations, the kustomizations map into the list, the status the agent
reported into status. A property FluxConfig cannot hold is an error that
names its ARM path.

convert --to-arm reads a FluxConfig and its Secrets (YAML) and prints the
ARM resource, with the status the Azure agent reports when the FluxConfig
has one.`,
		Example: `  fluxconfig convert --from-arm put-body.json --namespace cluster-config > fc.yaml
  az rest --method get --url ... | fluxconfig convert --from-arm -
  kubectl get fc -n cluster-config cluster-config -o yaml | fluxconfig convert --to-arm - --without-secrets`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			switch {
			case (o.fromARM == "") == (o.toARM == ""):
				return usagef("give exactly one of --from-arm and --to-arm")
			case o.fromARM != "":
				return o.runFromARM(streams)
			}
			return o.runToARM(streams)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fromARM, "from-arm", "", "an ARM resource (JSON file, or - for stdin) to convert to a FluxConfig")
	f.StringVar(&o.toARM, "to-arm", "", "a FluxConfig with its Secrets (YAML file, or - for stdin) to convert to an ARM resource")
	f.StringVar(&o.name, "name", "", "with --from-arm: the FluxConfig's name (default: the resource's name)")
	f.StringVarP(&o.namespace, "namespace", "n", "", "with --from-arm: the FluxConfig's namespace (default: properties.namespace)")
	f.StringVar(&o.secretName, "secret-name", "", "with --from-arm: the protected parameters Secret's name (default: NAME-protected-parameters)")
	f.BoolVar(&o.withoutSecrets, "without-secrets", false, "with --to-arm: write no protected settings, as a GET response does, and need no Secret")
	f.StringVarP(&o.output, "output", "o", formatYAML, "with --from-arm: yaml or json")
	return cmd
}

func (o *convertOptions) runFromARM(streams genericiooptions.IOStreams) error {
	if err := checkFormat(o.output, formatYAML, formatJSON); err != nil {
		return err
	}
	data, err := readInput(o.fromARM, streams.In)
	if err != nil {
		return err
	}
	r, err := arm.Decode(data)
	if err != nil {
		return fmt.Errorf("%s:\n%w", o.fromARM, err)
	}
	c, err := arm.FromARM(r, arm.Options{Name: o.name, Namespace: o.namespace, ProtectedSecretName: o.secretName})
	if err != nil {
		return fmt.Errorf("%s:\n%w", o.fromARM, err)
	}
	return writeObjects(streams.Out, c.Objects(), o.output)
}

func (o *convertOptions) runToARM(streams genericiooptions.IOStreams) error {
	data, err := readInput(o.toARM, streams.In)
	if err != nil {
		return err
	}
	m, err := decodeManifests(data, o.toARM)
	if err != nil {
		return err
	}
	fc, err := m.one(o.toARM)
	if err != nil {
		return err
	}
	c := &arm.Converted{Config: fc}
	if ref := fc.Spec.ProtectedParametersSecretRef; ref != nil {
		c.Protected = m.secret(ref.Name)
	}
	if oci := fc.Spec.OCIRepository; oci != nil && oci.Verify != nil && oci.Verify.VerificationConfigRef != "" {
		c.Verification = m.secret(oci.Verify.VerificationConfigRef)
	}
	r, err := arm.ToARM(c, arm.ToOptions{WithoutSecrets: o.withoutSecrets})
	if err != nil {
		return fmt.Errorf("%s:\n%w", o.toARM, err)
	}
	return writeJSON(streams.Out, r)
}

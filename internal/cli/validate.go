package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/fluxconfig-controller/fluxconfig-controller/config/crd"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/crdvalidate"
)

type validateOptions struct {
	files, secretFiles []string
	namespace, output  string
	fluxCRDs           string
	recursive          bool
	controller         controllerFlags
}

func newValidateCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate -f FILE|DIR|- [-f ...]",
		Short: "Check FluxConfigs offline as the API server and the controller would",
		Long: `validate reads FluxConfigs (files, directories, - for stdin; any number of
YAML or JSON documents each, Lists included; other kinds are skipped) and
judges each, offline, as a cluster would:

  admission  the CRD's OpenAPI schema and CEL rules, evaluated with the API
             server's own code on the CRD embedded in this program (the one
             'make manifests' generates), with strict field validation;
  reconcile  what the rules cannot see and the controller refuses when it
             builds the Flux objects (it stalls the FluxConfig with
             InvalidConfiguration): dependsOn cycles, references, the
             additionalConfigurations keys read into Flux's types, scope
             rules under the controller's flags (the same flags as render,
             with the controller's defaults);
  flux       with --flux-crds DIR: the generated Flux objects against Flux's
             CRDs, as the API server checks them when the controller applies
             them (it stalls the FluxConfig with Rejected).

Each finding names the field as the API server or the controller does, its
message, and the fix. A FluxConfig without a namespace gets -n (default:
default). Secrets in the input (or --secret) are read as protected
parameters; when the one a FluxConfig names is missing, the keys its spec
needs are assumed present, and a note says so.

Exit codes: 0 no finding, 1 findings, 2 a wrong command line.`,
		Example: `  fluxconfig validate -f config/samples/
  fluxconfig validate -f fc.yaml -f more/ --secret protected.yaml
  kustomize build clusters/prod | fluxconfig validate -f - -o json
  fluxconfig validate -f fc.yaml --cluster-scope-namespaces 'platform-*' --flux-crds bin/flux-crds`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if o.output != "" {
				if err := checkFormat(o.output, formatYAML, formatJSON); err != nil {
					return err
				}
			}
			if len(o.files) == 0 {
				return usagef("give at least one -f FILE, DIR or -")
			}
			return o.run(streams)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&o.files, "filename", "f", nil, "a file, a directory of .yaml, .yml and .json files, or - for stdin; repeat it for more")
	f.BoolVarP(&o.recursive, "recursive", "R", false, "read the subdirectories of a directory too")
	f.StringSliceVar(&o.secretFiles, "secret", nil, "a file with the protected parameters Secret(s) the FluxConfigs name")
	f.StringVarP(&o.namespace, "namespace", "n", "default", "the namespace of a FluxConfig that names none")
	f.StringVar(&o.fluxCRDs, "flux-crds", "", "a directory of Flux's CRDs (source and kustomize controllers) to check the generated Flux objects against")
	f.StringVarP(&o.output, "output", "o", "", "yaml or json: the verdicts as data instead of text")
	o.controller.bind(f)
	return cmd
}

func (o *validateOptions) run(streams genericiooptions.IOStreams) error {
	c, err := o.checker(streams.In)
	if err != nil {
		return err
	}
	docs, err := readDocuments(o.files, o.recursive, streams.In)
	if err != nil {
		return err
	}
	c.secrets = append(c.secrets, secretsOf(docs)...)
	results := make([]result, 0, len(docs))
	for _, d := range docs {
		if r, ok := c.check(d); ok {
			results = append(results, r)
		}
	}
	if err := o.write(streams.Out, results, len(docs)); err != nil {
		return err
	}
	for _, r := range results {
		if len(r.Findings) > 0 {
			return errFindings
		}
	}
	return nil
}

// checker loads the embedded CRD, the Flux CRDs when asked, and the
// Secrets of --secret.
func (o *validateOptions) checker(stdin io.Reader) (*checker, error) {
	crds, err := crd.Load()
	if err != nil {
		return nil, fmt.Errorf("reading the embedded CRD: %w", err)
	}
	v, err := crdvalidate.Load()
	if err != nil {
		return nil, err
	}
	for _, d := range crds {
		if err := v.Add(d); err != nil {
			return nil, fmt.Errorf("loading the embedded CRD: %w", err)
		}
	}
	c := &checker{crd: v, opts: o.controller.options(), namespace: o.namespace}
	if o.fluxCRDs != "" {
		if c.flux, err = crdvalidate.Load(o.fluxCRDs); err != nil {
			return nil, fmt.Errorf("--flux-crds: %w", err)
		}
	}
	if len(o.secretFiles) > 0 {
		docs, err := readDocuments(o.secretFiles, false, stdin)
		if err != nil {
			return nil, err
		}
		c.secrets = secretsOf(docs)
	}
	return c, nil
}

// secretsOf returns the Secrets among the documents.
func secretsOf(docs []document) []*corev1.Secret {
	var out []*corev1.Secret
	for _, d := range docs {
		var head struct{ APIVersion, Kind string }
		if d.err != nil || yaml.Unmarshal(d.json, &head) != nil || head.Kind != "Secret" || head.APIVersion != "v1" {
			continue
		}
		s := &corev1.Secret{}
		if yaml.Unmarshal(d.json, s) == nil {
			out = append(out, s)
		}
	}
	return out
}

func (o *validateOptions) write(w io.Writer, results []result, documents int) error {
	switch o.output {
	case formatJSON:
		return writeJSON(w, results)
	case formatYAML:
		return writeObjectsAny(w, results, formatYAML)
	}
	return writeVerdicts(w, results, documents, paletteFor(w))
}

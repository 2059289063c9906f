package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

// createOptions are the flags of `az k8s-configuration flux create`.
type createOptions struct {
	name, namespace, scope, kind, url, timeout, interval, localAuthRef string
	suspend, apply                                                     bool
	kustomizations                                                     []string
	git                                                                gitFlags
	bucket                                                             bucketFlags
	blob                                                               blobFlags
	oci                                                                ociFlags
	output                                                             string
	kube                                                               *kube
}

type gitFlags struct {
	branch, tag, semver, commit, sshKey, sshKeyFile, httpsUser, httpsKey string
	caCert, caCertFile, knownHosts, knownHostsFile, provider             string
}

type bucketFlags struct {
	name, accessKey, secretKey string
	insecure                   bool
}

type blobFlags struct {
	container, spClientID, spTenantID, spSecret, spCert, spCertPassword string
	accountKey, sasToken, miClientID                                    string
	spSendChain                                                         bool
}

type ociFlags struct {
	digest, mediaType, operation, caCert, clientCert, privateKey string
	serviceAccount, verifyProvider                               string
	matchOIDC, verifyConfig                                      []string
	workloadIdentity, insecure                                   bool
}

// FieldManager is the server-side apply field manager of the command.
const FieldManager = "fluxconfig-cli"

// Source kinds as az spells them.
var azKinds = map[string]string{
	"git": v1alpha1.SourceKindGitRepository, "bucket": v1alpha1.SourceKindBucket,
	"azblob": v1alpha1.SourceKindAzureBlob, "oci": v1alpha1.SourceKindOCIRepository,
}

func newCreateCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &createOptions{}
	cmd := &cobra.Command{
		Use:   "create [NAME] --url URL [flags of az k8s-configuration flux create]",
		Short: "Create a FluxConfig from the flags of 'az k8s-configuration flux create'",
		Long: `create takes the flags of 'az k8s-configuration flux create' (kinds git, bucket,
azblob and oci with their auth flags, --scope, --namespace, --interval,
--timeout, --kustomization KEY=VALUE ...) and prints the FluxConfig, plus the
Secret of its protected parameters when auth flags carry secrets; with
--apply it applies them. A pasted az command line works: -n is the name,
and the Azure-only flags (-g, -c, -t) are accepted and ignored. dependsOn
takes ["a","b"], [a,b], a,b or a, whatever the shell left of the quotes.`,
		Example: `  fluxconfig create cluster-config --namespace cluster-config --scope cluster \
    -u https://github.com/Azure/gitops-flux2-kustomize-helm-mt --branch main \
    --kustomization name=infra path=./infrastructure prune=true \
    --kustomization name=apps path=./apps/staging prune=true dependsOn=\["infra"\]`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(cmd, args); err != nil {
				return err
			}
			objs, err := o.build()
			if err != nil {
				return err
			}
			if o.apply {
				return o.applyAll(cmd.Context(), streams, objs)
			}
			return writeObjects(streams.Out, objs, o.output)
		},
	}
	o.addFlags(cmd.Flags())
	o.kube = addKubeFlags(cmd, false)
	return cmd
}

func (o *createOptions) addFlags(f *pflag.FlagSet) {
	str := func(p *string, names, usage string) { aliasFlags(f, p, names, usage) }
	str(&o.name, "name,n", "name of the FluxConfig (or the NAME argument)")
	str(&o.namespace, "namespace,ns", "namespace of the FluxConfig (default: default)")
	str(&o.scope, "scope,s", "cluster or namespace")
	str(&o.kind, "kind", "source kind: git, bucket, azblob or oci (default git)")
	str(&o.url, "url,u", "URL of the source")
	str(&o.timeout, "timeout", "how long one fetch of the source may take, for example 10m")
	str(&o.interval, "interval,sync-interval", "how often the source is fetched, for example 10m")
	str(&o.localAuthRef, "local-auth-ref,local-ref", "a Secret in the namespace to authenticate with, used as it is")
	f.BoolVar(&o.suspend, "suspend", false, "create it suspended")
	f.StringArrayVarP(&o.kustomizations, "kustomization", "k", nil, "a kustomization: name=NAME path=PATH prune=true dependsOn=[a,b] syncInterval=10m retryInterval=1m timeout=10m force=true wait=false (repeatable)")
	o.addSourceFlags(f)
	for _, ignored := range []string{"resource-group,g", "cluster-name,c", "cluster-type,t", "cluster-resource-provider,cluster-rp"} {
		var discard string
		aliasFlags(f, &discard, ignored, "accepted and ignored: Azure-only")
	}
	f.BoolP("yes", "y", false, "accepted and ignored: Azure-only")
	f.Bool("no-wait", false, "accepted and ignored: Azure-only")
	f.BoolVar(&o.apply, "apply", false, "apply the FluxConfig (and its Secret) to the cluster instead of printing them")
	f.StringVarP(&o.output, "output", "o", formatYAML, "yaml or json")
}

func (o *createOptions) addSourceFlags(f *pflag.FlagSet) {
	o.git.addFlags(f)
	o.bucket.addFlags(f)
	o.blob.addFlags(f)
	o.oci.addFlags(f)
}

func (g *gitFlags) addFlags(f *pflag.FlagSet) {
	str := func(p *string, names, usage string) { aliasFlags(f, p, names, usage) }
	str(&g.branch, "branch", "git: branch to follow")
	str(&g.tag, "tag", "git or oci: tag")
	str(&g.semver, "semver", "git or oci: semver range")
	str(&g.commit, "commit", "git: commit SHA")
	str(&g.sshKey, "ssh-private-key", "git: base64-encoded SSH private key")
	str(&g.sshKeyFile, "ssh-private-key-file", "git: file with the SSH private key")
	str(&g.httpsUser, "https-user", "git: HTTPS user name")
	str(&g.httpsKey, "https-key", "git: HTTPS password or token")
	str(&g.caCert, "https-ca-cert", "git: base64-encoded HTTPS CA certificate")
	str(&g.caCertFile, "https-ca-cert-file", "git: file with the HTTPS CA certificate")
	str(&g.knownHosts, "known-hosts", "git: base64-encoded known_hosts")
	str(&g.knownHostsFile, "known-hosts-file", "git: file with the known_hosts")
	str(&g.provider, "provider", "git: generic, azure or github")
}

func (b *bucketFlags) addFlags(f *pflag.FlagSet) {
	str := func(p *string, names, usage string) { aliasFlags(f, p, names, usage) }
	str(&b.name, "bucket-name", "bucket: name of the bucket")
	str(&b.accessKey, "bucket-access-key", "bucket: access key ID")
	str(&b.secretKey, "bucket-secret-key", "bucket: secret key")
	f.BoolVar(&b.insecure, "bucket-insecure", false, "bucket: plain HTTP")
}

func (a *blobFlags) addFlags(f *pflag.FlagSet) {
	str := func(p *string, names, usage string) { aliasFlags(f, p, names, usage) }
	str(&a.container, "container-name", "azblob: container")
	str(&a.spClientID, "sp-client-id,service-principal-client-id", "azblob: service principal client ID")
	str(&a.spTenantID, "sp-tenant-id,service-principal-tenant-id", "azblob: service principal tenant ID")
	str(&a.spSecret, "sp-client-secret,service-principal-client-secret", "azblob: service principal secret")
	str(&a.spCert, "sp-client-cert,service-principal-client-certificate", "azblob: base64-encoded client certificate")
	str(&a.spCertPassword, "sp-cert-password,service-principal-client-certificate-password", "azblob: client certificate password")
	f.BoolVar(&a.spSendChain, "sp-cert-send-chain", false, "azblob: send the certificate chain")
	str(&a.accountKey, "account-key", "azblob: shared key")
	str(&a.sasToken, "sas-token", "azblob: SAS token")
	str(&a.miClientID, "mi-client-id,managed-identity-client-id", "azblob: managed identity client ID")
}

func (c *ociFlags) addFlags(f *pflag.FlagSet) {
	str := func(p *string, names, usage string) { aliasFlags(f, p, names, usage) }
	str(&c.digest, "digest", "oci: digest")
	str(&c.mediaType, "oci-media-type,oci-layer-selector-media-type", "oci: layer media type")
	str(&c.operation, "oci-operation,oci-layer-selector-operation", "oci: extract or copy")
	str(&c.caCert, "tls-ca-certificate", "oci: base64-encoded CA certificate")
	str(&c.clientCert, "tls-client-certificate", "oci: base64-encoded client certificate")
	str(&c.privateKey, "tls-private-key", "oci: base64-encoded client key")
	str(&c.serviceAccount, "service-account-name", "oci: ServiceAccount for pull secrets or workload identity")
	str(&c.verifyProvider, "verification-provider", "oci: cosign or notation")
	f.StringArrayVar(&c.matchOIDC, "match-oidc-identity", nil, `oci: {"issuer": "...", "subject": "..."} (repeatable)`)
	f.StringArrayVar(&c.verifyConfig, "verification-config", nil, "oci: KEY=PUBLIC-KEY of a trusted author (repeatable)")
	f.BoolVar(&c.workloadIdentity, "use-workload-identity", false, "oci: workload identity")
	f.BoolVar(&c.insecure, "oci-insecure", false, "oci: plain HTTP")
}

// aliasFlags registers a string flag under comma-separated names: the
// first long name, a one-letter shorthand, and hidden long aliases.
func aliasFlags(f *pflag.FlagSet, p *string, names, usage string) {
	parts := strings.Split(names, ",")
	short := ""
	var aliases []string
	for _, n := range parts[1:] {
		if len(n) == 1 {
			short = n
		} else {
			aliases = append(aliases, n)
		}
	}
	f.StringVarP(p, parts[0], short, "", usage)
	for _, a := range aliases {
		f.StringVar(p, a, "", usage)
		_ = f.MarkHidden(a)
	}
}

func (o *createOptions) complete(_ *cobra.Command, args []string) error {
	switch {
	case len(args) > 1:
		return usagef("create takes one NAME, got %q", args)
	case len(args) == 1 && o.name != "" && args[0] != o.name:
		return usagef("the name is given twice: %s and --name %s", args[0], o.name)
	case len(args) == 1:
		o.name = args[0]
	case o.name == "":
		return usagef("give the FluxConfig's name: create NAME (or -n NAME)")
	}
	if o.kind == "" {
		o.kind = "git"
	}
	if _, ok := azKinds[o.kind]; !ok {
		return usagef("--kind %q: use git, bucket, azblob or oci", o.kind)
	}
	if o.url == "" {
		return usagef("--url is required")
	}
	if !o.apply {
		return checkFormat(o.output, formatYAML, formatJSON)
	}
	return nil
}

// build makes the FluxConfig and the Secrets its flags need.
func (o *createOptions) build() ([]runtime.Object, error) {
	fc := &v1alpha1.FluxConfig{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "FluxConfig"},
		ObjectMeta: metav1.ObjectMeta{Name: o.name, Namespace: or(o.namespace, "default")},
		Spec:       v1alpha1.FluxConfigSpec{Scope: o.scope, SourceKind: azKinds[o.kind], Suspend: o.suspend},
	}
	protected := map[string][]byte{}
	verification, err := o.source(fc, protected)
	if err != nil {
		return nil, err
	}
	if err := o.addKustomizations(fc); err != nil {
		return nil, err
	}
	objs := []runtime.Object{fc}
	if len(protected) > 0 {
		name := arm.ProtectedSecretName(fc.Name)
		fc.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: name}
		objs = append(objs, newSecret(fc, name, protected))
	}
	if len(verification) > 0 {
		objs = append(objs, newSecret(fc, fc.Spec.OCIRepository.Verify.VerificationConfigRef, verification))
	}
	return objs, nil
}

func (o *createOptions) addKustomizations(fc *v1alpha1.FluxConfig) error {
	if len(o.kustomizations) == 0 {
		// As az does, a configuration without one gets kustomization-1.
		fc.Spec.Kustomizations = []v1alpha1.KustomizationDefinition{{Name: "kustomization-1"}}
		return nil
	}
	seen := map[string]bool{}
	for _, group := range o.kustomizations {
		k, err := parseKustomization(group)
		if err != nil {
			return err
		}
		if seen[k.Name] {
			return usagef("--kustomization name=%s is given twice", k.Name)
		}
		seen[k.Name] = true
		fc.Spec.Kustomizations = append(fc.Spec.Kustomizations, k)
	}
	return nil
}

func newSecret(fc *v1alpha1.FluxConfig, name string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: fc.Namespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
}

// base64OrFile reads a value az takes base64-encoded, or from a file.
func base64OrFile(flag, value, file string) (string, error) {
	switch {
	case value != "" && file != "":
		return "", usagef("give --%s or --%s-file, not both", flag, flag)
	case file != "":
		b, err := os.ReadFile(file) //nolint:gosec // G304: reading the file the user names is the flag's job
		if err != nil {
			return "", fmt.Errorf("--%s-file: %w", flag, err)
		}
		return string(b), nil
	case value == "":
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return "", usagef("--%s: not base64 (az takes it base64-encoded; or give --%s-file)", flag, flag)
	}
	return string(b), nil
}

// applyAll applies the objects server-side, Secrets first.
func (o *createOptions) applyAll(ctx context.Context, streams genericiooptions.IOStreams, objs []runtime.Object) error {
	c, err := o.kube.client()
	if err != nil {
		return err
	}
	for i := len(objs) - 1; i >= 0; i-- {
		m, err := tidy(objs[i])
		if err != nil {
			return err
		}
		u := &unstructured.Unstructured{Object: m}
		if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
			return fmt.Errorf("applying %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
		fmt.Fprintf(streams.Out, "%s/%s applied\n", strings.ToLower(u.GetKind()), u.GetName())
	}
	return nil
}

package builder_test

import (
	"errors"
	"strings"
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// withGitExtra is an https Git spec whose source has additionalConfigurations.
func withGitExtra(t *testing.T, doc string) v1alpha1.FluxConfigSpec {
	t.Helper()
	s := gitSpec("https://example.com/org/repo.git")
	s.GitRepository.AdditionalConfigurations = &v1alpha1.GitRepositoryAdditionalConfigurations{AdditionalConfigurations: extra(t, doc)}
	return s
}

// withKsExtra is an https Git spec whose kustomization apps has
// additionalConfigurations, in the given scope.
func withKsExtra(t *testing.T, scope, doc string) v1alpha1.FluxConfigSpec {
	t.Helper()
	s := gitSpec("https://example.com/org/repo.git")
	s.Scope = scope
	s.Kustomizations[0].AdditionalConfigurations = &v1alpha1.KustomizationAdditionalConfigurations{AdditionalConfigurations: extra(t, doc)}
	return s
}

func remote(scope string) v1alpha1.FluxConfigSpec {
	s := gitSpec("https://example.com/org/repo.git")
	s.Scope = scope
	s.Kustomizations[0].KubeConfig = &v1alpha1.KubeConfigDefinition{
		ClusterResourceID: fakeAKS, ObjectLevelIdentity: v1alpha1.ObjectLevelIdentityDefinition{ClientID: fakeClientID},
	}
	return s
}

// TestAzurePreviewConfigErrors: what additionalConfigurations,
// objectLevelIdentity and kubeConfig may not do comes back as a
// ConfigError naming the key and the fix.
func TestAzurePreviewConfigErrors(t *testing.T) {
	const ksField = "spec.kustomizations[apps].additionalConfigurations"
	const gitField = "spec.gitRepository.additionalConfigurations"
	tests := []struct {
		name      string
		spec      v1alpha1.FluxConfigSpec
		protected map[string][]byte
		opts      builder.Options
		wantField string
		want      string
	}{
		{"a key a typed field owns", withGitExtra(t, `url: https://elsewhere.example.com/r.git`), nil, builder.Options{}, gitField + ".url", "is refused"},
		{"the source's identity", withGitExtra(t, `serviceAccountName: someone`), nil, builder.Options{}, gitField + ".serviceAccountName", "is refused"},
		{"another source", withKsExtra(t, "cluster", `sourceRef: {kind: GitRepository, name: other, namespace: flux-system}`), nil, builder.Options{}, ksField + ".sourceRef", "is refused"},
		{"dependencies outside the FluxConfig", withKsExtra(t, "cluster", `dependsOn: [{name: other, namespace: flux-system}]`), nil, builder.Options{}, ksField + ".dependsOn", "is refused"},
		{"the applier's identity", withKsExtra(t, "cluster", `serviceAccountName: default`), nil, builder.Options{}, ksField + ".serviceAccountName", "is refused"},
		{"a kubeConfig of its own", withKsExtra(t, "cluster", `kubeConfig: {secretRef: {name: remote}}`), nil, builder.Options{}, ksField + ".kubeConfig", "is refused"},
		{"a key Flux does not have", withGitExtra(t, `recurseSubmodule: true`), nil, builder.Options{}, gitField + ".recurseSubmodule", `unknown field "recurseSubmodule"`},
		{"a key in another case than Flux's", withGitExtra(t, `URL: https://elsewhere.example.com/r.git`), nil, builder.Options{}, gitField + ".URL", `unknown field "URL"`},
		{"a value of the wrong JSON kind", withGitExtra(t, `include: "deploy/**"`), nil, builder.Options{}, gitField + ".include", "include must be a list; the value given is a JSON string"},
		{"a nested value of the wrong kind", withGitExtra(t, `include: [{repository: {name: 3}}]`), nil, builder.Options{}, gitField + ".include", "include.repository.name must be a string; the value given is a JSON number"},
		{"a nested key Flux does not have", withGitExtra(t, `include: [{repo: {name: shared}}]`), nil, builder.Options{}, gitField + ".include", `unknown field "include[0].repo"`},
		{"a boolean written as a string", withGitExtra(t, `recurseSubmodules: "yes"`), nil, builder.Options{}, gitField + ".recurseSubmodules", "must be true or false; the value given is a JSON string"},
		{"targetNamespace elsewhere under scope namespace", withKsExtra(t, "namespace", `targetNamespace: kube-system`), nil, builder.Options{}, ksField + ".targetNamespace", "applies to its own namespace only"},
		{"a health check elsewhere under scope namespace", withKsExtra(t, "namespace", `healthChecks: [{apiVersion: v1, kind: Secret, name: x, namespace: kube-system}]`), nil, builder.Options{}, ksField + ".healthChecks[0].namespace", "its own namespace team-a"},
		{"a remote cluster under scope namespace", remote("namespace"), nil, builder.Options{}, "spec.kustomizations[apps].kubeConfig", "--allow-remote-clusters-in-namespace-scope=true"},
		{"an account key next to a workload identity", func() v1alpha1.FluxConfigSpec {
			return v1alpha1.FluxConfigSpec{Scope: "cluster", SourceKind: v1alpha1.SourceKindAzureBlob, AzureBlob: &v1alpha1.AzureBlobDefinition{
				URL: "https://fake.blob.core.windows.net", ContainerName: "configs", ObjectLevelIdentity: identity(""),
			}}
		}(), map[string][]byte{v1alpha1.ProtectedAccountKey: []byte("fake-account-key")}, builder.Options{}, "spec.protectedParametersSecretRef", "spec.azureBlob.objectLevelIdentity authenticates without it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := builder.Build(builder.Input{Config: fluxConfig(tc.spec), Protected: tc.protected}, tc.opts)
			var ce *builder.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *builder.ConfigError", err)
			}
			if ce.Field != tc.wantField || !strings.Contains(ce.Message, tc.want) {
				t.Errorf("got %q, want field %s and a message with %q", err, tc.wantField, tc.want)
			}
		})
	}
}

// TestAzurePreviewAccepted: the boundaries that must build.
func TestAzurePreviewAccepted(t *testing.T) {
	for name, tc := range map[string]struct {
		spec v1alpha1.FluxConfigSpec
		opts builder.Options
	}{
		"targetNamespace is the FluxConfig's own, under scope namespace": {withKsExtra(t, "namespace", `targetNamespace: team-a`), builder.Options{}},
		"targetNamespace anywhere under scope cluster":                   {withKsExtra(t, "cluster", `targetNamespace: kube-system`), builder.Options{}},
		"a health check without a namespace, under scope namespace":      {withKsExtra(t, "namespace", `healthChecks: [{apiVersion: v1, kind: ConfigMap, name: x}]`), builder.Options{}},
		"SOPS decryption with a Secret of the namespace":                 {withKsExtra(t, "namespace", `decryption: {provider: sops, secretRef: {name: sops-age}}`), builder.Options{}},
		"a remote cluster under scope namespace, allowed by the flag":    {remote("namespace"), builder.Options{AllowRemoteClustersInNamespaceScope: true}},
		"a null value": {withGitExtra(t, `ignore: null`), builder.Options{}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := builder.Build(builder.Input{Config: fluxConfig(tc.spec)}, tc.opts); err != nil {
				t.Errorf("Build: %v", err)
			}
		})
	}
}

// TestNameAdditionalKeys: an API server's refusal of an object that
// additionalConfigurations went into names the keys it is about.
func TestNameAdditionalKeys(t *testing.T) {
	fc := fluxConfig(withKsExtra(t, "cluster", `{deletionPolicy: Sometimes, namePrefix: a-}`))
	objs := mustBuild(t, builder.Input{Config: fc}, builder.Options{})
	gk := schema.GroupKind{Group: kustomizev1.GroupVersion.Group, Kind: kustomizev1.KustomizationKind}
	invalid := func(path string) error {
		return apierrors.NewInvalid(gk, "cfg-apps", field.ErrorList{field.NotSupported(field.NewPath("spec").Child(path), "Sometimes", []string{"Delete"})})
	}

	err := builder.NameAdditionalKeys(fc, objs.Kustomizations[0], invalid("deletionPolicy"))
	want := "spec.kustomizations[apps].additionalConfigurations.deletionPolicy: Flux's CRD refuses it: "
	if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "Unsupported value") {
		t.Errorf("named key: got %q, want it to start with %q and keep the API server's message", err, want)
	}
	if !apierrors.IsInvalid(err) {
		t.Error("the API server's error is no longer reachable with errors.As")
	}
	err = builder.NameAdditionalKeys(fc, objs.Kustomizations[0], invalid("path"))
	if want := "the object has spec.kustomizations[apps].additionalConfigurations (deletionPolicy, namePrefix) merged in: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("a cause of no key: got %q, want it to start with %q", err, want)
	}
	plain := invalid("deletionPolicy")
	if got := builder.NameAdditionalKeys(fc, objs.Source, plain); errors.As(got, new(*builder.AdditionalRejectedError)) || got.Error() != plain.Error() {
		t.Errorf("an object without additionalConfigurations: got %q, want the error unchanged", got)
	}
}

package arm_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

func TestFromARMErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"unknown property", `{"properties":{"gitRepository":{"urll":"https://x"}}}`,
			"properties.gitRepository.urll: is not a property of Microsoft.KubernetesConfiguration/fluxConfigurations in api-version 2025-04-01 or 2026-07-01-preview"},
		{"unknown property in a kustomization", `{"properties":{"kustomizations":{"a":{"dependson":["b"]}}}}`,
			"properties.kustomizations.a.dependson: is not a property of"},
		{"wrong type", `{"properties":{"gitRepository":{"timeoutInSeconds":"10m"}}}`,
			"properties.gitRepository.timeoutInSeconds: is a JSON string, want int64"},
		{"protected value not base64", `{"name":"x","properties":{"configurationProtectedSettings":{"httpsKey":"not base64!"}}}`,
			"properties.configurationProtectedSettings.httpsKey: is not base64"},
		{"known hosts not base64", `{"name":"x","properties":{"gitRepository":{"sshKnownHosts":"host ssh-ed25519 AAAA"}}}`,
			"properties.gitRepository.sshKnownHosts: is not base64"},
		{"negative seconds", `{"name":"x","properties":{"kustomizations":{"a":{"timeoutInSeconds":-5}}}}`,
			"properties.kustomizations.a.timeoutInSeconds: is -5: it must not be negative"},
		{"unknown provider", `{"name":"x","properties":{"gitRepository":{"provider":"GitLab"}}}`,
			`properties.gitRepository.provider: is "GitLab": use Azure, GitHub or Generic`},
		{"name differs from key", `{"name":"x","properties":{"kustomizations":{"a":{"name":"b"}}}}`,
			`properties.kustomizations.a.name: is "b" but the key is "a"`},
		{"a protected key given inline and in the settings", `{"name":"x","properties":{"azureBlob":{"accountKey":"k"},"configurationProtectedSettings":{"accountKey":"aw=="}}}`,
			"properties.configurationProtectedSettings.accountKey: give it as properties.azureBlob.accountKey instead"},
		{"bad timestamp", `{"name":"x","properties":{"sourceUpdatedAt":"yesterday"}}`,
			`properties.sourceUpdatedAt: is "yesterday", not an RFC 3339 date-time`},
		{"wrong resource type", `{"name":"x","type":"Microsoft.KubernetesConfiguration/extensions"}`,
			`type: is "Microsoft.KubernetesConfiguration/extensions"`},
		{"no name", `{"properties":{}}`, "name: the resource has no name"},
		{"a kubeConfig without its identity", `{"name":"x","properties":{"kustomizations":{"remote":{"kubeConfig":{"clusterResourceId":"/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c"}}}}}`,
			"properties.kustomizations.remote.kubeConfig.objectLevelIdentity: is required"},
		{"plain HTTP asked for an https bucket", `{"name":"x","properties":{"sourceKind":"Bucket","bucket":{"url":"https://s3.example.com","bucketName":"b","insecure":true}}}`,
			"properties.bucket.insecure: is true with an https:// URL, which FluxConfig refuses"},
		{"an unknown property in an identity", `{"name":"x","properties":{"gitRepository":{"objectLevelIdentity":{"clientID":"c"}}}}`,
			"properties.gitRepository.objectLevelIdentity.clientID: is not a property of"},
		{"additionalConfigurations not an object", `{"name":"x","properties":{"gitRepository":{"additionalConfigurations":["include"]}}}`,
			"properties.gitRepository.additionalConfigurations: is a JSON array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := arm.Decode([]byte(tt.doc))
			if err == nil {
				_, err = arm.FromARM(r, arm.Options{})
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n got %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func gitConfig() *v1alpha1.FluxConfig {
	return &v1alpha1.FluxConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "team-a"},
		Spec: v1alpha1.FluxConfigSpec{
			SourceKind:    v1alpha1.SourceKindGitRepository,
			GitRepository: &v1alpha1.GitRepositoryDefinition{URL: "https://example.com/repo.git", RepositoryRef: v1alpha1.RepositoryRefDefinition{Branch: "main"}},
		},
	}
}

func TestToARMErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *arm.Converted)
		opts   arm.ToOptions
		want   string
	}{
		{"a duration with fractions of a second", func(c *arm.Converted) {
			c.Config.Spec.GitRepository.SyncInterval = &metav1.Duration{Duration: 1500 * time.Millisecond}
		}, arm.ToOptions{}, "spec.gitRepository.syncInterval: 1.5s is not a whole, non-negative number of seconds"},
		{"the protected parameters Secret is missing", func(c *arm.Converted) {
			c.Config.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "cfg-protected"}
		}, arm.ToOptions{}, "spec.protectedParametersSecretRef: names Secret cfg-protected, whose values become properties.configurationProtectedSettings"},
		{"another Secret than the one named", func(c *arm.Converted) {
			c.Config.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "cfg-protected"}
			c.Protected = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other"}}
		}, arm.ToOptions{}, "names Secret cfg-protected, but the Secret given is other"},
		{"a Secret nobody names", func(c *arm.Converted) {
			c.Protected = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other"}}
		}, arm.ToOptions{}, "spec.protectedParametersSecretRef: is not set, but Secret other was given"},
		{"the verification Secret is missing", func(c *arm.Converted) {
			c.Config.Spec.SourceKind, c.Config.Spec.GitRepository = v1alpha1.SourceKindOCIRepository, nil
			c.Config.Spec.OCIRepository = &v1alpha1.OCIRepositoryDefinition{URL: "oci://r/x",
				Verify: &v1alpha1.VerifyDefinition{VerificationConfigRef: "keys"}}
		}, arm.ToOptions{}, "spec.ociRepository.verify.verificationConfigRef: names Secret keys"},
		{"a bad annotation", func(c *arm.Converted) {
			c.Config.Annotations = map[string]string{arm.AnnotationWaitForReconciliation: "yes"}
		}, arm.ToOptions{}, `metadata.annotations[clusterconfig.azure.com/wait-for-reconciliation]: is "yes": use true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &arm.Converted{Config: gitConfig()}
			tt.modify(c)
			_, err := arm.ToARM(c, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n got %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

// Without secrets, as for a status report, the Secret is not needed and no
// protected setting is written.
func TestToARMWithoutSecrets(t *testing.T) {
	c := &arm.Converted{Config: gitConfig()}
	c.Config.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "cfg-protected"}
	r, err := arm.ToARM(c, arm.ToOptions{WithoutSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Properties.ConfigurationProtectedSettings != nil {
		t.Errorf("protected settings written: %v", r.Properties.ConfigurationProtectedSettings)
	}
}

// Protected keys go where ARM carries them: inline when the object
// exists, else base64 in configurationProtectedSettings.
func TestToARMPlacesProtectedKeys(t *testing.T) {
	c := &arm.Converted{Config: gitConfig(), Protected: &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Data:       map[string][]byte{"httpsKey": []byte("tok"), "accountKey": []byte("acc")},
		StringData: map[string]string{"httpsKey": "newer"},
	}}
	c.Config.Spec.ProtectedParametersSecretRef = &v1alpha1.LocalObjectReference{Name: "p"}
	r, err := arm.ToARM(c, arm.ToOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Properties.ConfigurationProtectedSettings
	if got["httpsKey"] != "bmV3ZXI=" || got["accountKey"] != "YWNj" {
		t.Errorf("configurationProtectedSettings = %v, want httpsKey from stringData and accountKey (no azureBlob) in base64", got)
	}
}

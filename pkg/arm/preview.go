package arm

import (
	"bytes"
	"encoding/json"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// The properties 2026-07-01-preview added: objectLevelIdentity on every
// source and on a kustomization's kubeConfig, and additionalConfigurations
// on every source and kustomization. They map one to one; FluxConfig's
// admission and controller decide what they accept (see docs/api.md).

func identityFromARM(id *ObjectLevelIdentity) *v1alpha1.ObjectLevelIdentityDefinition {
	if id == nil {
		return nil
	}
	out := v1alpha1.ObjectLevelIdentityDefinition(*id)
	return &out
}

func identityToARM(id *v1alpha1.ObjectLevelIdentityDefinition) *ObjectLevelIdentity {
	if id == nil {
		return nil
	}
	out := ObjectLevelIdentity(*id)
	return &out
}

// kubeConfigFromARM maps a kustomization's kubeConfig; both of its
// properties are required in ARM as in FluxConfig.
func (f *fromARM) kubeConfigFromARM(path string, kc *KubeConfig) *v1alpha1.KubeConfigDefinition {
	if kc == nil {
		return nil
	}
	if kc.ObjectLevelIdentity == nil {
		f.errs.addf(path+".objectLevelIdentity", "is required: the managed identity that applies to the remote cluster (clientId, and tenantId and serviceAccountName if needed)")
		return nil
	}
	return &v1alpha1.KubeConfigDefinition{ClusterResourceID: kc.ClusterResourceID, ObjectLevelIdentity: *identityFromARM(kc.ObjectLevelIdentity)}
}

func kubeConfigToARM(kc *v1alpha1.KubeConfigDefinition) *KubeConfig {
	if kc == nil {
		return nil
	}
	return &KubeConfig{ClusterResourceID: kc.ClusterResourceID, ObjectLevelIdentity: identityToARM(&kc.ObjectLevelIdentity)}
}

// additionalFromARM keeps every key of an additionalConfigurations object
// with its JSON value as it was written (compacted); ok is false when the
// object is absent.
func additionalFromARM(a Additional) (out v1alpha1.AdditionalConfigurations, ok bool) {
	if a == nil {
		return out, false
	}
	out.Fields = make(map[string]apiextensionsv1.JSON, len(a))
	for k, v := range a {
		out.Fields[k] = apiextensionsv1.JSON{Raw: compact(v)}
	}
	return out, true
}

// additionalToARM is the ARM form of a FluxConfig's
// additionalConfigurations Fields; nil when there are none.
func additionalToARM(fields map[string]apiextensionsv1.JSON) Additional {
	if len(fields) == 0 {
		return nil
	}
	out := make(Additional, len(fields))
	for k, v := range fields {
		out[k] = compact(v.Raw)
	}
	return out
}

// compact removes insignificant white space from valid JSON, so that two
// documents that differ only in layout compare equal; anything else is
// returned as it is.
func compact(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

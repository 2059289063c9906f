package cli

import (
	"fmt"
	"strings"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/builder"
)

// assumedValue stands for a protected parameter that was not given.
const assumedValue = "<assumed present>"

// protected returns the data of the Secret fc names in
// spec.protectedParametersSecretRef, from the input or --secret. The
// controller reads it from the cluster; offline, when it was not given,
// the keys the spec needs are assumed present (a note says so), so that
// the rest of the FluxConfig is still checked.
func (c *checker) protected(fc *v1alpha1.FluxConfig) (map[string][]byte, string) {
	ref := fc.Spec.ProtectedParametersSecretRef
	if ref == nil {
		return nil, ""
	}
	for _, s := range c.secrets {
		if s.Name == ref.Name && (s.Namespace == "" || s.Namespace == fc.Namespace) {
			return secretData(s), ""
		}
	}
	assumed := assumedProtected(fc)
	note := fmt.Sprintf("the Secret %s/%s of spec.protectedParametersSecretRef was not given (put it in the input, or --secret FILE): the controller checks its keys against the spec", fc.Namespace, ref.Name)
	if len(assumed) > 0 {
		keys := make([]string, 0, len(assumed))
		for k := range assumed {
			keys = append(keys, k)
		}
		note += "; assumed to hold " + strings.Join(keys, ", ")
	}
	return assumed, note
}

// assumedProtected holds the protected parameters the spec needs, as
// placeholders: httpsKey for httpsUser, bucketSecretKey for accessKey, a
// client secret for a service principal, tlsPrivateKey for an OCI client
// certificate. An SSH URL without sshPrivateKey gets the controller's
// generated key, so it needs none.
func assumedProtected(fc *v1alpha1.FluxConfig) map[string][]byte {
	s := fc.Spec
	out := map[string][]byte{}
	switch {
	case s.GitRepository != nil && s.GitRepository.HTTPSUser != "" && !builder.IsSSHURL(s.GitRepository.URL):
		out[v1alpha1.ProtectedHTTPSKey] = []byte(assumedValue)
	case s.Bucket != nil && s.Bucket.AccessKey != "":
		out[v1alpha1.ProtectedBucketSecretKey] = []byte(assumedValue)
	case s.AzureBlob != nil && s.AzureBlob.ServicePrincipal != nil:
		out[v1alpha1.ProtectedClientSecret] = []byte(assumedValue)
	case s.OCIRepository != nil && s.OCIRepository.TLSConfig != nil && s.OCIRepository.TLSConfig.ClientCertificate != "":
		out[v1alpha1.ProtectedTLSPrivateKey] = []byte(assumedValue)
	}
	return out
}

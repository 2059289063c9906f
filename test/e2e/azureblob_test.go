package e2e

import (
	"encoding/base64"
	"path/filepath"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/azurite"
)

// azureSource is the source of a FluxConfig of sourceKind AzureBlob: url,
// containerName, then the auth lines.
const azureSource = `  sourceKind: AzureBlob
  azureBlob:
    url: %s
    containerName: %s
    syncInterval: 5s
    timeout: 20s
%s`

const azureParams = "  protectedParametersSecretRef:\n    name: azure-params"

// AzureBlob sources: the real source-controller fetches from the Azure
// Storage emulator Azurite on 127.0.0.1, at the production-style URL
// http://ACCOUNT.blob.localhost:PORT that the suite's NameProxy resolves.
var _ = Describe("An AzureBlob source", Ordered, ContinueOnFailure, func() {
	BeforeAll(func() {
		var err error
		az, err = azurite.Start(azurite.Options{Dir: filepath.Join(stateDir, "azurite"), Account: "fluxe2e"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(az.Stop)
	})
	It("fetches with the accountKey protected parameter, reporting a wrong key with Azure's error", azureAccountKey)
	It("fetches with the sasToken protected parameter", azureSASToken)
	It("fetches with localAuthRef, a Secret in Flux's Azure layout", azureLocalAuthRef)
	It("cannot sign for the account of the emulator's path-style URL", azurePathStyleURL)
	It("asks Entra ID for a token with a service principal", azureServicePrincipal)
	It("asks the instance metadata service for a token with a managed identity", azureManagedIdentity)
})

// az is the Azurite of the AzureBlob specs.
var az *azurite.Server

// azureContainer makes namespace ns and a container of the same name that
// holds ns's manifests.
func azureContainer(ns string) string {
	createNamespace(ns)
	Expect(az.CreateContainer(ctx, ns)).To(Succeed())
	Expect(az.UploadDir(ctx, ns, manifests(ns, ns+"-config", "azure"), nil)).To(Succeed())
	return ns
}

func azureAccountKey() {
	const ns = "azure-key"
	c := azureContainer(ns)
	wrong := base64.StdEncoding.EncodeToString([]byte("not-the-account-key-of-fluxe2e-not-the-account-key"))
	secret := createSecret(ns, "azure-params", "", map[string]string{v1alpha1.ProtectedAccountKey: wrong})
	fc := applyFluxConfig("key", ns, sprintf(azureSource, az.URL(), c, azureParams))

	st := status(ns, "key")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
	Expect(st().ErrorMessage).To(And(ContainSubstring("Bucket azure-key/key"),
		ContainSubstring("Server failed to authenticate the request")))
	expectNoSecret(statusText(st()), wrong, az.Key)

	By("putting the account's key in the protected parameters")
	rotateSecret(secret, map[string]string{v1alpha1.ProtectedAccountKey: az.Key}, fc, &sourcev1.Bucket{})
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
	Expect(configMapOwner(ns, ns+"-config")()).To(Equal("azure"))
	expectNoSecret(statusText(st()), az.Key)
}

func azureSASToken() {
	const ns = "azure-sas"
	c := azureContainer(ns)
	token, err := az.ContainerSAS(c, time.Hour)
	Expect(err).NotTo(HaveOccurred())
	createSecret(ns, "azure-params", "", map[string]string{v1alpha1.ProtectedSASToken: "?" + token})
	applyFluxConfig("sas", ns, sprintf(azureSource, az.URL(), c, azureParams))

	st := status(ns, "sas")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
	Expect(configMapOwner(ns, ns+"-config")()).To(Equal("azure"))
	expectNoSecret(statusText(st()), token)
}

func azureLocalAuthRef() {
	const ns = "azure-localauth"
	c := azureContainer(ns)
	createSecret(ns, "azure-credentials", "", map[string]string{"accountKey": az.Key})
	applyFluxConfig("local", ns, sprintf(azureSource, az.URL(), c, "    localAuthRef: azure-credentials"))

	st := status(ns, "local")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
	Expect(configMapOwner(ns, ns+"-config")()).To(Equal("azure"))
}

// azurePathStyleURL: Flux takes the account from the first label of the
// endpoint's host, "127" in http://127.0.0.1:PORT/ACCOUNT, so the right key
// signs for the wrong account (see test/azurite's package comment).
func azurePathStyleURL() {
	const ns = "azure-pathstyle"
	c := azureContainer(ns)
	createSecret(ns, "azure-params", "", map[string]string{v1alpha1.ProtectedAccountKey: az.Key})
	applyFluxConfig("path", ns, sprintf(azureSource, az.PathURL(), c, azureParams))

	st := status(ns, "path")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
	Expect(st().ErrorMessage).To(And(ContainSubstring("Bucket azure-pathstyle/path"),
		ContainSubstring("Server failed to authenticate the request")))
}

func azureServicePrincipal() {
	const ns, clientSecret = "azure-sp", "service-principal-secret-e2e"
	createNamespace(ns)
	createSecret(ns, "azure-params", "", map[string]string{v1alpha1.ProtectedClientSecret: clientSecret})
	applyFluxConfig("sp", ns, sprintf(azureSource, "https://fluxe2e.blob.core.windows.net", "manifests",
		"    servicePrincipal:\n      clientId: 00000000-0000-0000-0000-00000000c11e\n      tenantId: 00000000-0000-0000-0000-0000000007e4\n"+azureParams))

	// The token request leaves for Entra ID (the proxy refuses it: no
	// internet here) before any request to the storage account.
	// The Azure SDK retries the refused token request until the fetch's
	// deadline on some attempts ("context deadline exceeded"): Flux's next
	// attempt reports the credential's own error.
	st := status(ns, "sp")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
	Eventually(func() string { return st().ErrorMessage }, "3m").Should(And(ContainSubstring("Bucket azure-sp/sp"), ContainSubstring("ClientSecretCredential"),
		ContainSubstring("login.microsoftonline.com/00000000-0000-0000-0000-0000000007e4/")))
	Expect(names.Refused()).To(ContainElement(HavePrefix("login.microsoftonline.com:")))
	expectNoSecret(statusText(st()), clientSecret)
}

func azureManagedIdentity() {
	const ns, clientID = "azure-mi", "00000000-0000-0000-0000-0000000000a1"
	createNamespace(ns)
	applyFluxConfig("mi", ns, sprintf(azureSource, "https://fluxe2e.blob.core.windows.net", "manifests",
		"    managedIdentity:\n      clientId: "+clientID))

	// The token request goes to the instance metadata service with the
	// identity's client ID (the proxy refuses it: no IMDS here).
	st := status(ns, "mi")
	Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
	Expect(st().ErrorMessage).To(And(ContainSubstring("Bucket azure-mi/mi"), ContainSubstring("ManagedIdentityCredential")))
	Expect(names.Refused()).To(ContainElement(And(ContainSubstring("169.254.169.254"), ContainSubstring("client_id="+clientID))))
}

package e2e

import (
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
	"github.com/fluxconfig-controller/fluxconfig-controller/test/s3server"
)

// bucketSource is the source of a FluxConfig of sourceKind Bucket: url,
// then the auth lines (accessKey, or localAuthRef).
const bucketSource = `  sourceKind: Bucket
  bucket:
    url: %s
    bucketName: manifests
    syncInterval: 5s
    timeout: 20s
%s`

// Bucket sources: the real source-controller fetches from an S3-compatible
// server (gofakes3 behind a Signature Version 4 check) on 127.0.0.1.
var _ = Describe("A Bucket source", func() {
	const accessKey, secretKey = "fluxconfig-e2e", "bucket-secret-key-e2e"

	serveBucket := func(ns string) *s3server.Server {
		s3, err := s3server.Serve(s3server.Credentials{AccessKey: accessKey, SecretKey: secretKey})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s3.Close)
		Expect(s3.CreateBucket("manifests")).To(Succeed())
		Expect(s3.UploadDir("manifests", manifests(ns, ns+"-config", "bucket"), nil)).To(Succeed())
		return s3
	}

	It("fetches with spec.bucket.accessKey and bucketSecretKey, reporting a wrong secret key with S3's error", func() {
		const ns = "bucket-keys"
		createNamespace(ns)
		s3 := serveBucket(ns)
		secret := createSecret(ns, "bucket-params", "", map[string]string{v1alpha1.ProtectedBucketSecretKey: "wrong-bucket-secret-e2e"})
		fc := applyFluxConfig("keys", ns, sprintf(bucketSource, s3.URL,
			"    accessKey: "+accessKey+"\n  protectedParametersSecretRef:\n    name: bucket-params"))

		st := status(ns, "keys")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		Expect(st().ErrorMessage).To(And(ContainSubstring("Bucket bucket-keys/keys"),
			ContainSubstring("The request signature we calculated does not match the signature you provided")))
		expectNoSecret(statusText(st()), "wrong-bucket-secret-e2e")

		By("putting the right secret key in the protected parameters")
		rotateSecret(secret, map[string]string{v1alpha1.ProtectedBucketSecretKey: secretKey}, fc, &sourcev1.Bucket{})
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		Expect(configMapOwner(ns, ns+"-config")()).To(Equal("bucket"))
		expectNoSecret(statusText(st()), secretKey)
	})

	It("fetches with spec.bucket.localAuthRef, reporting an unknown access key with S3's error", func() {
		const ns = "bucket-localauth"
		createNamespace(ns)
		s3 := serveBucket(ns)
		secret := createSecret(ns, "s3-credentials", "", map[string]string{"accesskey": "unknown-access-key", "secretkey": secretKey})
		fc := applyFluxConfig("local", ns, sprintf(bucketSource, s3.URL, "    localAuthRef: s3-credentials"))

		st := status(ns, "local")
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceNonCompliant))
		Expect(st().ErrorMessage).To(And(ContainSubstring("Bucket bucket-localauth/local"),
			ContainSubstring("The AWS Access Key Id you provided does not exist in our records")))
		expectNoSecret(statusText(st()), secretKey)

		By("putting the right access key in the Secret")
		rotateSecret(secret, map[string]string{"accesskey": accessKey, "secretkey": secretKey}, fc, &sourcev1.Bucket{})
		Eventually(st).Should(HaveCompliance(v1alpha1.ComplianceCompliant))
		Expect(configMapOwner(ns, ns+"-config")()).To(Equal("bucket"))
	})
})

package s3server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The checking is AWS's own signer (aws-sdk-go-v2) run over the headers the
// client says it signed: the signature is recomputed with the secret key of
// the access key named in the request and compared, as S3 does. Only
// header-based signing (an Authorization header) is accepted; presigned
// URLs are refused.

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	// emptySHA256 is the payload hash of an empty body.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// s3Error is an S3 error response body.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

var (
	errAccessDenied  = s3Error{Code: "AccessDenied", Message: "Access Denied"}
	errInvalidKey    = s3Error{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records."}
	errSignature     = s3Error{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	errAuthMalformed = s3Error{Code: "AuthorizationHeaderMalformed", Message: "The authorization header is malformed."}
)

// sigV4 is a parsed Authorization header.
type sigV4 struct {
	accessKey     string
	date          string
	region        string
	service       string
	signedHeaders string
	signature     string
}

// parseSigV4 reads "AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func parseSigV4(header string) (sigV4, bool) {
	rest, ok := strings.CutPrefix(header, sigV4Algorithm+" ")
	if !ok {
		return sigV4{}, false
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sigV4{}, false
		}
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || fields["SignedHeaders"] == "" || fields["Signature"] == "" {
		return sigV4{}, false
	}
	return sigV4{
		accessKey: scope[0], date: scope[1], region: scope[2], service: scope[3],
		signedHeaders: fields["SignedHeaders"], signature: fields["Signature"],
	}, true
}

// check returns the S3 error for a request that is not signed with one of
// keys (access key → secret key), or nil.
func check(r *http.Request, keys map[string]string) *s3Error {
	header := r.Header.Get("Authorization")
	if header == "" {
		return &errAccessDenied
	}
	sig, ok := parseSigV4(header)
	if !ok {
		return &errAuthMalformed
	}
	secret, ok := keys[sig.accessKey]
	if !ok {
		return &errInvalidKey
	}
	want, err := recompute(r, sig, secret)
	if err != nil {
		return &errAuthMalformed
	}
	if !hmac.Equal([]byte(want.signature), []byte(sig.signature)) || want.signedHeaders != sig.signedHeaders {
		return &errSignature
	}
	return nil
}

// recompute signs a copy of r that holds only the headers the client signed
// with secret, at the time the client signed it, and returns the result.
func recompute(r *http.Request, sig sigV4, secret string) (sigV4, error) {
	when, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return sigV4{}, fmt.Errorf("x-amz-date: %w", err)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	cp := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	for _, h := range strings.Split(sig.signedHeaders, ";") {
		switch h {
		case "host":
		case "content-length":
			cp.ContentLength = r.ContentLength
		default:
			cp.Header[textproto.CanonicalMIMEHeaderKey(h)] = r.Header.Values(h)
		}
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = emptySHA256
	}
	// S3 signs the path as sent, without escaping it a second time.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: sig.accessKey, SecretAccessKey: secret}
	if err := signer.SignHTTP(context.Background(), creds, cp, payload, sig.service, sig.region, when); err != nil {
		return sigV4{}, err
	}
	got, ok := parseSigV4(cp.Header.Get("Authorization"))
	if !ok {
		return sigV4{}, fmt.Errorf("the signer wrote an Authorization header this server cannot read")
	}
	return got, nil
}

// requireSignature answers requests not signed with one of keys with the
// S3 error, and passes the others to next.
func requireSignature(keys map[string]string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := check(r, keys)
		if e == nil {
			next.ServeHTTP(w, r)
			return
		}
		body := *e
		body.RequestID = requestID()
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write([]byte(xml.Header))
		_ = xml.NewEncoder(w).Encode(body)
	})
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

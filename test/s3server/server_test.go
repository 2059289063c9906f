package s3server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var right = Credentials{AccessKey: "flux-access", SecretKey: "flux-secret-key"}

// reply is what a test reads of a response, its body already read and
// closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

// signed sends a request signed as an S3 client signs it (header-based
// Signature Version 4 with the payload's hash), after tamper changed it.
func signed(t *testing.T, method, url string, body []byte, c Credentials, tamper func(*http.Request)) (reply, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: c.AccessKey, SecretAccessKey: c.SecretKey}
	if err := signer.SignHTTP(t.Context(), creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{StatusCode: resp.StatusCode, Header: resp.Header}, data
}

func serve(t *testing.T) *Server {
	t.Helper()
	s, err := Serve(right, Credentials{AccessKey: "other", SecretKey: "other-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.CreateBucket("manifests"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "cm.yaml"), []byte("name: ${NAME}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.UploadDir("manifests", dir, map[string]string{"${NAME}": "uploaded"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignedRequestsReadWhatWasUploaded(t *testing.T) {
	s := serve(t)
	resp, body := signed(t, http.MethodGet, s.URL+"/manifests/app/cm.yaml", nil, right, nil)
	if resp.StatusCode != http.StatusOK || string(body) != "name: uploaded\n" {
		t.Fatalf("GET object: %d %q", resp.StatusCode, body)
	}
	// minio-go, Flux's client, refuses an object without it.
	if _, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil {
		t.Fatalf("GET object: Last-Modified %q: %v", resp.Header.Get("Last-Modified"), err)
	}
	resp, body = signed(t, http.MethodGet, s.URL+"/manifests?list-type=2&prefix=app%2F", nil, right, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Key>app/cm.yaml</Key>") {
		t.Fatalf("ListObjectsV2: %d %s", resp.StatusCode, body)
	}
	// A body is signed too (content-length and the payload hash).
	resp, body = signed(t, http.MethodPut, s.URL+"/manifests/new.yaml", []byte("kind: New\n"), right, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT object: %d %s", resp.StatusCode, body)
	}
	resp, body = signed(t, http.MethodGet, s.URL+"/manifests/new.yaml", nil, right, nil)
	if resp.StatusCode != http.StatusOK || string(body) != "kind: New\n" {
		t.Fatalf("GET the put object: %d %q", resp.StatusCode, body)
	}
}

func TestRefusesWhatS3Refuses(t *testing.T) {
	s := serve(t)
	cases := []struct {
		name   string
		creds  Credentials
		tamper func(*http.Request)
		code   string
	}{
		{"an unknown access key", Credentials{AccessKey: "wrong-access", SecretKey: right.SecretKey}, nil, "InvalidAccessKeyId"},
		{"the wrong secret key", Credentials{AccessKey: right.AccessKey, SecretKey: "wrong-secret"}, nil, "SignatureDoesNotMatch"},
		{"another key's secret", Credentials{AccessKey: right.AccessKey, SecretKey: "other-secret"}, nil, "SignatureDoesNotMatch"},
		{"no signature", right, func(r *http.Request) { r.Header.Del("Authorization") }, "AccessDenied"},
		{"a changed object name", right, func(r *http.Request) { r.URL.Path = "/manifests/app/other.yaml" }, "SignatureDoesNotMatch"},
		{"a changed signed header", right, func(r *http.Request) { r.Header.Set("X-Amz-Date", "20200101T000000Z") }, "SignatureDoesNotMatch"},
		{"a malformed Authorization header", right, func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense") }, "AuthorizationHeaderMalformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := signed(t, http.MethodGet, s.URL+"/manifests/app/cm.yaml", nil, tc.creds, tc.tamper)
			var e s3Error
			if err := xml.Unmarshal(body, &e); err != nil {
				t.Fatalf("%d %q: %v", resp.StatusCode, body, err)
			}
			if resp.StatusCode != http.StatusForbidden || e.Code != tc.code {
				t.Fatalf("got %d %s, want 403 %s", resp.StatusCode, e.Code, tc.code)
			}
			if strings.Contains(string(body), "uploaded") {
				t.Fatalf("the object leaked: %s", body)
			}
		})
	}
}

func TestHeadIsRefusedWithoutBody(t *testing.T) {
	s := serve(t)
	resp, body := signed(t, http.MethodHead, s.URL+"/manifests", nil, Credentials{AccessKey: right.AccessKey, SecretKey: "wrong"}, nil)
	if resp.StatusCode != http.StatusForbidden || len(body) != 0 {
		t.Fatalf("HEAD bucket with a wrong secret: %d %q", resp.StatusCode, body)
	}
	resp, _ = signed(t, http.MethodHead, s.URL+"/manifests", nil, right, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD bucket: %d", resp.StatusCode)
	}
}

func TestServeNeedsCredentials(t *testing.T) {
	for _, creds := range [][]Credentials{nil, {{AccessKey: "a"}}, {{SecretKey: "s"}}} {
		if s, err := Serve(creds...); err == nil {
			s.Close()
			t.Fatalf("Serve(%d credentials with a missing part) started", len(creds))
		}
	}
}

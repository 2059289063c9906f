// Package s3server serves an S3-compatible object store on 127.0.0.1 for the
// end-to-end tests of sourceKind Bucket: gofakes3 with its in-memory backend
// (a library server that builds in seconds, where MinIO takes minutes),
// behind an AWS Signature Version 4 check of its own, because gofakes3 reads
// no credentials at all. A request signed with an unknown access key is
// refused with InvalidAccessKeyId, one signed with the wrong secret key with
// SignatureDoesNotMatch, an unsigned one with AccessDenied: S3's codes, so a
// client (Flux's minio-go) reports what it would report against S3.
package s3server

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/files"
)

// Credentials are one access key ID and its secret key.
type Credentials struct {
	AccessKey string
	SecretKey string
}

// Server is a running S3-compatible server.
type Server struct {
	// URL is the base address, http://127.0.0.1:<port>, what a FluxConfig's
	// spec.bucket.url holds.
	URL string
	// Endpoint is the host:port, what a Flux Bucket's spec.endpoint holds.
	Endpoint string

	backend *s3mem.Backend
	srv     *http.Server
}

// Serve starts a server on 127.0.0.1 that accepts requests signed with any
// of the given credentials, and no others.
func Serve(creds ...Credentials) (*Server, error) {
	if len(creds) == 0 {
		return nil, fmt.Errorf("s3server: at least one access key is needed")
	}
	keys := map[string]string{}
	for _, c := range creds {
		if c.AccessKey == "" || c.SecretKey == "" {
			return nil, fmt.Errorf("s3server: an access key and a secret key are both needed")
		}
		keys[c.AccessKey] = c.SecretKey
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	backend := s3mem.New()
	fake := gofakes3.New(backend, gofakes3.WithAutoBucket(false))
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Endpoint: ln.Addr().String(),
		backend:  backend,
	}
	s.srv = &http.Server{Handler: requireSignature(keys, fake.Server()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { _ = s.srv.Close() }

// CreateBucket makes an empty bucket.
func (s *Server) CreateBucket(name string) error {
	return s.backend.CreateBucket(name)
}

// PutObject stores data under key in bucket, with the metadata gofakes3
// itself keeps for an object uploaded over HTTP: without Last-Modified, a
// GET answers an empty Last-Modified header, which minio-go (Flux's client)
// refuses.
func (s *Server) PutObject(bucket, key string, data []byte) error {
	meta := map[string]string{
		"Content-Type":  "application/octet-stream",
		"Last-Modified": time.Now().UTC().Format(http.TimeFormat),
	}
	_, err := s.backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), nil)
	return err
}

// UploadDir stores every file under dir in bucket, keyed by its path
// relative to dir (slash-separated), after replacing each key of replace
// with its value in the file's content.
func (s *Server) UploadDir(bucket, dir string, replace map[string]string) error {
	content, err := files.Read(dir, replace)
	if err != nil {
		return err
	}
	for _, name := range files.Names(content) {
		if err := s.PutObject(bucket, name, []byte(content[name])); err != nil {
			return err
		}
	}
	return nil
}

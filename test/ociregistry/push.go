package ociregistry

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/files"
)

// Flux's OCI artifact format, as `flux push artifact` (fluxcd/pkg/oci)
// writes it: an OCI image manifest whose config has Flux's config media
// type, one tar+gzip layer of the directory, and the OpenContainers
// annotations for where the content came from.
const (
	ConfigMediaType  types.MediaType = "application/vnd.cncf.flux.config.v1+json"
	ContentMediaType types.MediaType = "application/vnd.cncf.flux.content.v1.tar+gzip"

	SourceAnnotation   = "org.opencontainers.image.source"
	RevisionAnnotation = "org.opencontainers.image.revision"
	CreatedAnnotation  = "org.opencontainers.image.created"
)

// Artifact is a directory to push and what its annotations say.
type Artifact struct {
	// Dir is the directory whose content becomes the layer.
	Dir string
	// Replace replaces each key with its value in every file's content.
	Replace map[string]string
	// Source and Revision become the source and revision annotations
	// (for example a Git URL and "main@sha1:<commit>").
	Source   string
	Revision string
}

// Image builds the artifact in Flux's format.
func (a Artifact) Image() (v1.Image, error) {
	content, err := files.Read(a.Dir, a.Replace)
	if err != nil {
		return nil, err
	}
	layer, err := files.TarGzip(content, "")
	if err != nil {
		return nil, err
	}
	created := time.Now().UTC().Truncate(time.Second)
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, ConfigMediaType)
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg.Created = v1.Time{Time: created}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, err
	}
	img = mutate.Annotations(img, map[string]string{
		CreatedAnnotation:  created.Format(time.RFC3339),
		SourceAnnotation:   a.Source,
		RevisionAnnotation: a.Revision,
	}).(v1.Image)
	return mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(layer, ContentMediaType)})
}

// Push stores the artifact in repository repo under every tag given (at
// least one) and returns its manifest digest, sha256:<hex>.
func (s *Server) Push(repo string, a Artifact, tags ...string) (string, error) {
	if len(tags) == 0 {
		return "", errors.New("ociregistry: Push needs a tag")
	}
	img, err := a.Image()
	if err != nil {
		return "", err
	}
	for _, tag := range tags {
		ref, err := name.NewTag(s.Host + "/" + repo + ":" + tag)
		if err != nil {
			return "", err
		}
		if err := remote.Write(ref, img, s.ClientOptions()...); err != nil {
			return "", err
		}
	}
	digest, err := img.Digest()
	if err != nil {
		return "", err
	}
	return digest.String(), nil
}

// ClientOptions are go-containerregistry options that reach this registry
// from the test process: Host dialed at 127.0.0.1, the test CA trusted, the
// registry's user and password.
func (s *Server) ClientOptions() []remote.Option {
	t := remote.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	addr := s.Addr
	t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, network, addr)
	}
	if s.opts.CA != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: s.opts.CA.Pool(), MinVersion: tls.VersionTLS12}
	}
	opts := []remote.Option{remote.WithTransport(t)}
	if s.opts.Username != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: s.opts.Username, Password: s.opts.Password}))
	}
	return opts
}

// DockerConfigJSON is the .dockerconfigjson of a kubernetes.io/dockerconfigjson
// Secret that logs in to this registry as user with password.
func (s *Server) DockerConfigJSON(user, password string) []byte {
	return dockerConfigJSON(s.Host, user, password)
}

func dockerConfigJSON(host, user, password string) []byte {
	type entry struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Auth     string `json:"auth"`
	}
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	data, _ := json.Marshal(map[string]map[string]entry{"auths": {host: {user, password, auth}}})
	return data
}

package azurite

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/files"
)

// Client is a client of the account with its key, over the path-style URL.
func (s *Server) Client() (*azblob.Client, error) {
	cred, err := azblob.NewSharedKeyCredential(s.Account, s.Key)
	if err != nil {
		return nil, err
	}
	return azblob.NewClientWithSharedKeyCredential(s.PathURL(), cred, nil)
}

// CreateContainer makes an empty container.
func (s *Server) CreateContainer(ctx context.Context, name string) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	_, err = c.CreateContainer(ctx, name, nil)
	return err
}

// UploadDir stores every file under dir as a block blob in container, named
// by its path relative to dir (slash-separated), after replacing each key of
// replace with its value in the file's content.
func (s *Server) UploadDir(ctx context.Context, container, dir string, replace map[string]string) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	content, err := files.Read(dir, replace)
	if err != nil {
		return err
	}
	for _, name := range files.Names(content) {
		if _, err := c.UploadBuffer(ctx, container, name, []byte(content[name]), nil); err != nil {
			return err
		}
	}
	return nil
}

// ContainerSAS mints a service SAS token (the query string, without "?")
// that may read and list container for ttl, signed with the account key:
// what a FluxConfig's sasToken protected parameter holds.
func (s *Server) ContainerSAS(container string, ttl time.Duration) (string, error) {
	cred, err := azblob.NewSharedKeyCredential(s.Account, s.Key)
	if err != nil {
		return "", err
	}
	q, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     time.Now().Add(-5 * time.Minute).UTC(),
		ExpiryTime:    time.Now().Add(ttl).UTC(),
		Permissions:   (&sas.ContainerPermissions{Read: true, List: true}).String(),
		ContainerName: container,
	}.SignWithSharedKey(cred)
	if err != nil {
		return "", err
	}
	return q.Encode(), nil
}

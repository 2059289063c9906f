package azurite

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// productionStyle sends every request to Azurite whatever the host name,
// as the e2e suite's proxy does for source-controller.
func (s *Server) productionStyle() *azblob.ClientOptions {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
	t := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, network, addr)
	}}
	return &azblob.ClientOptions{ClientOptions: policy.ClientOptions{Transport: &http.Client{Transport: t}, Retry: policy.RetryOptions{MaxRetries: -1}}}
}

// refused: Azure answers a bad signature with AuthenticationFailed, Azurite
// (3.37.0) with AuthorizationFailure; both are 403.
func refused(err error) bool {
	return bloberror.HasCode(err, bloberror.AuthenticationFailed, bloberror.AuthorizationFailure)
}

func names(t *testing.T, c *azblob.Client, container string) ([]string, error) {
	t.Helper()
	var out []string
	pager := c.NewListBlobsFlatPager(container, nil)
	for pager.More() {
		page, err := pager.NextPage(t.Context())
		if err != nil {
			return nil, err
		}
		for _, b := range page.Segment.BlobItems {
			out = append(out, *b.Name)
		}
	}
	return out, nil
}

func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{Dir: t.TempDir(), Account: "fluxtest"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	ctx := t.Context()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "cm.yaml"), []byte("name: ${NAME}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"manifests", "other"} {
		if err := s.CreateContainer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UploadDir(ctx, "manifests", dir, map[string]string{"${NAME}": "uploaded"}); err != nil {
		t.Fatal(err)
	}
	return s
}

// azuriteSpecs are the subtests of TestAzurite, on one running Azurite.
type azuriteSpecs struct{ s *Server }

func TestAzurite(t *testing.T) {
	az := azuriteSpecs{start(t)}
	t.Run("account key at the production-style URL, as Flux signs it", az.accountKey)
	t.Run("a wrong account key is refused", az.wrongKey)
	t.Run("the path-style URL signed for account 127, as Flux reads it, is refused", az.pathStyleAsFluxReadsIt)
	t.Run("a container SAS reads its container only", az.containerSAS)
	t.Run("no credentials are refused", az.anonymous)
}

func sharedKeyClient(t *testing.T, account, key, url string, opts *azblob.ClientOptions) *azblob.Client {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(account, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(url, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (az azuriteSpecs) accountKey(t *testing.T) {
	s := az.s
	c := sharedKeyClient(t, s.Account, s.Key, s.URL(), s.productionStyle())
	got, err := names(t, c, "manifests")
	if err != nil || !slices.Equal(got, []string{"app/cm.yaml"}) {
		t.Fatalf("blobs %v, %v", got, err)
	}
	buf := make([]byte, 64)
	n, err := c.DownloadBuffer(t.Context(), "manifests", "app/cm.yaml", buf, nil)
	if err != nil || string(buf[:n]) != "name: uploaded\n" {
		t.Fatalf("content %q, %v", buf[:n], err)
	}
}

func (az azuriteSpecs) wrongKey(t *testing.T) {
	s := az.s
	c := sharedKeyClient(t, s.Account, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk=", s.URL(), s.productionStyle())
	if _, err := names(t, c, "manifests"); !refused(err) {
		t.Fatalf("listing with a wrong key: %v", err)
	}
}

// pathStyleAsFluxReadsIt: Flux takes the account from the first label of the
// endpoint's host, "127" for the path-style URL (see the package comment).
func (az azuriteSpecs) pathStyleAsFluxReadsIt(t *testing.T) {
	s := az.s
	c := sharedKeyClient(t, "127", s.Key, s.PathURL(), &azblob.ClientOptions{ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	if _, err := names(t, c, "manifests"); !refused(err) {
		t.Fatalf("listing with account 127: %v", err)
	}
}

func (az azuriteSpecs) containerSAS(t *testing.T) {
	s := az.s
	token, err := s.ContainerSAS("manifests", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// As Flux does with sasKey: the token is the endpoint's query.
	c, err := azblob.NewClientWithNoCredential(s.URL()+"?"+token, s.productionStyle())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := names(t, c, "manifests"); err != nil || len(got) != 1 {
		t.Fatalf("blobs with the SAS %v, %v", got, err)
	}
	if _, err := names(t, c, "other"); !refused(err) {
		t.Fatalf("listing another container with the SAS: %v", err)
	}
	forged, err := azblob.NewClientWithNoCredential(s.URL()+"?"+strings.Replace(token, "sp=rl", "sp=rwl", 1), s.productionStyle())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := names(t, forged, "manifests"); !refused(err) {
		t.Fatalf("listing with a changed SAS: %v", err)
	}
}

func (az azuriteSpecs) anonymous(t *testing.T) {
	s := az.s
	c, err := azblob.NewClientWithNoCredential(s.URL(), s.productionStyle())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := names(t, c, "manifests"); err == nil {
		t.Fatal("an anonymous client listed a private container")
	}
}

func TestStartRefusesABadAccountName(t *testing.T) {
	for _, account := range []string{"", "ab", "Upper", "has-dash", strings.Repeat("a", 25)} {
		if s, err := Start(Options{Dir: t.TempDir(), Account: account}); err == nil {
			s.Stop()
			t.Fatalf("account %q accepted", account)
		}
	}
}

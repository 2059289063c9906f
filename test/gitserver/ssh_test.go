package gitserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// advertise connects as key and reads what git-upload-pack advertises for repo.
func advertise(t *testing.T, srv *SSHServer, signer ssh.Signer, repo string) (string, error) {
	t.Helper()
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.SplitN(srv.KnownHosts, " ", 2)[1]))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(srv.URL, "ssh://git@")
	client, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User: "git", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(hostKey), Timeout: 5 * time.Second,
	})
	if err != nil {
		return "", err
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	stdin, err := sess.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := sess.Start("git-upload-pack '/" + repo + "'"); err != nil {
		return "", err
	}
	var out strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(out.String(), "0000") { // the flush packet ends the advertisement
		n, err := stdout.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return out.String(), err
		}
	}
	_, _ = stdin.Write([]byte("0000")) // nothing wanted
	_ = stdin.Close()
	return out.String(), nil
}

func newSigner(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
}

func TestServeSSH(t *testing.T) {
	s, _, sha := serverWithRepo(t)
	srv, err := s.ServeSSH()
	if err != nil {
		t.Fatal(err)
	}
	signer, authorized := newSigner(t)

	if _, err := advertise(t, srv, signer, "demo.git"); err == nil {
		t.Fatal("a key that was not authorized got in")
	}
	if err := srv.Authorize(authorized); err != nil {
		t.Fatal(err)
	}
	out, err := advertise(t, srv, signer, "demo.git")
	if err != nil || !strings.Contains(out, sha+" HEAD") {
		t.Fatalf("advertisement over SSH: %v\n%q", err, out)
	}
	for _, bad := range []string{"../escape.git", "nope.git"} {
		if out, err := advertise(t, srv, signer, bad); err == nil && strings.Contains(out, sha) {
			t.Errorf("repository %q served: %q", bad, out)
		}
	}
	if _, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "ssh://git@")); !strings.HasPrefix(srv.KnownHosts, "[127.0.0.1]:"+port+" ssh-ed25519 ") {
		t.Errorf("known_hosts line %q", srv.KnownHosts)
	}
}

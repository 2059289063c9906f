package gitserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxconfig-controller/fluxconfig-controller/test/testca"
)

// lsRemote runs git ls-remote against url, trusting the CA file caFile
// (or the system's CAs when empty), and returns its output and error.
func lsRemote(t *testing.T, url, caFile string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", "ls-remote", url)
	// GIT_SSL_CAINFO wins over git's config, and may be set on the machine.
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0", "GIT_SSL_CAINFO="+caFile)
	if caFile == "" {
		cmd.Env = append(cmd.Env, "GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt")
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// serverWithRepo starts a server with repository "demo" holding one commit,
// and returns it, the repository and the commit's SHA.
func serverWithRepo(t *testing.T) (*Server, *Repo, string) {
	t.Helper()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	repo, err := s.CreateRepo("demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.WriteFile("a/b.yaml", "x: 1\n"); err != nil {
		t.Fatal(err)
	}
	sha, err := repo.Commit("first")
	if err != nil {
		t.Fatal(err)
	}
	return s, repo, sha
}

func TestServeHTTPAndHTTPS(t *testing.T) {
	s, repo, sha := serverWithRepo(t)

	plain, err := s.Serve()
	if err != nil {
		t.Fatal(err)
	}
	out, err := lsRemote(t, plain+"/demo.git", "")
	if err != nil || !strings.Contains(out, sha+"\trefs/heads/main") {
		t.Fatalf("ls-remote over HTTP: %v\n%s", err, out)
	}

	ca, err := testca.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	secure, err := s.ServeTLS(ca, "flux", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(caFile, ca.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := lsRemote(t, strings.Replace(secure, "https://", "https://flux:wrong@", 1)+"/demo.git", caFile); err == nil {
		t.Fatalf("wrong password accepted:\n%s", out)
	}
	if out, err := lsRemote(t, strings.Replace(secure, "https://", "https://flux:s3cret@", 1)+"/demo.git", ""); err == nil {
		t.Fatalf("certificate of an unknown CA accepted:\n%s", out)
	}
	out, err = lsRemote(t, strings.Replace(secure, "https://", "https://flux:s3cret@", 1)+"/demo.git", caFile)
	if err != nil || !strings.Contains(out, sha) {
		t.Fatalf("ls-remote over HTTPS with the right password: %v\n%s", err, out)
	}

	if repo.WriteFile("../escape", "") == nil {
		t.Fatal("a path outside the work tree was written")
	}
}

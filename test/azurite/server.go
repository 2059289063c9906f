// Package azurite runs the Azure Storage emulator Azurite (its blob service,
// installed from npm into bin/azurite by hack/build-azurite.sh) on 127.0.0.1
// for the end-to-end tests of sourceKind AzureBlob, with a storage account
// and key of its own, and offers what a test needs: containers, uploaded
// manifests, and SAS tokens.
//
// How Flux finds the account: source-controller (v1.9.6,
// internal/bucket/azure) signs Shared Key requests for the account named by
// the first label of the Bucket endpoint's host name, and refuses a host with
// fewer than three labels. An emulator URL of the path form,
// http://127.0.0.1:PORT/ACCOUNT, therefore makes Flux sign for account "127"
// and Azurite answer 403 AuthenticationFailed. The form that works is the
// production one, http://ACCOUNT.blob.localhost:PORT, which Azurite also reads
// the account from; Go's resolver does not resolve *.localhost names, so
// the end-to-end suite has source-controller reach them through a proxy
// (test/cluster's NameProxy). URL returns that form, PathURL the other.
package azurite

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testenv"
	"github.com/fluxconfig-controller/fluxconfig-controller/internal/testkit"
)

// Options say where Azurite keeps its files and which account it serves.
type Options struct {
	// Dir holds Azurite's data (its --location) and its log, azurite.log.
	Dir string
	// Account is the storage account name, 3 to 24 lowercase letters and
	// digits.
	Account string
}

// Server is a running Azurite blob service.
type Server struct {
	// Account and Key are the storage account and its key (base64), what
	// a FluxConfig's accountKey protected parameter holds.
	Account string
	Key     string
	// Port is the blob service's port on 127.0.0.1.
	Port int
	// LogPath is Azurite's output.
	LogPath string

	proc *testkit.Process
}

var accountName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

// listening is the line Azurite prints once it serves.
var listening = regexp.MustCompile(`listens on http://127\.0\.0\.1:(\d+)`)

// Start starts azurite-blob from AZURITE_BIN (or bin/azurite) on a free port
// of 127.0.0.1 and waits until it listens (at most a minute).
func Start(opts Options) (*Server, error) {
	if !accountName.MatchString(opts.Account) {
		return nil, fmt.Errorf("azurite: account %q must be 3 to 24 lowercase letters and digits", opts.Account)
	}
	dir, err := testenv.Dir("AZURITE_BIN", "azurite")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("azurite: %s is not installed: run hack/build-azurite.sh", bin)
	}
	data := filepath.Join(opts.Dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	s := &Server{Account: opts.Account, Key: base64.StdEncoding.EncodeToString(key), LogPath: filepath.Join(opts.Dir, "azurite.log")}
	args := []string{
		"--blobHost", "127.0.0.1", "--blobPort", "0", "--location", data,
		// No access log (it would show SAS tokens), no telemetry (no internet).
		"--silent", "--disableTelemetry", "--skipApiVersionCheck",
	}
	env := []string{"AZURITE_ACCOUNTS=" + s.Account + ":" + s.Key}
	if s.proc, err = testkit.StartProcess("azurite-blob", bin, args, env, s.LogPath); err != nil {
		return nil, err
	}
	if s.Port, err = s.waitListening(time.Minute); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitListening reads Azurite's log until it says which port it listens on.
func (s *Server) waitListening(timeout time.Duration) (int, error) {
	var port int
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		if p, ok := findPort(s.LogPath); ok {
			port = p
			return true, nil
		}
		if s.proc.Exited() {
			return false, fmt.Errorf("azurite-blob exited: see %s", s.LogPath)
		}
		return false, nil
	})
	if err != nil {
		return 0, fmt.Errorf("azurite-blob did not listen within %s (see %s): %w", timeout, s.LogPath, err)
	}
	return port, nil
}

func findPort(logPath string) (int, bool) {
	f, err := os.Open(logPath)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			port, err := strconv.Atoi(m[1])
			return port, err == nil
		}
	}
	return 0, false
}

// Stop stops Azurite.
func (s *Server) Stop() {
	if s.proc != nil {
		s.proc.Stop()
	}
}

// URL is the production-style endpoint, http://ACCOUNT.blob.localhost:PORT:
// what a FluxConfig's spec.azureBlob.url holds (see the package comment).
func (s *Server) URL() string {
	return fmt.Sprintf("http://%s.blob.localhost:%d", s.Account, s.Port)
}

// PathURL is the emulator's path-style endpoint, http://127.0.0.1:PORT/ACCOUNT,
// which this process reaches without a resolver.
func (s *Server) PathURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s", s.Port, s.Account)
}

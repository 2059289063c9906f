package gitserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// SSHServer serves the repositories of a Server over SSH on 127.0.0.1, for
// clients whose public key was authorized: read-only (git-upload-pack).
type SSHServer struct {
	// URL is ssh://git@127.0.0.1:<port>; a repository r is at <URL>/r.git.
	URL string
	// KnownHosts is the known_hosts line of the server's host key.
	KnownHosts string

	root string
	ln   net.Listener
	mu   sync.Mutex
	keys map[string]bool // authorized keys, in wire format
}

// ServeSSH starts an SSH listener for the server's repositories.
func (s *Server) ServeSSH() (*SSHServer, error) {
	_, hostKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.NewSignerFromKey(hostKey)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &SSHServer{root: s.root, ln: ln, keys: map[string]bool{}}
	addr := ln.Addr().(*net.TCPAddr)
	srv.URL = fmt.Sprintf("ssh://git@127.0.0.1:%d", addr.Port)
	srv.KnownHosts = fmt.Sprintf("[127.0.0.1]:%d %s", addr.Port, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))))
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if srv.keys[string(key.Marshal())] {
				return nil, nil
			}
			return nil, errors.New("public key not authorized")
		},
	}
	cfg.AddHostKey(signer)
	go srv.accept(cfg)
	s.mu.Lock()
	s.closers = append(s.closers, ln)
	s.mu.Unlock()
	return srv, nil
}

// Authorize lets a client in with the key of an authorized_keys line, such
// as a FluxConfig's status.repositoryPublicKey.
func (srv *SSHServer) Authorize(authorizedKey string) error {
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(authorizedKey))
	if err != nil {
		return err
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.keys[string(key.Marshal())] = true
	return nil
}

func (srv *SSHServer) accept(cfg *ssh.ServerConfig) {
	for {
		conn, err := srv.ln.Accept()
		if err != nil {
			return // closed
		}
		go srv.serve(conn, cfg)
	}
}

func (srv *SSHServer) serve(conn net.Conn, cfg *ssh.ServerConfig) {
	defer conn.Close()
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		go srv.session(ch, chReqs)
	}
}

// session runs one `git-upload-pack '<repo>'` exec request.
func (srv *SSHServer) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
			continue
		}
		var payload struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
			_ = req.Reply(false, nil)
			return
		}
		dir, err := srv.repoDir(payload.Command)
		if err != nil {
			_ = req.Reply(false, nil)
			fmt.Fprintln(ch.Stderr(), err)
			return
		}
		_ = req.Reply(true, nil)
		status := uploadPack(ch, dir)
		_ = ch.CloseWrite()
		b := make([]byte, 4)
		binary.BigEndian.PutUint32(b, status)
		_, _ = ch.SendRequest("exit-status", false, b)
		return
	}
}

// uploadPack runs git upload-pack on the bare repository dir for the
// client at the other end of ch, and returns its exit status.
func uploadPack(ch ssh.Channel, dir string) uint32 {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "upload-pack", dir)
	cmd.Stdout = ch
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Stdin is copied by hand: exec would wait for a copy from a client
	// that sends nothing more after git has exited. Closing the channel
	// (deferred by the caller) ends this copy.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 1
	}
	go func() {
		_, _ = io.Copy(stdin, ch)
		_ = stdin.Close()
	}()
	if err := cmd.Run(); err != nil {
		_, _ = ch.Stderr().Write(stderr.Bytes())
		return 1
	}
	return 0
}

// repoDir maps "git-upload-pack '/name.git'" to the bare repository.
func (srv *SSHServer) repoDir(command string) (string, error) {
	verb, arg, ok := strings.Cut(command, " ")
	if !ok || verb != "git-upload-pack" {
		return "", fmt.Errorf("only git-upload-pack is served, not %q", verb)
	}
	name := strings.Trim(arg, "'\"")
	name = strings.TrimPrefix(name, "/")
	if name == "" || strings.Contains(name, "/") || strings.Contains(name, "..") || !strings.HasSuffix(name, ".git") {
		return "", fmt.Errorf("no repository %q", arg)
	}
	return filepath.Join(srv.root, name), nil
}

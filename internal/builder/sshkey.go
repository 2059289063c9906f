package builder

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// SSHKeyPair is an SSH identity in the formats Flux reads: an OpenSSH PEM
// private key and an authorized_keys line.
type SSHKeyPair struct {
	PrivateKey []byte
	PublicKey  []byte
}

// GenerateSSHKeyPair makes a new ed25519 key pair. It is the one impure
// function of this package, called by the controller only when an SSH URL
// has no key and none was generated before.
func GenerateSSHKeyPair() (*SSHKeyPair, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating an SSH key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "fluxconfig-controller")
	if err != nil {
		return nil, fmt.Errorf("encoding the SSH key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding the SSH public key: %w", err)
	}
	return &SSHKeyPair{PrivateKey: pem.EncodeToMemory(block), PublicKey: ssh.MarshalAuthorizedKey(sshPub)}, nil
}

// publicKeyOf derives the authorized_keys line of a PEM private key. The
// error never quotes the key.
func publicKeyOf(privateKey []byte) ([]byte, error) {
	signer, err := ssh.ParsePrivateKey(privateKey)
	if err != nil {
		if _, ok := err.(*ssh.PassphraseMissingError); ok {
			return nil, fmt.Errorf("is protected by a passphrase, which Flux cannot use; give a key without one")
		}
		return nil, fmt.Errorf("is not a PEM-encoded SSH private key (RSA, ECDSA or ed25519)")
	}
	return ssh.MarshalAuthorizedKey(signer.PublicKey()), nil
}

// IsSSHURL tells whether a Git URL is reached over SSH.
func IsSSHURL(url string) bool {
	return strings.HasPrefix(url, "ssh://") || strings.HasPrefix(url, "git@")
}

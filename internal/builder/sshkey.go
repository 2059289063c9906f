package builder

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// The algorithms of generated SSH keys (flag --ssh-key-algorithm).
const (
	// KeyAlgorithmRSA is the default: Azure DevOps accepts only RSA keys,
	// and Azure's own extension generates RSA, so the published key can be
	// added wherever the repository is.
	KeyAlgorithmRSA     = "rsa"
	KeyAlgorithmECDSA   = "ecdsa"
	KeyAlgorithmEd25519 = "ed25519"

	// RSAKeyBits is the size of a generated RSA key.
	RSAKeyBits = 4096
)

// KeyAlgorithms lists the algorithms GenerateSSHKeyPair accepts.
var KeyAlgorithms = []string{KeyAlgorithmRSA, KeyAlgorithmECDSA, KeyAlgorithmEd25519}

// SSHKeyPair is an SSH identity in the formats Flux reads: an OpenSSH PEM
// private key and an authorized_keys line.
type SSHKeyPair struct {
	PrivateKey []byte
	PublicKey  []byte
}

// GenerateSSHKeyPair makes a new key pair of the given algorithm (RSA when
// empty): RSA 4096 bits, ECDSA P-256 or ed25519, the private key in
// OpenSSH's format. It is the one impure function of this package, called
// by the controller only when an SSH URL has no key and none was generated
// before.
func GenerateSSHKeyPair(algorithm string) (*SSHKeyPair, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch algorithm {
	case KeyAlgorithmRSA, "":
		priv, err = rsa.GenerateKey(rand.Reader, RSAKeyBits)
	case KeyAlgorithmECDSA:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyAlgorithmEd25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("unknown SSH key algorithm %q: use one of %s", algorithm, strings.Join(KeyAlgorithms, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("generating an SSH key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "fluxconfig-controller")
	if err != nil {
		return nil, fmt.Errorf("encoding the SSH key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(priv.Public())
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
		if errors.As(err, new(*ssh.PassphraseMissingError)) {
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

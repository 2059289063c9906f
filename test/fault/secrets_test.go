package fault

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

// plantedSecrets are the secret values the suite handed to the controller
// (protected parameters) or that the controller generated (private keys).
// None may appear in a log line, an event, a status or a generated object
// other than the Secret that carries it. Values are never printed: a leak
// is reported by what the value was.
type plantedSecrets struct {
	mu     sync.Mutex
	values []plantedValue
}

type plantedValue struct {
	what  string
	probe []string
}

var planted = &plantedSecrets{}

// newSecret returns a fresh random secret value and plants it.
func newSecret(what string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	v := "fault-" + hex.EncodeToString(b)
	planted.add(what, v)
	return v
}

// add plants value. Besides the whole value (and its base64, as a Secret's
// data reads in JSON), it probes 16-character pieces of it, so a value cut
// short or split across lines is found too.
func (p *plantedSecrets) add(what, value string) {
	var probes []string
	for _, text := range []string{value, base64.StdEncoding.EncodeToString([]byte(value))} {
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "-----") || len(line) < 16 {
				continue
			}
			for i := 0; i+16 <= len(line); i += 12 {
				probes = append(probes, line[i:i+16])
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.values = append(p.values, plantedValue{what: what, probe: probes})
}

// addKey plants a PEM private key the controller generated. Its first
// lines are the same for every OpenSSH key and hold the public key, so
// the probes are 24 characters from its later lines, and from the end of
// its base64 (a Secret's data in JSON): a few probes per key, so scanning
// for dozens of keys stays cheap.
func (p *plantedSecrets) addKey(what string, pemKey []byte) {
	var probes []string
	lines := strings.Split(strings.TrimSpace(string(pemKey)), "\n")
	for i, line := range lines {
		if i >= 3 && !strings.HasPrefix(line, "-----") && len(line) >= 24 {
			probes = append(probes, line[:24])
		}
	}
	b64 := base64.StdEncoding.EncodeToString(pemKey)
	for _, at := range []int{len(b64) * 6 / 10, len(b64) * 3 / 4} {
		probes = append(probes, b64[at:at+24])
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.values = append(p.values, plantedValue{what: what, probe: probes})
}

// leaks lists what planted value shows in text, which where names.
func (p *plantedSecrets) leaks(where, text string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var found []string
	for _, v := range p.values {
		for _, probe := range v.probe {
			if strings.Contains(text, probe) {
				found = append(found, fmt.Sprintf("%s: a piece of %s", where, v.what))
				break
			}
		}
	}
	return found
}

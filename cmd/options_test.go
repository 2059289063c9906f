package main

import (
	"strings"
	"testing"
)

// TestNewFlags: the flags of issue 9 parse, default as documented, and a
// wrong algorithm is refused naming the flag and the choices.
func TestNewFlags(t *testing.T) {
	o, err := parseOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.sshKeyAlgorithm != "rsa" || o.allowRemoteInNamespace {
		t.Errorf("defaults: --ssh-key-algorithm=%q --allow-remote-clusters-in-namespace-scope=%v, want rsa and false", o.sshKeyAlgorithm, o.allowRemoteInNamespace)
	}
	o, err = parseOptions([]string{"--ssh-key-algorithm=ed25519", "--allow-remote-clusters-in-namespace-scope"})
	if err != nil {
		t.Fatal(err)
	}
	if o.sshKeyAlgorithm != "ed25519" || !o.allowRemoteInNamespace {
		t.Errorf("parsed %q %v", o.sshKeyAlgorithm, o.allowRemoteInNamespace)
	}
	_, err = parseOptions([]string{"--ssh-key-algorithm=dsa"})
	if err == nil || !strings.Contains(err.Error(), "--ssh-key-algorithm") || !strings.Contains(err.Error(), "rsa, ecdsa, ed25519") {
		t.Errorf("an unknown algorithm: error %v, want one naming the flag and the choices", err)
	}
}

// TestLeaderElectionIDPerShard: two shards never share a lease, and an
// unsharded controller keeps the lease name it always had.
func TestLeaderElectionIDPerShard(t *testing.T) {
	ids := map[string]string{}
	for _, sel := range []string{"", "shard=a", "shard=b"} {
		o, err := parseOptions([]string{"--watch-label-selector=" + sel})
		if err != nil {
			t.Fatal(err)
		}
		ids[sel] = o.leaderElectionID
	}
	if ids[""] != defaultLeaderElectionID {
		t.Errorf("unsharded lease %q, want %q", ids[""], defaultLeaderElectionID)
	}
	if ids["shard=a"] == ids["shard=b"] || ids["shard=a"] == ids[""] {
		t.Errorf("shards share a lease: %v", ids)
	}
	o, err := parseOptions([]string{"--watch-label-selector=shard=a", "--leader-election-id=mine"})
	if err != nil || o.leaderElectionID != "mine" {
		t.Errorf("--leader-election-id: %q, %v", o.leaderElectionID, err)
	}
}

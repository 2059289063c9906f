package arm_test

import (
	"testing"

	"github.com/fluxconfig-controller/fluxconfig-controller/pkg/arm"
)

func TestRevision(t *testing.T) {
	sha1 := "0ba6f0d30760d567de0bac86c8c4eec13ce1a590"
	sha256 := "55396be14f18fa2b977c1f22becef26a94d1d9a7ccb1e19d12f9cac52d757a84"
	tests := []struct{ flux, azure string }{
		{"main@sha1:" + sha1, "main/" + sha1},
		{"feature/login@sha1:" + sha1, "feature/login/" + sha1},
		{"v1.2.3@sha1:" + sha1, "v1.2.3/" + sha1},
		{"sha1:" + sha1, sha1},
		{"latest@sha256:" + sha256, "latest/" + sha256},
		{"sha256:" + sha256, sha256},
		{"", ""},
		{"not a revision", "not a revision"},
	}
	for _, tt := range tests {
		if got := arm.AzureRevision(tt.flux); got != tt.azure {
			t.Errorf("AzureRevision(%q) = %q, want %q", tt.flux, got, tt.azure)
		}
		if got := arm.FluxRevision(tt.azure); got != tt.flux {
			t.Errorf("FluxRevision(%q) = %q, want %q", tt.azure, got, tt.flux)
		}
	}
	// A digest of the wrong length for its algorithm is left alone.
	if got := arm.AzureRevision("main@sha1:abc"); got != "main@sha1:abc" {
		t.Errorf("AzureRevision(short) = %q", got)
	}
}

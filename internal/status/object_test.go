package status

import (
	"testing"
)

func TestObjectRef(t *testing.T) {
	if got, want := Missing("HelmRelease", "apps", "web").Ref(), "HelmRelease apps/web"; got != want {
		t.Errorf("Ref() = %q, want %q", got, want)
	}
}

package main

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestLocalReplaces(t *testing.T) {
	cases := []struct {
		name   string
		gomod  string // `go mod edit -json` output
		expect []string
	}{{
		name: "required staging modules replaced with directories, sorted",
		gomod: `{"Require": [{"Path": "k8s.io/client-go", "Version": "v0.0.0"}, {"Path": "k8s.io/api", "Version": "v0.0.0"}],
			"Replace": [{"Old": {"Path": "k8s.io/client-go"}, "New": {"Path": "./staging/src/k8s.io/client-go"}},
				{"Old": {"Path": "k8s.io/api"}, "New": {"Path": "./staging/src/k8s.io/api"}}]}`,
		expect: []string{"k8s.io/api", "k8s.io/client-go"},
	}, {
		name: "a replacement by another module version is not local",
		gomod: `{"Require": [{"Path": "github.com/a/b", "Version": "v1.0.0"}],
			"Replace": [{"Old": {"Path": "github.com/a/b"}, "New": {"Path": "github.com/a/b", "Version": "v1.0.1"}}]}`,
	}, {
		name: "a directory replacement of a module not required is left out",
		gomod: `{"Require": [],
			"Replace": [{"Old": {"Path": "k8s.io/sample"}, "New": {"Path": "../sample"}}]}`,
	}, {
		name:  "no replace at all",
		gomod: `{"Require": [{"Path": "github.com/a/b", "Version": "v1.0.0"}]}`,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mf modFile
			if err := json.Unmarshal([]byte(tc.gomod), &mf); err != nil {
				t.Fatal(err)
			}
			if got := localReplaces(mf); !slices.Equal(got, tc.expect) {
				t.Errorf("localReplaces() = %q, want %q", got, tc.expect)
			}
		})
	}
}

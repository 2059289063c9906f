package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fluxconfig-controller/fluxconfig-controller/api/v1alpha1"
)

// groupSep joins the KEY=VALUE words of one --kustomization.
const groupSep = "\n"

// nargsFlags take several words, as az's nargs="+" does:
// --kustomization name=infra path=./infra prune=true.
var nargsFlags = map[string]bool{"--kustomization": true, "-k": true, "--match-oidc-identity": true, "--verification-config": true}

// groupKustomizationArgs rewrites the words that follow a multi-word flag
// into that flag's value, so cobra sees one value per flag: the words of a
// --kustomization are joined (one kustomization each), those of the other
// flags repeat the flag.
func groupKustomizationArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		flag := args[i]
		if !nargsFlags[flag] {
			out = append(out, flag)
			continue
		}
		isKs := flag == "--kustomization" || flag == "-k"
		var words []string
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && (!isKs || strings.Contains(args[i+1], "=")) {
			i++
			words = append(words, args[i])
		}
		if len(words) == 0 {
			out = append(out, flag) // cobra reports the missing value
			continue
		}
		if isKs {
			out = append(out, flag, strings.Join(words, groupSep))
			continue
		}
		for _, w := range words {
			out = append(out, flag, w)
		}
	}
	return out
}

// kustomizationKeys maps every key az accepts to the field it sets.
var kustomizationKeys = map[string]string{
	"name": "name", "path": "path",
	"dependsOn": "dependsOn", "depends_on": "dependsOn", "dependencies": "dependsOn", "depends": "dependsOn",
	"interval": "syncInterval", "sync_interval": "syncInterval", "syncInterval": "syncInterval",
	"retryInterval": "retryInterval", "retry_interval": "retryInterval",
	"timeout": "timeout", "prune": "prune", "force": "force", "wait": "wait",
	"disable_health_check": "disableHealthCheck", "disableHealthCheck": "disableHealthCheck",
}

// parseKustomization reads one --kustomization: KEY=VALUE words, as az
// does, separated by groupSep or spaces.
func parseKustomization(group string) (v1alpha1.KustomizationDefinition, error) {
	var k v1alpha1.KustomizationDefinition
	for _, word := range kustomizationWords(group) {
		key, value, ok := strings.Cut(word, "=")
		field, known := kustomizationKeys[key]
		switch {
		case !ok:
			return k, usagef("--kustomization %q: want KEY=VALUE words, for example name=infra path=./infrastructure prune=true", word)
		case !known:
			return k, usagef("--kustomization: unknown key %q; use name, path, dependsOn, syncInterval, retryInterval, timeout, prune, force, wait or disable_health_check", key)
		}
		if err := setKustomizationField(&k, field, value); err != nil {
			return k, usagef("--kustomization %s=%s: %v", key, value, err)
		}
	}
	if k.Name == "" {
		return k, usagef("--kustomization %q: name=NAME is required", strings.ReplaceAll(group, groupSep, " "))
	}
	return k, nil
}

// kustomizationWords splits a --kustomization into its KEY=VALUE words:
// the shell's words, as groupKustomizationArgs joined them, or, for one
// quoted argument ("name=a path=./a"), its space-separated parts, where a
// value with an open bracket or quote goes on over spaces.
func kustomizationWords(group string) []string {
	if strings.Contains(group, groupSep) {
		return strings.Split(group, groupSep)
	}
	var words []string
	for _, w := range strings.Fields(group) {
		if n := len(words); n > 0 && unclosed(words[n-1]) {
			words[n-1] += " " + w
			continue
		}
		words = append(words, w)
	}
	return words
}

func unclosed(s string) bool {
	return strings.Count(s, "[") > strings.Count(s, "]") || strings.Count(s, `"`)%2 == 1 || strings.Count(s, "'")%2 == 1
}

func setKustomizationField(k *v1alpha1.KustomizationDefinition, field, value string) (err error) {
	switch field {
	case "name":
		k.Name = value
	case "path":
		k.Path = value
	case "dependsOn":
		k.DependsOn = ParseDependsOn(value)
	case "syncInterval":
		k.SyncInterval, err = parseDuration(value)
	case "retryInterval":
		k.RetryInterval, err = parseDuration(value)
	case "timeout":
		k.Timeout, err = parseDuration(value)
	case "prune":
		k.Prune, err = strconv.ParseBool(value)
	case "force":
		k.Force, err = strconv.ParseBool(value)
	case "wait", "disableHealthCheck":
		var b bool
		b, err = strconv.ParseBool(value)
		b = b == (field == "wait")
		k.Wait = &b
	}
	return err
}

// ParseDependsOn reads a dependsOn value however the shell left it:
// ["a","b"] (single-quoted), [a,b] (the tutorial's \["a"\] after bash),
// a,b or a. Brackets, quotes and spaces around names are dropped.
func ParseDependsOn(value string) []string {
	value = strings.TrimSpace(value)
	value = strings.TrimSuffix(strings.TrimPrefix(value, "["), "]")
	var out []string
	for _, part := range strings.Split(value, ",") {
		if name := strings.Trim(part, " \t\"'`"); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// parseDuration reads a Go duration (10m, 1h30m, 90s).
func parseDuration(s string) (*metav1.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return nil, fmt.Errorf("%q is not a duration like 10m, 1h30m or 90s", s)
	}
	return &metav1.Duration{Duration: d}, nil
}

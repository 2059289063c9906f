#!/usr/bin/env bash
# Prints the packages whose tests need no API server, for `make test-unit`:
# every package with tests whose test binary does not link internal/testenv
# (the package that starts kube-apiserver and etcd from bin/k8s). A new
# package is in or out by that rule, without a list to keep.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

# For each package with tests, `go list -test` adds a main package
# "<path>.test" whose Deps are everything its test binary links.
go list -test -f '{{if eq .Name "main"}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{"\n"}}{{end}}' ./... |
  awk '$1 ~ /\.test$/ && !/\/internal\/testenv( |$)/ { sub(/\.test$/, "", $1); print $1 }'

#!/usr/bin/env bash
# Prints the packages whose tests need no API server, for `make test-unit`:
# every package with tests whose test binary does not link internal/testenv
# (the package that starts kube-apiserver and etcd from bin/k8s). A new
# package is in or out by that rule, without a list to keep.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

# For each package with tests, `go list -test` adds a main package
# "<path>.test" whose Deps are everything its test binary links. Printed as
# ./dir, relative to the module.
module=$(go list -m)
go list -test -f '{{if eq .Name "main"}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{"\n"}}{{end}}' ./... |
  awk -v module="$module" '$1 ~ /\.test$/ && !/\/internal\/testenv( |$)/ {
    path = substr($1, 1, length($1) - length(".test"))
    print "." substr(path, length(module) + 1)
  }'

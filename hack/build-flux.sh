#!/usr/bin/env bash
# Builds the real Flux controllers (source-, kustomize- and helm-controller)
# from their Go modules into $BIN_DIR/flux, because no container registry is
# reachable here. The versions follow go.mod's API modules (helm-controller:
# the newest main module whose go directive this toolchain accepts).
# Quiet when everything is cached; prints progress while building.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
OUT=$BIN_DIR/flux
WORK=$BIN_DIR/.build/flux
mkdir -p "$OUT" "$WORK"
cd "$ROOT"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

ver() { GOFLAGS=-mod=mod go list -m -f '{{.Version}}' "$1"; }
SOURCE_VERSION=${SOURCE_VERSION:-$(ver github.com/fluxcd/source-controller/api)}
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-$(ver github.com/fluxcd/kustomize-controller/api)}
# helm-controller v1.6.5's main module needs a newer Go than 1.26.
HELM_VERSION=${HELM_VERSION:-v1.6.4}

moddir() { # $1 = module@version: prints the module cache directory
  (cd "$WORK" && [ -f go.mod ] || go mod init fluxbuild >/dev/null 2>&1
   cd "$WORK" && go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
}

build() { # $1 = controller name, $2 = version, then extra go mod edit arguments
  local name=$1 version=$2
  shift 2
  [ -x "$OUT/$name" ] && [ "$(cat "$OUT/$name.version" 2>/dev/null)" = "$version" ] && return 0
  echo ">> building $name $version from github.com/fluxcd/$name (3-5 minutes cold)" >&2
  local src=$WORK/$name
  rm -rf "$src"
  cp -r "$(moddir "github.com/fluxcd/$name@$version")" "$src"
  chmod -R u+w "$src"
  # The main module replaces its api module with ./api, which the module
  # zip does not contain: put the published api module of the same version there.
  rm -rf "$src/api"
  cp -r "$(moddir "github.com/fluxcd/$name/api@$version")" "$src/api"
  chmod -R u+w "$src/api"
  for edit in "$@"; do (cd "$src" && go mod edit "$edit"); done
  # go build fetches only what the binary imports (a bare go mod download
  # fails on test-only modules the proxy does not serve).
  # The module download lines are many; errors still show.
  (cd "$src" && go build -mod=mod -trimpath -ldflags "-s -w" -o "$OUT/$name" . 2>&1 | grep -v '^go: downloading' >&2 || true)
  [ -x "$OUT/$name" ] && [ "$OUT/$name" -nt "$src/go.mod" ] || { echo "building $name failed" >&2; exit 1; }
  echo "$version" >"$OUT/$name.version"
}

# The proxy refuses the zip of github.com/fluxcd/pkg/artifact v0.18.3.
build source-controller "$SOURCE_VERSION" -replace=github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@v0.18.1
build kustomize-controller "$KUSTOMIZE_VERSION"
build helm-controller "$HELM_VERSION"

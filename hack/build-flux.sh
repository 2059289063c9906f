#!/usr/bin/env bash
# Builds the real Flux controllers (source-, kustomize- and helm-controller)
# from their Go modules into $BIN_DIR/flux, because no container registry is
# reachable here. source- and kustomize-controller follow go.mod's API
# modules; helm-controller's version is in hack/versions.env.
# Quiet when everything is cached; prints one progress line per build, and
# the build's output when it fails.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

OUT=$BIN_DIR/flux
WORK=$BIN_DIR/.build/flux
mkdir -p "$OUT" "$WORK"

SOURCE_CONTROLLER_VERSION=${SOURCE_CONTROLLER_VERSION:-$(gomod_version github.com/fluxcd/source-controller/api)}
KUSTOMIZE_CONTROLLER_VERSION=${KUSTOMIZE_CONTROLLER_VERSION:-$(gomod_version github.com/fluxcd/kustomize-controller/api)}

# copy_module MODULE@VERSION DIR: a writable copy of the module's source.
copy_module() {
  local src
  src=$(module_dir "$1")
  rm -rf "$2"
  cp -r "$src" "$2"
  chmod -R u+w "$2"
}

build() { # $1 = controller name, $2 = version, then extra go mod edit arguments
  local name=$1 version=$2
  shift 2
  stamp_ok "$OUT/$name" "$version" && return 0
  progress "building $name $version from github.com/fluxcd/$name (3-5 minutes cold)"
  local src=$WORK/$name
  copy_module "github.com/fluxcd/$name@$version" "$src"
  # The main module replaces its api module with ./api, which the module
  # zip does not contain: put the published api module of the same version there.
  copy_module "github.com/fluxcd/$name/api@$version" "$src/api"
  local edit
  for edit in "$@"; do quiet "$src" go mod edit "$edit"; done
  # go build fetches only what the binary imports (a bare go mod download
  # fails on test-only modules the proxy does not serve).
  go_build "$src" "$OUT/$name" -ldflags "-s -w" .
  echo "$version" >"$OUT/$name.version"
}

build source-controller "$SOURCE_CONTROLLER_VERSION" \
  -replace="github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@$FLUX_PKG_ARTIFACT_VERSION"
build kustomize-controller "$KUSTOMIZE_CONTROLLER_VERSION"
build helm-controller "$HELM_CONTROLLER_VERSION"

#!/usr/bin/env bash
# Copies the Flux CRDs, at the versions go.mod pins, into $OUT (default
# bin/flux-crds). source- and kustomize-controller ship their CRD YAML in
# their main modules at the same version as their api modules. The
# helm-controller main module is not served at every api version, so its
# HelmRelease CRD is generated with controller-gen from the pinned api module.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/bin/flux-crds}
cd "$ROOT"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

ver() { go list -m -f '{{.Version}}' "$1"; }
SRC_VER=$(ver github.com/fluxcd/source-controller/api)
KS_VER=$(ver github.com/fluxcd/kustomize-controller/api)
HELM_VER=$(ver github.com/fluxcd/helm-controller/api)
want="source=$SRC_VER kustomize=$KS_VER helm=$HELM_VER"
[ "$(cat "$OUT/.versions" 2>/dev/null)" = "$want" ] && exit 0

echo ">> fetching Flux CRDs ($want)" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
moddir() { (cd "$tmp" && go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'); }
(cd "$tmp" && go mod init fluxcrds >/dev/null 2>&1)

rm -rf "$OUT" && mkdir -p "$OUT"
cp "$(moddir "github.com/fluxcd/source-controller@$SRC_VER")"/config/crd/bases/*.yaml "$OUT/"
cp "$(moddir "github.com/fluxcd/kustomize-controller@$KS_VER")"/config/crd/bases/*.yaml "$OUT/"


go tool controller-gen crd paths=github.com/fluxcd/helm-controller/api/... output:crd:artifacts:config="$tmp/helmcrd" >/dev/null
cp "$tmp"/helmcrd/*.yaml "$OUT/"
chmod u+w "$OUT"/*.yaml
echo "$want" >"$OUT/.versions"

#!/usr/bin/env bash
# Copies the Flux CRDs, at the versions go.mod pins, into $OUT (default
# bin/flux-crds). source- and kustomize-controller ship their CRD YAML in
# their main modules at the same version as their api modules. The
# helm-controller main module is not served at every api version, so its
# HelmRelease CRD is generated with controller-gen from the pinned api module.
# Quiet when cached; prints one progress line, and what failed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

OUT=${OUT:-$BIN_DIR/flux-crds}

SRC_VER=$(gomod_version github.com/fluxcd/source-controller/api)
KS_VER=$(gomod_version github.com/fluxcd/kustomize-controller/api)
HELM_VER=$(gomod_version github.com/fluxcd/helm-controller/api)
want="source=$SRC_VER kustomize=$KS_VER helm=$HELM_VER"
[ "$(cat "$OUT/.versions" 2>/dev/null)" = "$want" ] && exit 0

progress "fetching Flux CRDs ($want)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$(module_dir "github.com/fluxcd/source-controller@$SRC_VER")
ks=$(module_dir "github.com/fluxcd/kustomize-controller@$KS_VER")

rm -rf "$OUT" && mkdir -p "$OUT"
cp "$src"/config/crd/bases/*.yaml "$ks"/config/crd/bases/*.yaml "$OUT/"
GOFLAGS="-mod=mod -buildvcs=false" quiet "$ROOT" go tool controller-gen crd paths=github.com/fluxcd/helm-controller/api/... \
  output:crd:artifacts:config="$tmp/helmcrd"
cp "$tmp"/helmcrd/*.yaml "$OUT/"
chmod u+w "$OUT"/*.yaml
echo "$want" >"$OUT/.versions"

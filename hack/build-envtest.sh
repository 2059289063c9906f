#!/usr/bin/env bash
# Builds the envtest control plane (kube-apiserver, etcd) and kubectl (the
# `kubectl wait` / `kubectl explain` specs run it) from Go modules into
# $BIN_DIR/k8s, because setup-envtest's download bucket is not reachable here.
# Versions: hack/versions.env. Quiet when everything is cached; prints one
# progress line per build, and the build's output when it fails.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

OUT=$BIN_DIR/k8s
WORK=$BIN_DIR/.build
mkdir -p "$OUT"

# kubernetes_module makes $WORK/kubernetes a module requiring
# k8s.io/kubernetes at K8S_VERSION. That module requires its staging modules
# (k8s.io/api, ...) at v0.0.0 and replaces them with ./staging/src/..., which
# a dependency's replaces cannot do: each gets its published version
# (v0.36.3 for v1.36.3). hack/localreplaces lists them from its go.mod.
kubernetes_module() {
  local mod=$WORK/kubernetes kdir staging m
  build_module "$mod" envtest-kubernetes "k8s.io/kubernetes@$K8S_VERSION"
  kdir=$(module_dir "k8s.io/kubernetes@$K8S_VERSION")
  staging=$(go mod edit -json "$kdir/go.mod" | (cd "$ROOT" && go run ./hack/localreplaces))
  for m in $staging; do
    quiet "$mod" go mod edit -replace="$m=$m@v0.${K8S_VERSION#v1.}"
  done
}

build_kube() { # $1 = command name under k8s.io/kubernetes/cmd
  local cmd=$1
  stamp_ok "$OUT/$cmd" "$K8S_VERSION" && return 0
  progress "building $cmd $K8S_VERSION from k8s.io/kubernetes (a few minutes cold)"
  kubernetes_module
  local v="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  v="$v -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  go_build "$WORK/kubernetes" "$OUT/$cmd" -ldflags "-s -w $v" "k8s.io/kubernetes/cmd/$cmd"
  echo "$K8S_VERSION" >"$OUT/$cmd.version"
}

build_etcd() {
  stamp_ok "$OUT/etcd" "$ETCD_VERSION" && return 0
  progress "building etcd $ETCD_VERSION from go.etcd.io/etcd/server/v3"
  build_module "$WORK/etcd" envtest-etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go_build "$WORK/etcd" "$OUT/etcd" -ldflags "-s -w" go.etcd.io/etcd/server/v3
  echo "$ETCD_VERSION" >"$OUT/etcd.version"
}

build_etcd
build_kube kube-apiserver
build_kube kubectl

#!/usr/bin/env bash
# Builds the envtest control plane (kube-apiserver, etcd) and kubectl (the
# `kubectl wait` / `kubectl explain` specs run it) from Go modules into
# $BIN_DIR/k8s, because setup-envtest's download bucket is not reachable here.
# Quiet when everything is cached; prints progress while building.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
K8S_VERSION=${K8S_VERSION:-1.36.3}
ETCD_VERSION=${ETCD_VERSION:-3.6.8}
OUT=$BIN_DIR/k8s
WORK=$BIN_DIR/.build
mkdir -p "$OUT" "$WORK"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

stamp_ok() { [ -x "$OUT/$1" ] && [ "$(cat "$OUT/$1.version" 2>/dev/null)" = "$2" ]; }

build_kube() { # $1 = command name under k8s.io/kubernetes/cmd
  local cmd=$1
  stamp_ok "$cmd" "v$K8S_VERSION" && return 0
  echo ">> building $cmd v$K8S_VERSION from k8s.io/kubernetes (a few minutes cold)" >&2
  local mod=$WORK/kubernetes
  mkdir -p "$mod"
  if [ ! -f "$mod/go.mod" ] || ! grep -q "k8s.io/kubernetes v$K8S_VERSION" "$mod/go.mod"; then
    rm -f "$mod/go.mod" "$mod/go.sum"
    (cd "$mod" && go mod init envtest-kubernetes >/dev/null 2>&1 \
      && go mod edit -go=1.26 -require="k8s.io/kubernetes@v$K8S_VERSION")
    local kdir
    kdir=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    # Every staging module that kubernetes replaces with ./staging/... and
    # requires at v0.0.0 gets the matching published version.
    local staging
    staging=$(awk '/=> \.\/staging\/src\// {print $1}' "$kdir/go.mod" | sort -u)
    for m in $staging; do
      if grep -qE "^[[:space:]]+$m v0\.0\.0" "$kdir/go.mod"; then
        (cd "$mod" && go mod edit -replace="$m=$m@v0.${K8S_VERSION#1.}")
      fi
    done
  fi
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION"
  (cd "$mod" && go build -mod=mod -trimpath -ldflags "$ld" -o "$OUT/$cmd" "k8s.io/kubernetes/cmd/$cmd")
  echo "v$K8S_VERSION" >"$OUT/$cmd.version"
}

build_etcd() {
  stamp_ok etcd "v$ETCD_VERSION" && return 0
  echo ">> building etcd v$ETCD_VERSION from go.etcd.io/etcd/server/v3" >&2
  local mod=$WORK/etcd
  mkdir -p "$mod"
  if [ ! -f "$mod/go.mod" ] || ! grep -q "server/v3 v$ETCD_VERSION" "$mod/go.mod"; then
    rm -f "$mod/go.mod" "$mod/go.sum"
    (cd "$mod" && go mod init envtest-etcd >/dev/null 2>&1 \
      && go mod edit -go=1.26 -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION")
  fi
  (cd "$mod" && go build -mod=mod -trimpath -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3)
  echo "v$ETCD_VERSION" >"$OUT/etcd.version"
}

build_etcd
build_kube kube-apiserver
build_kube kubectl

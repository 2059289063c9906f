#!/usr/bin/env bash
# Builds what the chart tests need into $BIN_DIR:
# - the helm CLI, from its Go module in a throwaway module under bin/.build
#   (Helm is not a Debian package here and no release download is reachable);
# - the kustomize CLI, the same way, to build config/default as
#   `kubectl apply -k` would;
# - the Prometheus Operator's ServiceMonitor CRD, copied from its Go module,
#   so the API server can check a rendered ServiceMonitor.
# Quiet when cached; prints progress while building.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
HELM_VERSION=${HELM_VERSION:-3.22.0}
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-5.8.2}
# The newest version of the main module that the Go module proxy serves.
PROM_OPERATOR_VERSION=${PROM_OPERATOR_VERSION:-0.85.0}
OUT=$BIN_DIR/helm
WORK=$BIN_DIR/.build/helm
CRDS=$BIN_DIR/chart-crds

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

# Prints one field (Dir, GoMod) of `go mod download -json module@version`.
modfield() {
  (cd "$WORK" && go mod download -json "$1" | sed -n "s/^\t\"$2\": \"\(.*\)\",\$/\1/p")
}

build_helm() {
  [ -x "$OUT" ] && [ "$(cat "$OUT.version" 2>/dev/null)" = "v$HELM_VERSION" ] && return 0
  echo ">> building helm v$HELM_VERSION from helm.sh/helm/v3 (a few minutes cold)" >&2
  if [ ! -f "$WORK/go.mod" ] || ! grep -q "helm.sh/helm/v3 v$HELM_VERSION" "$WORK/go.mod"; then
    rm -f "$WORK/go.mod" "$WORK/go.sum"
    (cd "$WORK" && go mod init build-helm >/dev/null 2>&1 \
      && go mod edit -go=1.26 -require="helm.sh/helm/v3@v$HELM_VERSION")
  fi
  # Stamp the version as helm's own Makefile does, including the Kubernetes
  # version `helm template` assumes (that of helm's client-go module).
  local minor
  minor=$(awk '$1 == "k8s.io/client-go" {print $2}' "$(modfield "helm.sh/helm/v3@v$HELM_VERSION" GoMod)" | cut -d. -f2)
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  ld="$ld -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  if [ -n "$minor" ]; then
    for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
      ld="$ld -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"
    done
  fi
  (cd "$WORK" && go build -mod=mod -trimpath -ldflags "$ld" -o "$OUT" helm.sh/helm/v3/cmd/helm)
  echo "v$HELM_VERSION" >"$OUT.version"
}

build_kustomize() {
  local out=$BIN_DIR/kustomize mod=$BIN_DIR/.build/kustomize
  [ -x "$out" ] && [ "$(cat "$out.version" 2>/dev/null)" = "v$KUSTOMIZE_VERSION" ] && return 0
  echo ">> building kustomize v$KUSTOMIZE_VERSION from sigs.k8s.io/kustomize/kustomize/v5" >&2
  mkdir -p "$mod"
  if [ ! -f "$mod/go.mod" ] || ! grep -q "kustomize/v5 v$KUSTOMIZE_VERSION" "$mod/go.mod"; then
    rm -f "$mod/go.mod" "$mod/go.sum"
    (cd "$mod" && go mod init build-kustomize >/dev/null 2>&1 \
      && go mod edit -go=1.26 -require="sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION")
  fi
  (cd "$mod" && go build -mod=mod -trimpath -ldflags "-s -w" -o "$out" sigs.k8s.io/kustomize/kustomize/v5)
  echo "v$KUSTOMIZE_VERSION" >"$out.version"
}

fetch_crds() {
  local want="prometheus-operator=v$PROM_OPERATOR_VERSION"
  [ "$(cat "$CRDS/.versions" 2>/dev/null)" = "$want" ] && return 0
  echo ">> copying the ServiceMonitor CRD from prometheus-operator v$PROM_OPERATOR_VERSION" >&2
  local dir
  dir=$(modfield "github.com/prometheus-operator/prometheus-operator@v$PROM_OPERATOR_VERSION" Dir)
  rm -rf "$CRDS" && mkdir -p "$CRDS"
  cp "$dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$CRDS/"
  chmod u+w "$CRDS"/*.yaml
  echo "$want" >"$CRDS/.versions"
}

mkdir -p "$WORK"
build_helm
build_kustomize
fetch_crds

#!/usr/bin/env bash
# Builds what the chart tests need into $BIN_DIR:
# - the helm CLI, from its Go module in a throwaway module under bin/.build
#   (Helm is not a Debian package here and no release download is reachable);
# - the kustomize CLI, the same way, to build config/default as
#   `kubectl apply -k` would;
# - the Prometheus Operator's ServiceMonitor CRD, copied from its Go module,
#   so the API server can check a rendered ServiceMonitor.
# Versions: hack/versions.env. Quiet when cached; prints one progress line
# per build, and the build's output when it fails.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

WORK=$BIN_DIR/.build
CRDS=$BIN_DIR/chart-crds

build_helm() {
  local out=$BIN_DIR/helm mod=$WORK/helm
  stamp_ok "$out" "$HELM_VERSION" && return 0
  progress "building helm $HELM_VERSION from helm.sh/helm/v3 (a few minutes cold)"
  build_module "$mod" build-helm "helm.sh/helm/v3@$HELM_VERSION"
  # Stamp the version as helm's own Makefile does, including the Kubernetes
  # version `helm template` assumes: that of the client-go it is built with.
  local clientgo minor
  clientgo=$(GOFLAGS=-mod=mod quiet "$mod" go list -m -f '{{.Version}}' k8s.io/client-go)
  minor=$(echo "$clientgo" | cut -d. -f2)
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ld="$ld -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld="$ld -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"
  done
  go_build "$mod" "$out" -ldflags "$ld" helm.sh/helm/v3/cmd/helm
  echo "$HELM_VERSION" >"$out.version"
}

build_kustomize() {
  local out=$BIN_DIR/kustomize mod=$WORK/kustomize
  stamp_ok "$out" "$KUSTOMIZE_VERSION" && return 0
  progress "building kustomize $KUSTOMIZE_VERSION from sigs.k8s.io/kustomize/kustomize/v5"
  build_module "$mod" build-kustomize "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  go_build "$mod" "$out" -ldflags "-s -w" sigs.k8s.io/kustomize/kustomize/v5
  echo "$KUSTOMIZE_VERSION" >"$out.version"
}

fetch_crds() {
  local want="prometheus-operator=$PROM_OPERATOR_VERSION" dir
  [ "$(cat "$CRDS/.versions" 2>/dev/null)" = "$want" ] && return 0
  progress "copying the ServiceMonitor CRD from prometheus-operator $PROM_OPERATOR_VERSION"
  dir=$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROM_OPERATOR_VERSION")
  rm -rf "$CRDS" && mkdir -p "$CRDS"
  cp "$dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$CRDS/"
  chmod u+w "$CRDS"/*.yaml
  echo "$want" >"$CRDS/.versions"
}

build_helm
build_kustomize
fetch_crds

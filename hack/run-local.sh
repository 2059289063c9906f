#!/usr/bin/env bash
# The README's run command: builds what is missing (kube-apiserver, etcd, the
# Flux CRDs, the three Flux controllers, this controller and the fluxconfig
# command), then runs the tutorial end to end on a local embedded control
# plane (hack/localcluster).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
./hack/build-envtest.sh
./hack/flux-crds.sh
./hack/build-flux.sh
echo ">> building bin/manager and bin/fluxconfig" >&2
make --no-print-directory build >/dev/null
exec go run ./hack/localcluster "$@"

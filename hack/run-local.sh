#!/usr/bin/env bash
# The README's run command: builds what is missing, then runs the controller
# end to end on a local embedded control plane with the tutorial's sample.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
./hack/build-envtest.sh
./hack/flux-crds.sh
echo ">> building bin/manager" >&2
make --no-print-directory build >/dev/null
exec go run ./hack/localcluster "$@"

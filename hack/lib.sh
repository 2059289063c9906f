# shellcheck shell=bash
# Sourced by the hack/build-*.sh scripts: the versions, the environment and
# the helpers they share. Every tool is built from its Go module into
# $BIN_DIR and stamped with its version, so a script is a quiet no-op when
# the stamp matches.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOWORK=off

# load_versions sets every NAME=value of hack/versions.env that the
# environment does not already set (so `K8S_VERSION=v1.36.4 make envtest`
# tries another version).
load_versions() {
  local key value
  while IFS='=' read -r key value; do
    case $key in '' | \#*) continue ;; esac
    [ -n "${!key:-}" ] || printf -v "$key" '%s' "$value"
  done <"$ROOT/hack/versions.env"
}
load_versions

# progress prints one ">> ..." line on stderr: the only output of a build.
progress() { echo ">> $*" >&2; }

# fail prints its message on stderr and exits.
fail() {
  echo "error: $*" >&2
  exit 1
}

# stamp_ok FILE VERSION: FILE exists and was built at VERSION.
stamp_ok() { [ -e "$1" ] && [ "$(cat "$1.version" 2>/dev/null)" = "$2" ]; }

# quiet DIR COMMAND...: runs COMMAND in DIR and passes its standard output
# on. Its standard error is kept aside and printed (less the
# "go: downloading" lines, which are never the error) only when it fails,
# and then the script exits.
quiet() {
  local dir=$1 log
  shift
  log=$(mktemp)
  if ! (cd "$dir" && "$@") 2>"$log"; then
    grep -v '^go: downloading ' "$log" >&2
    rm -f "$log"
    fail "in $dir: $*"
  fi
  rm -f "$log"
}

# go_build DIR OUT [go build arguments...]: builds a static binary into OUT
# from the module in DIR, loudly on failure. A failed build leaves no stamp,
# so the next run tries again.
go_build() {
  local dir=$1 out=$2
  shift 2
  CGO_ENABLED=0 quiet "$dir" go build -mod=mod -trimpath -o "$out" "$@"
}

# module_dir MODULE@VERSION: downloads the module and prints its directory
# in the module cache.
module_dir() {
  local dir
  quiet / go mod download "$1"
  dir=$(quiet / go list -m -f '{{.Dir}}' "$1")
  [ -d "$dir" ] || fail "no directory for $1 in the module cache"
  echo "$dir"
}

# gomod_version MODULE: the version of MODULE that the project's go.mod
# selects.
gomod_version() {
  GOFLAGS="-mod=mod -buildvcs=false" quiet "$ROOT" go list -m -f '{{.Version}}' "$1"
}

# build_module DIR NAME MODULE@VERSION: makes DIR a throwaway module named
# NAME that requires MODULE@VERSION, so that `go build` there builds that
# module's commands at that version. Made anew for every build: go.sum is
# filled from the module cache.
build_module() {
  local dir=$1 name=$2 require=$3
  mkdir -p "$dir"
  rm -f "$dir/go.mod" "$dir/go.sum"
  quiet "$dir" go mod init "$name"
  quiet "$dir" go mod edit -go=1.26 -require="$require"
}

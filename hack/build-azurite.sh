#!/usr/bin/env bash
# Installs the Azure Storage emulator Azurite (the npm package `azurite`) into
# $BIN_DIR/azurite, for the end-to-end specs of sourceKind AzureBlob: test/azurite
# starts its blob service (node_modules/.bin/azurite-blob) on 127.0.0.1.
# No container runtime exists here, and Azurite is a Node program: it needs
# node and npm from the machine (Debian: apt-get install nodejs npm).
#
# The version, and every package under it, is pinned in hack/azurite
# (package.json and npm's package-lock.json, installed with `npm ci`). To move
# to another version: change package.json, then run
# `npm install --package-lock-only` in hack/azurite and commit both files.
# Azurite 3.37.0 declares node >= 22 but runs on the machine's node 20 (its
# tests in test/azurite and the e2e specs pass there).
#
# Quiet when the pinned lock file is installed; fails loudly otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/bin}
SRC=$ROOT/hack/azurite
OUT=$BIN_DIR/azurite
ENTRY=$OUT/node_modules/.bin/azurite-blob

want=$(sha256sum "$SRC/package-lock.json" | cut -d' ' -f1)
[ -x "$ENTRY" ] && [ "$(cat "$OUT/.lock-sha256" 2>/dev/null)" = "$want" ] && exit 0

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "build-azurite: $tool is needed (apt-get install nodejs npm)" >&2; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "build-azurite: Azurite needs node >= 20, found $(node --version)" >&2; exit 1; }

version=$(node -p "require('$SRC/package.json').dependencies.azurite")
echo ">> installing azurite $version from npm into $OUT (about a minute cold)" >&2
# Into a fresh directory first, so an interrupted install never looks cached.
TMP=$OUT.tmp
rm -rf "$TMP"
mkdir -p "$TMP"
cp "$SRC/package.json" "$SRC/package-lock.json" "$TMP/"
if ! (cd "$TMP" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2); then
  echo "build-azurite: npm ci of azurite $version failed (see the npm errors above)" >&2
  exit 1
fi
[ -x "$TMP/node_modules/.bin/azurite-blob" ] || { echo "build-azurite: azurite-blob is missing after the install" >&2; exit 1; }
echo "$want" >"$TMP/.lock-sha256"
rm -rf "$OUT"
mv "$TMP" "$OUT"

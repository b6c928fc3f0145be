#!/usr/bin/env bash
# Fails when contracts/out/ is not exactly what build.js produces from the
# sources with the pinned compiler. Run after `npm ci` in contracts/.
set -euo pipefail
cd "$(dirname "$0")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node build.js "$tmp" >/dev/null
if ! diff -r out "$tmp"; then
  echo "contracts/out is stale: run 'npm run build' in contracts/ and commit out/" >&2
  exit 1
fi
echo "contracts/out is fresh ($(ls out | wc -l) artifacts)"

#!/usr/bin/env bash
# Installs the anchors protoforge is compared with: protoc (Debian's
# protobuf-compiler) and buf (npm @bufbuild/buf, into bench/node_modules).
# With --corpus, also the googleapis corpus (npm google-proto-files, about
# 8,000 .proto files) for the benchmarks. Idempotent; prints what it uses.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v protoc >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq protobuf-compiler >/dev/null
fi

buf="@bufbuild/buf@1.75.0"
corpus="google-proto-files@5.0.3"
# One npm call installs everything wanted: npm prunes packages that a later
# --no-save install does not name.
if [ "${1:-}" = "--corpus" ]; then
  if [ ! -x "$here/node_modules/.bin/buf" ] || [ ! -d "$here/node_modules/google-proto-files/google" ]; then
    npm install --prefix "$here" --no-save --no-audit --no-fund --loglevel=error "$buf" "$corpus" >/dev/null
  fi
elif [ ! -x "$here/node_modules/.bin/buf" ]; then
  npm install --prefix "$here" --no-save --no-audit --no-fund --loglevel=error "$buf" >/dev/null
fi

echo "protoc: $(protoc --version) ($(command -v protoc))"
echo "buf: $("$here/node_modules/.bin/buf" --version) ($here/node_modules/.bin/buf)"
if [ "${1:-}" = "--corpus" ]; then
  echo "corpus: $(find "$here/node_modules/google-proto-files" -name '*.proto' | wc -l) .proto files ($here/node_modules/google-proto-files)"
fi

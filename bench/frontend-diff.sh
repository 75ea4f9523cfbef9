#!/usr/bin/env bash
# The differential harness of the own front end (codegen/tests/frontend_diff.rs):
# googleapis proper against the protox pipeline `protoforge build` runs today,
# the editions fixtures and protobuf's own sources (google/protobuf/** of npm
# google-proto-files) against protoc 35 (python -m grpc_tools.protoc), and
# malformed files (both refuse, ours located). Prints the counts per class.
#
# Usage: bench/frontend-diff.sh     (PROTOFORGE_PYTHON: a Python with
#                                    grpcio-tools; default /work/venv or python3)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bash "$here/install-anchors.sh" --corpus
corpus="$here/node_modules/google-proto-files"
out="$here/out/frontend-diff"
rm -rf "$out"; mkdir -p "$out"
# shellcheck source=bench/googleapis-tree.sh
. "$here/googleapis-tree.sh"
googleapis_tree "$corpus" "$out/googleapis"
if [ -z "${PROTOFORGE_PYTHON:-}" ]; then
  if [ -x /work/venv/bin/python ]; then PROTOFORGE_PYTHON=/work/venv/bin/python; else PROTOFORGE_PYTHON=python3; fi
fi
export PROTOFORGE_PYTHON
PROTOFORGE_FRONTEND_DIFF=1 PROTOFORGE_GOOGLEAPIS_TREE="$out/googleapis" PROTOFORGE_CORPUS="$corpus" \
  cargo test --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge-codegen \
  --test frontend_diff -- --nocapture --test-threads=1

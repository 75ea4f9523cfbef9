#!/usr/bin/env bash
# Generates code with mocks for every googleapis service (npm
# google-proto-files, without protobuf's own google/protobuf sources) and
# `cargo check`s it: one crate per API (google/cloud/<product>,
# google/ads/<product>, google/<api>, grafeas), each generated from the API's
# directories with every import, in one scratch workspace.
# Prints how many files, packages and services compiled, and every crate that
# did not.
#
# Usage: bench/codegen-googleapis.sh [FILTER]   (FILTER: a regex on API paths)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
filter=${1:-.}
bash "$here/install-anchors.sh" --corpus >/dev/null
corpus="$here/node_modules/google-proto-files"
out="$here/out/codegen-googleapis"
rm -rf "$out/crates" "$out/include"; mkdir -p "$out/crates"

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge
protoforge="$root/target/release/protoforge"

# googleapis proper, against the built-in well-known types.
# shellcheck source=bench/googleapis-tree.sh
. "$here/googleapis-tree.sh"
googleapis_tree "$corpus" "$out/include"
cd "$out/include"

apis=$( { find -L google/cloud google/ads -mindepth 1 -maxdepth 1 -type d; \
          find -L google -mindepth 1 -maxdepth 1 -type d ! -name cloud ! -name ads; \
          echo grafeas; } | LC_ALL=C sort | grep -E "$filter")

members=""
files=0; failed_generate=""
# gen_crate NAME PATH...: one crate generated from PATHs (directories or files).
gen_crate() {
  local name=$1; shift
  local n crate="$out/crates/$name"
  n=$(find -L "$@" -name '*.proto' | wc -l)
  [ "$n" -gt 0 ] || return 0
  mkdir -p "$crate/src/gen"
  if ! "$protoforge" generate -I . "$@" --out "$crate/src/gen" --mocks 2> "$crate/generate.err"; then
    failed_generate="$failed_generate $name"
    return 0
  fi
  files=$((files + n))
  cat > "$crate/Cargo.toml" <<TOML
[package]
name = "api-$name"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
prost = "0.14"
prost-types = "0.14"
tonic = "0.14"
tonic-prost = "0.14"
protoforge-runtime = { path = "$root/runtime" }
TOML
  cat > "$crate/src/lib.rs" <<'RS'
#![allow(clippy::all, warnings)]
#[path = "gen/mod.rs"]
pub mod generated;
RS
  members="$members\"crates/$name\", "
}
for api in $apis; do
  gen_crate "$(echo "$api" | tr '/' '-')" "$api"
done
# Files directly in google/cloud and google/ads belong to no API directory.
loose=$(find -L google/cloud google/ads -maxdepth 1 -name '*.proto' | LC_ALL=C sort | grep -E "$filter" || true)
# shellcheck disable=SC2086
[ -z "$loose" ] || gen_crate google-cloud-and-ads-root $loose

cat > "$out/Cargo.toml" <<TOML
[workspace]
resolver = "3"
members = [$members]
TOML
cp "$root/Cargo.lock" "$out/Cargo.lock"

crates=$(ls "$out/crates" | wc -l)
packages=$(cat "$out"/crates/*/src/gen/mod.rs | grep -c 'include!')
services=$(cat "$out"/crates/*/src/gen/*.rs | grep -c '^pub mod .*_mock {')
echo "generated $crates crates from $files files: $packages packages (imports counted per crate), $services services with mocks"
[ -z "$failed_generate" ] || echo "generation failed for:$failed_generate"

cd "$out"
start=$(date +%s)
if CARGO_TARGET_DIR="$out/target" cargo check --workspace --quiet --message-format short 2> "$out/check.err"; then
  echo "cargo check: all $crates crates compiled ($files files, $services services) in $(( $(date +%s) - start )) s"
else
  echo "cargo check FAILED after $(( $(date +%s) - start )) s:"
  grep -E '^(error|crates/)' "$out/check.err" | head -40
  exit 1
fi

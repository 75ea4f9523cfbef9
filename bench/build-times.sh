#!/usr/bin/env bash
# Build times of a crate generating proto/ with protoforge_codegen::configure()
# (no protoc) against the same crate with tonic_prost_build::configure() and
# protoc, in one scratch workspace sharing dependencies:
# - scratch: everything built from an empty target directory, dependencies
#   and build dependencies included (one run each: minutes);
# - cold: the crate's build script and code rebuilt (`cargo clean -p`), with
#   dependencies already built;
# - no-op: `cargo build` again with nothing changed;
# - edit: one .proto touched with new content.
# Medians of RUNS (default 5) runs, interleaved. Also checks that a no-op
# build does not run the build script, and that an edit does.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-5}
bash "$here/install-anchors.sh" >/dev/null
out="$here/out/build-times"
rm -rf "$out"; mkdir -p "$out"

make_crate() { # name build-dependency build.rs-body
  mkdir -p "$out/$1/src" "$out/$1/proto"
  cp -r "$root/proto/." "$out/$1/proto/"
  cat > "$out/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
prost = "0.14"
prost-types = "0.14"
tonic = "0.14"
tonic-prost = "0.14"
protoforge-runtime = { path = "$root/runtime" }

[build-dependencies]
$2
TOML
  printf 'fn main() -> Result<(), Box<dyn std::error::Error>> {\n%s\n    Ok(())\n}\n' "$3" > "$out/$1/build.rs"
  printf '#![allow(clippy::all, warnings)]\npub mod proto {\n    include!(concat!(env!("OUT_DIR"), "/protos.rs"));\n}\n' > "$out/$1/src/lib.rs"
}
protos=$(cd "$root" && find proto -name '*.proto' | LC_ALL=C sort | sed 's/.*/"&"/' | paste -sd, -)
make_crate with-protoforge "protoforge-codegen = { path = \"$root/codegen\" }" \
  "    protoforge_codegen::configure().include_file(\"protos.rs\").compile_protos(&[\"proto\"], &[])?;"
make_crate with-protoc 'tonic-prost-build = "0.14"' \
  "    tonic_prost_build::configure().include_file(\"protos.rs\").compile_protos(&[$protos], &[\"proto\"])?;"
cat > "$out/Cargo.toml" <<'TOML'
[workspace]
resolver = "3"
members = ["with-protoforge", "with-protoc"]
TOML
cp "$root/Cargo.lock" "$out/Cargo.lock"
cd "$out"
export CARGO_TARGET_DIR="$out/target"
seconds() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; awk -v ns="$(( $(date +%s%N) - s ))" 'BEGIN {printf "%.3f", ns / 1e9}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A scratch
for crate in with-protoforge with-protoc; do
  rm -rf "$CARGO_TARGET_DIR"
  scratch[$crate]=$(seconds cargo build -p "$crate")
done
cargo build --quiet --workspace 2>/dev/null   # dependencies of both, once

declare -A cold noop edit
for i in $(seq "$runs"); do
  for crate in with-protoforge with-protoc; do
    cargo clean --quiet -p "$crate"
    cold[$crate]+="$(seconds cargo build -p "$crate") "
    noop[$crate]+="$(seconds cargo build -p "$crate") "
    echo "// edit $i" >> "$crate/proto/user/v1/user.proto"
    edit[$crate]+="$(seconds cargo build -p "$crate") "
  done
done

# (Whole outputs are captured first: `grep -q` closing the pipe early would
# fail the pipeline under pipefail.)
for crate in with-protoforge with-protoc; do
  log=$(cargo build -v -p "$crate" 2>&1)
  if grep -q "Running .*build-script-build" <<< "$log"; then
    echo "FAIL: a no-op build of $crate ran its build script"; exit 1
  fi
  echo "// one more edit" >> "$crate/proto/chat/v1/chat.proto"
  log=$(cargo build -v -p "$crate" 2>&1)
  if ! grep -q "Running .*build-script-build" <<< "$log"; then
    echo "FAIL: an edited .proto did not rerun the build script of $crate"; exit 1
  fi
done

printf '%-16s %10s %10s %10s %10s\n' crate scratch_s cold_s noop_s edit_s
for crate in with-protoforge with-protoc; do
  printf '%-16s %10.2f %10.2f %10.2f %10.2f\n' "$crate" "${scratch[$crate]}" \
    "$(echo "${cold[$crate]}" | tr ' ' '\n' | grep . | median)" \
    "$(echo "${noop[$crate]}" | tr ' ' '\n' | grep . | median)" \
    "$(echo "${edit[$crate]}" | tr ' ' '\n' | grep . | median)"
done
echo "no-op builds ran no build script; edited protos reran it (medians of $runs runs, interleaved)"

#!/usr/bin/env bash
# Build times of a crate generating proto/ with protoforge_codegen::configure()
# (no protoc; protoforge-codegen with its default features, as a user adds
# it) against the same crate with tonic_prost_build::configure() and an
# installed protoc, in one scratch workspace, default Cargo profiles (no
# build-override: that is the user's choice).
#
# protoforge-codegen comes in as a user gets it: a registry crate, packaged
# here with `cargo package`, and served with every other dependency of both
# crates from one vendored directory that replaces crates.io (`cargo
# vendor`). A path dependency would be compiled as a workspace member is,
# incrementally and with every lint, which a crate from crates.io never is
# (about a third more CPU for protoforge-codegen alone); tonic-prost-build
# and its dependencies come from the registry either way. The runtime crate,
# which both use, stays a path dependency of both.
#
# The times:
# - scratch: everything built from an empty target directory, dependencies
#   and build dependencies included;
# - cold: the crate's build script and code rebuilt (`cargo clean -p`), with
#   dependencies already built;
# - no-op: `cargo build` again with nothing changed;
# - edit: one .proto touched with new content.
# Medians of RUNS (default 5; each scratch build takes minutes) runs, the two
# crates interleaved (their order alternating from run to run); the last
# line gives protoforge's times over protoc's. Scratch builds also report
# CPU seconds (user + system), which a shared machine inflates less than
# wall time. Also checks that a no-op build does not run the build script,
# and that an edit does.
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

# protoforge-codegen as a registry crate (see the top). First the vendored
# dependencies of both crates, with protoforge-codegen still a path (which
# `cargo vendor` leaves out), then the packaged crate beside them and the
# dependency turned into a version.
(cd "$root" && cargo package --quiet -p protoforge-codegen --no-verify --allow-dirty \
  --target-dir "$out/package")
crate=$(find "$out/package/package" -maxdepth 1 -name 'protoforge-codegen-*.crate')
cargo vendor --quiet --versioned-dirs vendor >/dev/null
tar -xzf "$crate" -C vendor
printf '{"files":{},"package":"%s"}\n' "$(sha256sum "$crate" | cut -d' ' -f1)" \
  > "vendor/$(basename "$crate" .crate)/.cargo-checksum.json"
version=$(basename "$crate" .crate); version=${version#protoforge-codegen-}
sed -i "s|^protoforge-codegen = .*|protoforge-codegen = \"=$version\"|" with-protoforge/Cargo.toml
mkdir -p .cargo
printf '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n' \
  > .cargo/config.toml
cargo generate-lockfile --quiet --offline
crates=(with-protoforge with-protoc)

# Runs a command quietly and prints "wall_s cpu_s"; a failing command stops
# the script with its output.
measure() {
  local TIMEFORMAT='%R %U %S' timing
  if ! timing=$( { time "$@" >"$out/last.log" 2>&1; } 2>&1 ); then
    cat "$out/last.log"; echo "FAIL: $*"; exit 1
  fi
  awk '{printf "%.3f %.3f", $1, $2 + $3}' <<< "$timing"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
in_order() { # run: the crates, reversed on even runs
  if (( $1 % 2 )); then echo "${crates[0]} ${crates[1]}"; else echo "${crates[1]} ${crates[0]}"; fi
}

declare -A scratch scratch_cpu
for i in $(seq "$runs"); do
  for crate in $(in_order "$i"); do
    rm -rf "$CARGO_TARGET_DIR"
    read -r wall cpu <<< "$(measure cargo build -p "$crate")"
    scratch[$crate]+="$wall "; scratch_cpu[$crate]+="$cpu "
    echo "scratch run $i: $crate ${wall}s wall, ${cpu}s cpu" >&2
  done
done
cargo build --quiet --workspace 2>/dev/null   # dependencies of both, once

declare -A cold noop edit
for i in $(seq "$runs"); do
  for crate in $(in_order "$i"); do
    cargo clean --quiet -p "$crate"
    cold[$crate]+="$(measure cargo build -p "$crate" | cut -d' ' -f1) "
    noop[$crate]+="$(measure cargo build -p "$crate" | cut -d' ' -f1) "
    echo "// edit $i" >> "$crate/proto/user/v1/user.proto"
    edit[$crate]+="$(measure cargo build -p "$crate" | cut -d' ' -f1) "
  done
done

# (Whole outputs are captured first: `grep -q` closing the pipe early would
# fail the pipeline under pipefail.)
for crate in "${crates[@]}"; do
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

declare -A row
printf '%-16s %10s %10s %10s %10s %10s\n' crate scratch_s scratch_cpu cold_s noop_s edit_s
for crate in "${crates[@]}"; do
  row[$crate]="$(median <<< "${scratch[$crate]}") $(median <<< "${scratch_cpu[$crate]}")"
  row[$crate]+=" $(median <<< "${cold[$crate]}") $(median <<< "${noop[$crate]}") $(median <<< "${edit[$crate]}")"
  # shellcheck disable=SC2086 # the row is five numbers
  printf '%-16s %10.2f %10.2f %10.2f %10.2f %10.2f\n' "$crate" ${row[$crate]}
done
paste <(tr ' ' '\n' <<< "${row[with-protoforge]}") <(tr ' ' '\n' <<< "${row[with-protoc]}") |
  awk 'BEGIN {printf "%-16s", "ratio"} {printf " %10s", sprintf("%.2fx", $1 / $2)} END {print ""}'
echo "no-op builds ran no build script; edited protos reran it (medians of $runs runs, interleaved)"

#!/usr/bin/env bash
# Compiles the googleapis corpus (npm google-proto-files) with protoc and with
# `protoforge build`, directory by directory (one protoc call per directory, as
# a package is usually compiled), with --include_source_info, and compares the
# descriptor sets file by file with source locations order-normalised.
# Twice: against the current protoc (libprotoc 35, grpcio-tools, through
# bench/protoc35), which protoforge matches, then against Debian's protoc
# 3.21, which orders some custom options otherwise and reads no editions.
# Prints `identical N/M files` per reference, then each difference and each
# directory only one of the two compilers accepts.
#
# Usage: bench/conformance.sh   (installs protoc and the corpus first;
#                                PROTOFORGE_PYTHON: a Python with grpcio-tools,
#                                default /work/venv's or python3)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bash "$here/install-anchors.sh" --corpus
corpus="$here/node_modules/google-proto-files"
out="$here/out/conformance"
rm -rf "$out"; mkdir -p "$out/protoforge"
if [ -z "${PROTOFORGE_PYTHON:-}" ]; then
  if [ -x /work/venv/bin/python ]; then PROTOFORGE_PYTHON=/work/venv/bin/python; else PROTOFORGE_PYTHON=python3; fi
fi
export PROTOFORGE_PYTHON

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge -p protoforge-bench
protoforge="$root/target/release/protoforge"
fdsdiff="$root/target/release/fdsdiff"

# The corpus ships protobuf's own sources under google/protobuf (a newer
# descriptor.proto, test and editions files). googleapis proper is compiled
# against each compiler's built-in well-known types, from a tree of links that
# leaves google/protobuf out; protobuf's own files are compiled as shipped.
apis="$out/googleapis"
# shellcheck source=bench/googleapis-tree.sh
. "$here/googleapis-tree.sh"
googleapis_tree "$corpus" "$apis"

cd "$corpus"
find google grafeas -name '*.proto' | LC_ALL=C sort > "$out/files.txt"
xargs -n1 dirname < "$out/files.txt" | LC_ALL=C sort -u > "$out/dirs.txt"

# conform LABEL PROTOC..: compares every directory against one protoc.
conform() {
  local label=$1; shift
  local ref="$out/$label" identical=0 total=0 both_reject=0 dir include key files n p f result same
  mkdir -p "$ref"
  : > "$ref/report.txt"
  while read -r dir; do
    case "$dir" in
      google/protobuf|google/protobuf/*) include="$corpus" ;;
      *) include="$apis" ;;
    esac
    key=${dir//\//_}
    files=$(grep -E "^$dir/[^/]+\.proto$" "$out/files.txt")
    n=$(echo "$files" | wc -l)
    # shellcheck disable=SC2086
    (cd "$include" && "$@" -I. --include_source_info -o "$ref/$key.binpb" $files) 2>"$ref/$key.err" && p=0 || p=$?
    if [ ! -e "$out/protoforge/$key.status" ]; then
      # shellcheck disable=SC2086
      (cd "$include" && "$protoforge" build -I. --include-source-info -o "$out/protoforge/$key.binpb" $files) 2>"$out/protoforge/$key.err" && f=0 || f=$?
      echo "$f" > "$out/protoforge/$key.status"
    fi
    f=$(cat "$out/protoforge/$key.status")
    if [ "$p" -ne 0 ] && [ "$f" -ne 0 ]; then
      both_reject=$((both_reject + n))
      echo "both reject $dir ($n files): $(grep -v WARNING "$ref/$key.err" | head -1)" >> "$ref/report.txt"
    elif [ "$p" -ne 0 ]; then
      total=$((total + n))
      echo "only $label rejects $dir ($n files): $(grep -v WARNING "$ref/$key.err" | head -1)" >> "$ref/report.txt"
    elif [ "$f" -ne 0 ]; then
      total=$((total + n))
      echo "only protoforge rejects $dir ($n files): $(grep -v warning "$out/protoforge/$key.err" | head -1)" >> "$ref/report.txt"
    else
      total=$((total + n))
      result=$("$fdsdiff" "$ref/$key.binpb" "$out/protoforge/$key.binpb" || true)
      same=$(echo "$result" | head -1 | sed -E 's/identical ([0-9]+)\/.*/\1/')
      identical=$((identical + same))
      echo "$result" | tail -n +2 | sed "s|^|$dir: |" >> "$ref/report.txt"
    fi
  done < "$out/dirs.txt"
  echo "against $label: identical $identical/$total files ($(wc -l < "$out/files.txt") in the corpus; $both_reject rejected by both compilers)"
  head -40 "$ref/report.txt"
  [ "$(wc -l < "$ref/report.txt")" -le 40 ] || echo "... ($(wc -l < "$ref/report.txt") lines in $ref/report.txt)"
}

conform protoc-35 "$here/protoc35"
conform protoc-3.21 protoc

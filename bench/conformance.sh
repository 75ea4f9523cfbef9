#!/usr/bin/env bash
# Compiles the googleapis corpus (npm google-proto-files) with protoc and with
# `protoforge build`, directory by directory (one protoc call per directory, as
# a package is usually compiled), with --include_source_info, and compares the
# descriptor sets file by file with source locations order-normalised.
# Prints `identical N/M files`, then each difference and each directory only
# one of the two compilers accepts.
#
# Usage: bench/conformance.sh            (installs protoc and the corpus first)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bash "$here/install-anchors.sh" --corpus
corpus="$here/node_modules/google-proto-files"
out="$here/out/conformance"
rm -rf "$out"; mkdir -p "$out/protoc" "$out/protoforge"

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge -p protoforge-bench
protoforge="$root/target/release/protoforge"
fdsdiff="$root/target/release/fdsdiff"

cd "$corpus"
# The corpus's own sources: google/ and grafeas/ (build/ and gapic/ hold tooling).
find google grafeas -name '*.proto' | LC_ALL=C sort > "$out/files.txt"
cut -d/ -f1- "$out/files.txt" | xargs -n1 dirname | LC_ALL=C sort -u > "$out/dirs.txt"

identical=0; total=0; both_reject=0
: > "$out/report.txt"
while read -r dir; do
  key=${dir//\//_}
  files=$(grep -E "^$dir/[^/]+\.proto$" "$out/files.txt")
  n=$(echo "$files" | wc -l)
  # shellcheck disable=SC2086
  protoc -I. --include_source_info -o "$out/protoc/$key.binpb" $files 2>"$out/protoc/$key.err" && p=0 || p=$?
  # shellcheck disable=SC2086
  "$protoforge" build -I. --include-source-info -o "$out/protoforge/$key.binpb" $files 2>"$out/protoforge/$key.err" && f=0 || f=$?
  if [ $p -ne 0 ] && [ $f -ne 0 ]; then
    both_reject=$((both_reject + n))
    echo "both reject $dir ($n files): $(head -1 "$out/protoc/$key.err")" >> "$out/report.txt"
  elif [ $p -ne 0 ]; then
    total=$((total + n))
    echo "only protoc rejects $dir ($n files): $(head -1 "$out/protoc/$key.err")" >> "$out/report.txt"
  elif [ $f -ne 0 ]; then
    total=$((total + n))
    echo "only protoforge rejects $dir ($n files): $(head -1 "$out/protoforge/$key.err")" >> "$out/report.txt"
  else
    total=$((total + n))
    result=$("$fdsdiff" "$out/protoc/$key.binpb" "$out/protoforge/$key.binpb" || true)
    same=$(echo "$result" | head -1 | sed -E 's/identical ([0-9]+)\/.*/\1/')
    identical=$((identical + same))
    echo "$result" | tail -n +2 | sed "s|^|$dir: |" >> "$out/report.txt"
  fi
done < "$out/dirs.txt"

echo "identical $identical/$total files ($(wc -l < "$out/files.txt") in the corpus; $both_reject rejected by both compilers)"
cat "$out/report.txt"

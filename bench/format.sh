#!/usr/bin/env bash
# `protoforge format` against `buf format` on the googleapis corpus (npm
# google-proto-files, installed by `bash bench/install-anchors.sh --corpus`):
# 1. identical bytes on every file (both format the whole corpus into
#    directories, compared file by file);
# 2. speed: both print the formatted corpus on stdout (no disk writes),
#    medians of RUNS (default 5) interleaved runs, wall time and peak memory;
# 3. the parser round trip: every file parses and prints back exactly.
# Usage: bash bench/format.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
runs=${1:-5}
buf=${BUF:-$here/node_modules/.bin/buf}
corpus=$here/node_modules/google-proto-files
[ -d "$corpus/google" ] || { echo "corpus missing: bash bench/install-anchors.sh --corpus" >&2; exit 1; }
cargo build --release --quiet -p protoforge --manifest-path "$root/Cargo.toml"
pf=$root/target/release/protoforge
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# buf reads a directory as a module: copy the .proto files only.
mkdir -p "$work/in"
(cd "$corpus" && find . -name '*.proto' -print0 | xargs -0 cp --parents -t "$work/in")
files=$(find "$work/in" -name '*.proto' | wc -l)

echo "== identical bytes ($files files)"
"$buf" format "$work/in" -o "$work/buf"
"$pf" format "$work/in" -o "$work/pf"
differ=0
while IFS= read -r f; do
  cmp -s "$work/buf/$f" "$work/pf/$f" || { differ=$((differ + 1)); echo "differs: $f"; }
done < <(cd "$work/in" && find . -name '*.proto')
echo "identical: $((files - differ))/$files"

echo "== speed: format the corpus to stdout, $runs interleaved runs"
measure() { # prints "seconds max_rss_kib"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
  cat "$work/time"
}
: > "$work/buf.txt"; : > "$work/pf.txt"
for _ in $(seq "$runs"); do
  measure "$buf" format "$work/in" >> "$work/buf.txt"
  measure "$pf" format "$work/in" >> "$work/pf.txt"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
buf_s=$(cut -d' ' -f1 "$work/buf.txt" | median); pf_s=$(cut -d' ' -f1 "$work/pf.txt" | median)
buf_m=$(cut -d' ' -f2 "$work/buf.txt" | median); pf_m=$(cut -d' ' -f2 "$work/pf.txt" | median)
echo "buf format:        ${buf_s}s, ${buf_m} KiB peak"
echo "protoforge format: ${pf_s}s, ${pf_m} KiB peak"
awk -v b="$buf_s" -v p="$pf_s" 'BEGIN { printf "protoforge is %.1fx faster\n", b / p }'

echo "== parser round trip"
cargo test --release --quiet -p protoforge-codegen --manifest-path "$root/Cargo.toml" --lib \
  syntax::tests::googleapis_prints_back_exactly -- --ignored 2>&1 | grep -E "test result|panicked"
[ "$differ" -eq 0 ]

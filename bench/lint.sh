#!/usr/bin/env bash
# `protoforge lint` against `buf lint` on googleapis (npm google-proto-files,
# without protobuf's own sources, as bench/compile.sh lays it out). First
# every rule at once (config v2: STANDARD, COMMENTS, UNARY_RPC, which hold
# every category's rules; a rule's findings do not depend on which other
# rules run, so this covers each category), then buf's default (v1
# STANDARD, no buf.yaml): both tools must print the same findings byte for
# byte (JSON) and exit alike. The default is timed: medians of RUNS (default
# 5) interleaved runs, wall time and peak memory from GNU time; prints the
# ratios.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-5}
bash "$here/install-anchors.sh" --corpus >/dev/null
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
corpus="$here/node_modules/google-proto-files"
buf="$here/node_modules/.bin/buf"
out="$here/out/lint"
rm -rf "$out"; mkdir -p "$out"
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge
protoforge="$root/target/release/protoforge"

# shellcheck source=bench/googleapis-tree.sh
. "$here/googleapis-tree.sh"
googleapis_tree "$corpus" "$out/links"
files=$(find -L "$out/links" -name '*.proto' | wc -l)
echo "googleapis: $files files"

measure() { # TOOL NAME [CONFIG] -> "seconds kilobytes exit"
  local tool=$1 name=$2 bin
  local config=("${@:3}")
  [ "$tool" = buf ] && bin=$buf || bin=$protoforge
  ( cd "$out/links" && /usr/bin/time -f "%e %M %x" -o "$out/time.txt" "$bin" lint "${config[@]}" --error-format json > "$out/$name.$tool.json" 2> "$out/$name.$tool.err" ) || true
  tail -1 "$out/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
same() { # NAME: both tools printed the same findings and exited alike
  local name=$1 pf=$2 bf=$3
  if [ "$pf" != "$bf" ] || ! cmp -s "$out/$name.protoforge.json" "$out/$name.buf.json"; then
    echo "$name: the findings differ (exit protoforge $pf, buf $bf):"
    diff "$out/$name.buf.json" "$out/$name.protoforge.json" | head -10; head -5 "$out/$name.protoforge.err"; exit 1
  fi
  echo "  $name: same $(wc -l < "$out/$name.buf.json") findings, exit $pf"
}

config=(--config '{"version":"v2","lint":{"use":["STANDARD","COMMENTS","UNARY_RPC"]}}')
read -r _ _ pf <<< "$(measure protoforge every "${config[@]}")"
read -r _ _ bf <<< "$(measure buf every "${config[@]}")"
same every "$pf" "$bf"

declare -A secs=() mem=()
for i in $(seq "$runs"); do
  for tool in protoforge buf; do
    read -r s m x <<< "$(measure $tool default)"
    [ "$x" = 100 ] || { echo "$tool exited $x:"; head -5 "$out/default.$tool.err"; exit 1; }
    secs[$tool]+="$s "; mem[$tool]+="$m "
  done
done
same default 100 100
p_s=$(echo "${secs[protoforge]}" | tr ' ' '\n' | grep . | median); b_s=$(echo "${secs[buf]}" | tr ' ' '\n' | grep . | median)
p_m=$(echo "${mem[protoforge]}" | tr ' ' '\n' | grep . | median); b_m=$(echo "${mem[buf]}" | tr ' ' '\n' | grep . | median)
awk -v f="$(wc -l < "$out/default.buf.json")" -v ps="$p_s" -v bs="$b_s" -v pm="$p_m" -v bm="$b_m" -v runs="$runs" -v n="$files" 'BEGIN {
  printf "%d files, default rules (STANDARD): same %d findings; protoforge %.2f s %.0f MiB, buf %.2f s %.0f MiB; %.1fx faster, %.1fx less memory (medians of %d)\n",
    n, f, ps, pm / 1024, bs, bm / 1024, bs / ps, bm / pm, runs }'

#!/usr/bin/env bash
# Times `protoforge build` against protoc, buf and protox 0.10 (the crate
# protoforge builds on, called as is) on the googleapis corpus (npm
# google-proto-files): about 100 files, about 1,000 files and the whole
# corpus, each compiled in one call with its imports, with and without
# source info. Wall time is the median of RUNS interleaved runs; CPU time
# (user + system) and peak memory (maximum resident set) are medians too.
#
# Before any timing it checks that protoforge's output equals the current
# protoc's (libprotoc 35, grpcio-tools, through bench/protoc35), byte for
# byte but for the order of source locations (bench/fdsdiff). The timings
# are against Debian's protoc 3.21, the protoc teams have installed.
#
# Then one file with 5,000 to 40,000 custom options shows how the cost grows
# with the number of options (protox as is: up to 20,000; it is quadratic).
#
# Usage: bench/compile.sh [RUNS]     (default 5; installs protoc, buf and the
#                                     corpus first; PROTOFORGE_PYTHON: a Python
#                                     with grpcio-tools)
set -euo pipefail
if [ -z "${PROTOFORGE_PYTHON:-}" ]; then
  if [ -x /work/venv/bin/python ]; then PROTOFORGE_PYTHON=/work/venv/bin/python; else PROTOFORGE_PYTHON=python3; fi
fi
export PROTOFORGE_PYTHON
runs=${1:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bash "$here/install-anchors.sh" --corpus
corpus="$here/node_modules/google-proto-files"
buf="$here/node_modules/.bin/buf"
out="$here/out/compile"
rm -rf "$out"; mkdir -p "$out/sets"

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge -p protoforge-bench
protoforge="$root/target/release/protoforge"
protox="$root/target/release/protox-build"
fdsdiff="$root/target/release/fdsdiff"

# A real copy of googleapis proper (buf does not follow links to
# directories), without protobuf's own sources.
# shellcheck source=bench/googleapis-tree.sh
. "$here/googleapis-tree.sh"
googleapis_tree "$corpus" "$out/links"
cp -rL "$out/links" "$out/tree"
cd "$out/tree"
find google grafeas -name '*.proto' | LC_ALL=C sort > "$out/all.files"
declare -A paths=(
  [small]="google/cloud/bigquery"
  [medium]="google/ads/googleads/v25 google/cloud/bigquery"
  [whole]="google grafeas"
)
for size in small medium whole; do
  pattern=$(echo "${paths[$size]}" | sed 's/ /|/g')
  grep -E "^($pattern)/" "$out/all.files" > "$out/$size.files"
done

# command_for TOOL SIZE MODE OUTPUT: sets `cmd` to one compilation; MODE is
# `si` or `nosi`.
command_for() {
  local tool=$1 size=$2 mode=$3 output=$4 files path
  mapfile -t files < "$out/$size.files"
  local buf_paths=()
  for path in ${paths[$size]}; do buf_paths+=(--path "$path"); done
  case "$tool/$mode" in
    protoforge/si) cmd=("$protoforge" build -I. --include-imports --include-source-info -o "$output" "${files[@]}") ;;
    protoforge/nosi) cmd=("$protoforge" build -I. --include-imports -o "$output" "${files[@]}") ;;
    protoc/si) cmd=(protoc -I. --include_imports --include_source_info -o "$output" "${files[@]}") ;;
    protoc/nosi) cmd=(protoc -I. --include_imports -o "$output" "${files[@]}") ;;
    protox/si) cmd=("$protox" -I. --include-source-info -o "$output" "${files[@]}") ;;
    protox/nosi) cmd=("$protox" -I. -o "$output" "${files[@]}") ;;
    buf/si) cmd=("$buf" build . "${buf_paths[@]}" -o "$output") ;;
    buf/nosi) cmd=("$buf" build . --exclude-source-info "${buf_paths[@]}" -o "$output") ;;
  esac
}
compile() { command_for "$@"; "${cmd[@]}"; }

echo "checking protoforge's output against protoc 35's"
for size in small medium whole; do
  for mode in nosi si; do
    command_for protoc "$size" "$mode" "$out/sets/protoc-$size-$mode.binpb"
    cmd[0]="$here/protoc35"
    "${cmd[@]}" 2>/dev/null
    compile protoforge "$size" "$mode" "$out/sets/protoforge-$size-$mode.binpb" 2>/dev/null
    if ! result=$("$fdsdiff" "$out/sets/protoc-$size-$mode.binpb" "$out/sets/protoforge-$size-$mode.binpb"); then
      echo "$result" | head -20
      echo "error: $size ($mode): protoforge's output differs from protoc's; no timings" >&2
      exit 1
    fi
    echo "  $size $mode: $(echo "$result" | head -1)"
  done
done

# measure LABEL COMMAND..: appends `LABEL wall cpu maxrss_kb` to the results.
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || {
    cat "$out/stderr.txt" >&2; echo "error: $label failed" >&2; exit 1; }
  read -r wall user sys rss < <(tail -1 "$out/time.txt")
  echo "$label $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss" >> "$out/results.txt"
}

: > "$out/results.txt"
for size in small medium whole; do
  for mode in nosi si; do
    for run in $(seq "$runs"); do
      for tool in protoforge protoc buf protox; do
        command_for "$tool" "$size" "$mode" "$out/run.binpb"
        measure "$size $mode $tool" "${cmd[@]}"
      done
    done
  done
done

echo
echo "corpus: $(wc -l < "$out/small.files") / $(wc -l < "$out/medium.files") / $(wc -l < "$out/whole.files") files; medians of $runs interleaved runs"
python3 - "$out/results.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    size, mode, tool, wall, cpu, rss = line.split()
    rows[(size, mode, tool)].append((float(wall), float(cpu), int(rss) / 1024))
print("| files | source info | tool | wall s | CPU s | peak MiB | wall / protoc |")
print("|---|---|---|---|---|---|---|")
for size in ("small", "medium", "whole"):
    for mode in ("nosi", "si"):
        base = statistics.median(w for w, _, _ in rows[(size, mode, "protoc")])
        for tool in ("protoforge", "protoc", "buf", "protox"):
            runs = rows[(size, mode, tool)]
            wall = statistics.median(w for w, _, _ in runs)
            cpu = statistics.median(c for _, c, _ in runs)
            rss = statistics.median(r for _, _, r in runs)
            label = {"protox": "protox 0.10 as is"}.get(tool, tool)
            print(f"| {size} | {'yes' if mode == 'si' else 'no'} | {label} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {wall / base:.2f}x |")
PY

# One file with N custom options: N fields, each `[(google.api.field_behavior) = REQUIRED]`.
echo
echo "custom options in one file, with source info (medians of 3)"
mkdir -p "$out/scale"
: > "$out/scale.txt"
for n in 5000 10000 20000 40000; do
  python3 - "$n" > "$out/scale/options_$n.proto" <<'PY'
import sys
n = int(sys.argv[1])
print('syntax = "proto3";\npackage scale;\nimport "google/api/field_behavior.proto";')
for m in range(0, n, 1000):
    print(f"message M{m} {{")
    for f in range(1, min(1000, n - m) + 1):
        print(f"  string f{f} = {f} [(google.api.field_behavior) = REQUIRED];")
    print("}")
PY
  file="$out/scale/options_$n.proto"
  "$here/protoc35" -I. -I"$out/scale" --include_source_info -o "$out/scale/protoc-$n.binpb" "$file"
  "$protoforge" build -I. -I"$out/scale" --include-source-info -o "$out/scale/protoforge-$n.binpb" "$file"
  "$fdsdiff" "$out/scale/protoc-$n.binpb" "$out/scale/protoforge-$n.binpb" >/dev/null || {
    echo "error: $file: protoforge's output differs from protoc's" >&2; exit 1; }
  for run in 1 2 3; do
    measure "$n protoforge" "$protoforge" build -I. -I"$out/scale" --include-source-info -o "$out/run.binpb" "$file"
    measure "$n protoc" protoc -I. -I"$out/scale" --include_source_info -o "$out/run.binpb" "$file"
    if [ "$n" -le 20000 ]; then
      measure "$n protox" "$protox" -I. -I"$out/scale" --include-source-info -o "$out/run.binpb" "$file"
    fi
  done
done
grep -E '^[0-9]+ ' "$out/results.txt" > "$out/scale.txt"
python3 - "$out/scale.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    n, tool, wall, _, _ = line.split()
    rows[(int(n), tool)].append(float(wall))
# Linear: each option added past the first 5,000 costs the same.
print("| options | protoforge s | µs per option past 5,000 | protoc s | protox 0.10 as is s |")
print("|---|---|---|---|---|")
first = statistics.median(rows[(5000, "protoforge")])
for n in (5000, 10000, 20000, 40000):
    pf = statistics.median(rows[(n, "protoforge")])
    pc = statistics.median(rows[(n, "protoc")])
    px = rows.get((n, "protox"))
    px = f"{statistics.median(px):.2f}" if px else "not run"
    marginal = f"{(pf - first) / (n - 5000) * 1e6:.1f}" if n > 5000 else "-"
    print(f"| {n} | {pf:.2f} | {marginal} | {pc:.2f} | {px} |")
PY

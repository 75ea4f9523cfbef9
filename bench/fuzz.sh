#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/, cargo-fuzz with libFuzzer) for SECONDS of
# wall time each, seeded with the workspace's schemas and a sample of
# googleapis, and reports per target the runs, the CPU time it got and
# every crash, hang (an input over 30 s) or out-of-memory input (over
# 4 GiB) found. Crashing inputs stay in bench/out/fuzz/artifacts/TARGET;
# copy each into fuzz/regressions/TARGET/ once fixed, where
# codegen/tests/fuzz_regressions.rs replays it in CI.
#
# Usage: bench/fuzz.sh [SECONDS] [TARGET]...
#   SECONDS   wall time per target (default 1800)
#   TARGET    compile_proto decode_image buf_yaml buf_yaml_nesting breaking generate
#             (default all)
#   FUZZ_JOBS targets run at once (default: the number of cores)
# Exits 1 if anything was found.
set -euo pipefail
seconds=${1:-1800}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compile_proto decode_image buf_yaml buf_yaml_nesting breaking generate)
jobs=${FUZZ_JOBS:-$(nproc)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$here/out/fuzz"
mkdir -p "$out"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
bash "$here/install-anchors.sh" --corpus >/dev/null
corpus="$here/node_modules/google-proto-files"
(cd "$root/fuzz" && RUSTC_BOOTSTRAP=1 cargo fuzz build -O)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge
protoforge="$root/target/release/protoforge"

# Seeds (kept between runs: the corpus grows).
seed() { mkdir -p "$out/corpus/$1"; }
seed compile_proto
find "$root/proto" "$root/cli/tests/fixtures" -name '*.proto' -exec cp -t "$out/corpus/compile_proto" {} +
find "$corpus/google" -name '*.proto' | LC_ALL=C sort | awk 'NR % 40 == 0' |
  while read -r file; do cp "$file" "$out/corpus/compile_proto/$(echo "${file#"$corpus"/}" | tr / _)"; done
seed decode_image
"$protoforge" build "$root/proto" --include-imports -o "$out/corpus/decode_image/proto.binpb"
"$protoforge" build "$root/proto" --include-imports --include-source-info -o "$out/corpus/decode_image/proto-si.binpb"
for dir in google/type google/rpc google/api; do
  "$protoforge" build -I"$corpus" --include-imports -o "$out/corpus/decode_image/$(echo $dir | tr / _).binpb" "$corpus/$dir"/*.proto 2>/dev/null || true
done
seed buf_yaml
i=0
while read -r file; do i=$((i + 1)); cp "$file" "$out/corpus/buf_yaml/$i.yaml"; done < <(find "$root/codegen/tests" "$root/examples" -name 'buf.yaml')
printf 'version: v2\nbreaking:\n  use: [FILE, WIRE_JSON]\n  except: [FIELD_SAME_NAME]\n  ignore: [foo]\n  ignore_only:\n    FIELD_NO_DELETE: [bar/baz.proto]\nmodules:\n  - path: proto\n' > "$out/corpus/buf_yaml/v2.yaml"
printf 'version: v1beta1\nbuild:\n  roots: [a, b]\nbreaking:\n  use: [WIRE]\n  ignore_unstable_packages: true\n' > "$out/corpus/buf_yaml/v1beta1.yaml"
for target in buf_yaml_nesting breaking generate; do
  seed "$target"
  for n in 1 2 3 4; do head -c $((n * 256)) /dev/urandom > "$out/corpus/$target/random-$n"; done
done

run() {
  local target=$1
  mkdir -p "$out/artifacts/$target"
  (cd "$root/fuzz" && RUSTC_BOOTSTRAP=1 /usr/bin/time -f "%U %S" -o "$out/$target.cpu" \
    cargo fuzz run -O "$target" "$out/corpus/$target" -- \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -artifact_prefix="$out/artifacts/$target/") > "$out/$target.log" 2>&1 || true
}

echo "fuzzing ${targets[*]} for $seconds s each, $jobs at a time"
running=0
for target in "${targets[@]}"; do
  run "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

found=0
for target in "${targets[@]}"; do
  runs=$(grep -oE '#[0-9]+' "$out/$target.log" | tail -1 | tr -d '#')
  cpu=$(awk '{ printf "%.0f", ($1 + $2) / 60 }' "$out/$target.cpu" 2>/dev/null || echo "?")
  artifacts=$(find "$out/artifacts/$target" -type f | wc -l)
  found=$((found + artifacts))
  echo "$target: ${runs:-0} runs, $cpu CPU minutes over ${seconds} s, corpus $(find "$out/corpus/$target" -type f | wc -l) inputs, $artifacts crashing inputs"
  find "$out/artifacts/$target" -type f | sed 's/^/  /'
done
[ "$found" -eq 0 ]

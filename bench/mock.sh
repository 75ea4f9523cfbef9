#!/usr/bin/env bash
# Unary calls per second and p99 latency over TCP: `protoforge mock serve`
# (the dynamic mock, schema proto/, stubs cli/tests/mock/stubs) beside the
# typed mock of the same service (MockUserService served on TCP), in the same
# run. CLIENTS concurrent clients (default 32, one HTTP/2 connection each)
# send CALLS GetUser calls each (default 500); RUNS runs of each (default 5),
# interleaved; medians. Release builds. Fails on any error or wrong answer.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${RUNS:-5}
clients=${CLIENTS:-32}
calls=${CALLS:-500}

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge -p protoforge-bench --bin protoforge --bin mock-load
bin="$root/target/release"
work=$(mktemp -d)
cleanup() {
  [[ -n ${dynamic_pid:-} ]] && kill "$dynamic_pid" 2>/dev/null || true
  [[ -n ${typed_pid:-} ]] && kill "$typed_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits for "listening on ADDR" in a log and prints ADDR.
address() {
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$1"; then
      sed -n 's/^listening on //p' "$1" | head -1
      return
    fi
    sleep 0.1
  done
  echo "no server in $1" >&2
  exit 1
}

(cd "$root" && exec "$bin/protoforge" mock serve proto --stubs cli/tests/mock/stubs \
  --addr 127.0.0.1:0 --admin-addr 127.0.0.1:0) >"$work/dynamic.log" 2>&1 &
dynamic_pid=$!
mkfifo "$work/typed.in"
"$bin/mock-load" typed <"$work/typed.in" >"$work/typed.log" 2>&1 &
typed_pid=$!
exec 3>"$work/typed.in"
dynamic=$(address "$work/dynamic.log")
typed=$(address "$work/typed.log")

for run in $(seq "$runs"); do
  for side in dynamic typed; do
    addr=$dynamic
    [[ $side == typed ]] && addr=$typed
    line=$("$bin/mock-load" load --addr "$addr" --clients "$clients" --calls "$calls")
    echo "$side run $run: $line"
    echo "$line" >>"$work/$side.runs"
  done
done
exec 3>&-

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$work/$2.runs" | median; }
d_rate=$(field calls_per_s dynamic)
t_rate=$(field calls_per_s typed)
d_p99=$(field p99_ms dynamic)
t_p99=$(field p99_ms typed)
echo "$clients clients x $calls calls, medians of $runs interleaved runs:"
printf 'mock serve (dynamic): %.0f calls/s, p99 %.2f ms\n' "$d_rate" "$d_p99"
printf 'typed mock:           %.0f calls/s, p99 %.2f ms\n' "$t_rate" "$t_p99"
awk -v d="$d_rate" -v t="$t_rate" -v dp="$d_p99" -v tp="$t_p99" \
  'BEGIN {printf "dynamic / typed: %.2fx the throughput, %.2fx the p99\n", d/t, dp/tp}'

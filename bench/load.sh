#!/usr/bin/env bash
# Load on the example server: CLIENTS concurrent clients (default 32), CALLS
# calls each (default 500; a quarter CreateUser, the rest GetUser), over real
# TCP, on three set-ups: one server on a SQLite file, one server on
# PostgreSQL, and two replicas on one PostgreSQL database (clients spread
# over both). Each set-up runs RUNS times (default 3), interleaved; every run
# prints throughput and p50/p99 latency, fails on any error, and checks the
# users table has exactly the rows created. Then the median throughput of
# each. Release build. PostgreSQL: the server PROTOFORGE_EXAMPLE_TEST_POSTGRES
# names, or a throwaway cluster started here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root="$here/.."
if [[ -z ${PROTOFORGE_EXAMPLE_TEST_POSTGRES:-} ]]; then
  source "$root/examples/throwaway-postgres.sh"
  trap stop_throwaway_postgres EXIT
fi
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge-bench --bin load
load="$root/target/release/load"
setups=("--backend sqlite" "--backend postgres" "--backend postgres --replicas 2")
results=$(mktemp)
for _ in $(seq "${RUNS:-3}"); do
  for setup in "${setups[@]}"; do
    # shellcheck disable=SC2086
    "$load" $setup --clients "${CLIENTS:-32}" --calls "${CALLS:-500}" | tee -a "$results"
  done
done
echo "median calls/s:"
for label in "sqlite x1" "postgres x1" "postgres x2"; do
  grep "^$label:" "$results" | sed -E 's/.* = ([0-9]+) calls\/s.*/\1/' | sort -n |
    awk -v label="$label" '{ v[NR] = $1 } END { printf "  %s: %d\n", label, v[int((NR + 1) / 2)] }'
done
rm -f "$results"

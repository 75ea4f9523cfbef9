#!/usr/bin/env bash
# Load on the example server: CLIENTS concurrent clients (default 32), CALLS
# calls each (default 500; a quarter CreateUser, the rest GetUser), over real
# TCP and a SQLite file; prints throughput and p50/p99 latency, and fails on
# any error or lost write. Release build.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cargo run --quiet --release --manifest-path "$here/../Cargo.toml" -p protoforge-bench --bin load -- \
  --clients "${CLIENTS:-32}" --calls "${CALLS:-500}"

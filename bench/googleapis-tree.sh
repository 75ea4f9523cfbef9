#!/usr/bin/env bash
# Sourced by the benchmarks: `googleapis_tree CORPUS DIR` makes DIR a tree of
# links to googleapis proper in CORPUS (npm google-proto-files): google/* and
# grafeas, without google/protobuf, protobuf's own sources, so that each
# compiler uses its built-in well-known types, as a googleapis user's would.
googleapis_tree() {
  local corpus=$1 dir=$2 d
  mkdir -p "$dir/google"
  ln -s "$corpus/grafeas" "$dir/grafeas"
  for d in "$corpus"/google/*/; do
    [ "$(basename "$d")" = protobuf ] || ln -s "$d" "$dir/google/$(basename "$d")"
  done
}

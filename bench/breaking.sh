#!/usr/bin/env bash
# `protoforge breaking` against `buf breaking` on googleapis (npm
# google-proto-files): a ~1,000-file pair and the whole corpus, each a copy
# with 50 breaking edits (deleted, renumbered and retyped fields, renamed
# rpcs), same command shape for both tools; then the check CI runs most, a
# git repository of the ~1,000 files against `.git#branch=main` where the
# branch changed 3 files, and the same check where nothing changed (beside
# the cost of hashing the files). Medians of RUNS (default 5) runs,
# interleaved, wall time and peak memory from GNU time; checks that both
# tools report the same findings; prints the ratios. CASES="small git"
# picks cases (default: small whole git unchanged).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-5}
bash "$here/install-anchors.sh" --corpus >/dev/null
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
corpus="$here/node_modules/google-proto-files"
buf="$here/node_modules/.bin/buf"
out="$here/out/breaking"
rm -rf "$out"; mkdir -p "$out"
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p protoforge
protoforge="$root/target/release/protoforge"

# shellcheck source=bench/googleapis-tree.sh
. "$here/googleapis-tree.sh"
googleapis_tree "$corpus" "$out/links"

# The files read from stdin and everything they import, but the well-known
# types (built into both tools).
closure='
import pathlib, re, sys
todo = sys.stdin.read().split()
seen = set()
while todo:
    f = todo.pop()
    if f in seen or f.startswith("google/protobuf/"):
        continue
    seen.add(f)
    for imp in re.findall(r"^import\s+(?:public\s+|weak\s+)?\"([^\"]+)\"", pathlib.Path(f).read_text(), re.M):
        if pathlib.Path(imp).exists():
            todo.append(imp)
print("\n".join(sorted(seen)))
'
# make_pair NAME DIR...: previous = a real copy of DIRs and everything they
# import; current = the same with 50 seeded breaking edits.
make_pair() {
  local name=$1; shift
  mkdir -p "$out/$name/previous"
  (cd "$out/links" && find -L "$@" -name '*.proto' | python3 -c "$closure" | xargs cp --parents -L -t "$out/$name/previous")
  cp -r "$out/$name/previous" "$out/$name/current"
  edit "$out/$name/current" 50
  echo "$name: $(find "$out/$name/previous" -name '*.proto' | wc -l) files, 50 edits"
}
# edit DIR N: N seeded breaking edits in the .proto files below DIR.
edit() {
  python3 - "$1" "$2" <<'PY'
import pathlib, random, re, sys
rng = random.Random(42)
root = pathlib.Path(sys.argv[1])
wanted = int(sys.argv[2])
files = sorted(root.rglob("*.proto"))
field = re.compile(r"^(\s+)(optional |repeated )?([A-Za-z_][\w.]*) (\w+) = (\d+)(.*);\s*$")
rpc = re.compile(r"^(\s+)rpc (\w+)\(")
edits = 0
while edits < wanted:
    path = rng.choice(files)
    lines = path.read_text().split("\n")
    # A whole statement: the line before ends one (a type may wrap lines).
    def starts_statement(i):
        before = lines[i - 1].strip() if i > 0 else ""
        return before == "" or before.startswith("//") or before[-1] in ";{}"
    candidates = [i for i, l in enumerate(lines) if (field.match(l) or rpc.match(l)) and starts_statement(i)]
    if not candidates:
        continue
    i = rng.choice(candidates)
    kind = rng.randrange(4)
    m = field.match(lines[i])
    if m and kind == 0:
        lines[i] = ""                                       # delete a field
    elif m and kind == 1:
        lines[i] = lines[i].replace(f"= {m.group(5)}", f"= {int(m.group(5)) + 1000}", 1)  # renumber
    elif m and kind == 2 and m.group(3) in ("string", "int32", "int64", "bool"):
        other = {"string": "bytes", "int32": "int64", "int64": "uint64", "bool": "int32"}[m.group(3)]
        lines[i] = lines[i].replace(f"{m.group(3)} {m.group(4)}", f"{other} {m.group(4)}", 1)  # retype
    elif rpc.match(lines[i]):
        lines[i] = rpc.sub(lambda r: f"{r.group(1)}rpc Renamed{r.group(2)}(", lines[i], 1)  # rename an rpc
    else:
        continue
    path.write_text("\n".join(lines))
    edits += 1
PY
}
# About 1,000 files: the first APIs of google/cloud in name order.
small=$(cd "$out/links" && for d in $(ls -d google/cloud/*/ | LC_ALL=C sort); do echo "$d"; done | awk -v links="$out/links" '
  { cmd = "find -L " links "/" $0 " -name \"*.proto\" | wc -l"; cmd | getline n; close(cmd); total += n; print $0; if (total >= 1000) exit }')
# shellcheck disable=SC2086
make_pair small google/api google/rpc google/type google/longrunning google/iam $small
make_pair whole google grafeas

# The check CI runs most: a repository of the ~1,000 files, main committed,
# a branch that changed 3 files (one edit each: files drawn apart), checked
# against .git#branch=main; and main checked against itself.
repo="$out/repo"
mkdir -p "$repo"
cp -r "$out/small/previous/." "$repo/"
( cd "$repo" && git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm main )
cp -r "$repo" "$out/unchanged"
python3 - "$repo" <<'PY'
import pathlib, random, re, sys
rng = random.Random(7)
root = pathlib.Path(sys.argv[1])
files = sorted(root.rglob("*.proto"))
field = re.compile(r"^(\s+)(optional |repeated )?([A-Za-z_][\w.]*) (\w+) = (\d+)(.*);\s*$")
changed = 0
while changed < 3:
    path = rng.choice(files)
    lines = path.read_text().split("\n")
    candidates = [i for i, l in enumerate(lines) if field.match(l) and lines[i - 1].strip()[-1:] in (";", "{", "}")]
    if not candidates:
        continue
    i = rng.choice(candidates)
    m = field.match(lines[i])
    lines[i] = lines[i].replace(f"= {m.group(5)}", f"= {int(m.group(5)) + 1000}", 1)
    path.write_text("\n".join(lines))
    files.remove(path)
    changed += 1
PY
( cd "$repo" && git checkout -qb change && git -c user.name=bench -c user.email=bench@localhost commit -qam change )
echo "git: $(git -C "$repo" ls-files '*.proto' | wc -l) files, $(git -C "$repo" diff --name-only main | wc -l) changed against main"

measure() { # TOOL CASE -> "seconds kilobytes exit"
  local tool=$1 case=$2 bin dir current against
  [ "$tool" = buf ] && bin=$buf || bin=$protoforge
  case $case in
    small|whole) dir="$out/$case" current=current against=previous ;;
    git) dir="$repo" current=. against=".git#branch=main" ;;
    unchanged) dir="$out/unchanged" current=. against=".git#branch=main" ;;
  esac
  ( cd "$dir" && /usr/bin/time -f "%e %M %x" -o "$out/time.txt" "$bin" breaking "$current" --against "$against" --error-format json > "$out/$case.$tool.json" 2> "$out/$case.$tool.err" ) || true
  cat "$out/time.txt" | tail -1
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for case in ${CASES:-small whole git unchanged}; do
  declare -A secs=() mem=()
  want=100; [ "$case" = unchanged ] && want=0
  for i in $(seq "$runs"); do
    for tool in protoforge buf; do
      read -r s m x <<< "$(measure $tool "$case")"
      [ "$x" = "$want" ] || { echo "$tool on $case exited $x:"; head -5 "$out/$case.$tool.err"; exit 1; }
      secs[$tool]+="$s "; mem[$tool]+="$m "
    done
  done
  if ! cmp -s "$out/$case.protoforge.json" "$out/$case.buf.json"; then
    echo "$case: the findings differ:"; diff "$out/$case.buf.json" "$out/$case.protoforge.json" | head -10; exit 1
  fi
  findings=$(wc -l < "$out/$case.buf.json")
  p_s=$(echo "${secs[protoforge]}" | tr ' ' '\n' | grep . | median); b_s=$(echo "${secs[buf]}" | tr ' ' '\n' | grep . | median)
  p_m=$(echo "${mem[protoforge]}" | tr ' ' '\n' | grep . | median); b_m=$(echo "${mem[buf]}" | tr ' ' '\n' | grep . | median)
  awk -v pair="$case" -v f="$findings" -v ps="$p_s" -v bs="$b_s" -v pm="$p_m" -v bm="$b_m" -v runs="$runs" 'BEGIN {
    printf "%s: same %d findings; protoforge %.2f s %.0f MiB, buf %.2f s %.0f MiB; %.1fx faster, %.1fx less memory (medians of %d)\n",
      pair, f, ps, pm / 1024, bs, bm / 1024, bs / ps, bm / pm, runs }'
  if [ "$case" = unchanged ]; then
    hash=$( { for i in $(seq "$runs"); do /usr/bin/time -f "%e" -o "$out/time.txt" git -C "$out/unchanged" hash-object $(git -C "$out/unchanged" ls-files '*.proto') >/dev/null; cat "$out/time.txt"; done; } | median)
    echo "unchanged: hashing the files (git hash-object) takes $hash s"
  fi
done

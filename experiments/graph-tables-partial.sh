#!/usr/bin/env bash
# graph-tables-partial.sh: the paired tests of graph-tables-repeat.sh's rows from the repetitions' manifests, for
# the rows every seed has finished — for a run stopped before its last stage (the runner's `--aggregate` needs
# every repetition complete). Same statistics (`tributary stats compare`), paired by seed.
#
#   experiments/graph-tables-partial.sh [OUT] [SEEDS]      (defaults out/graph-tables, "0 1 2"; → OUT/partial.md)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/graph-tables} SEEDS=${2:-0 1 2}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
python3 - "$OUT" $SEEDS > "$OUT/partial-pairs.txt" <<'PY'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
config = json.load(open(f"{out}/config.json"))
acc = {}
for s in seeds:
    stages = json.load(open(f"{out}/rep-seed{s}/run-manifest.json"))["stages"]
    for name, record in stages.items():
        if "accuracy" in (record.get("metrics") or {}):
            acc.setdefault(name, {})[s] = record["metrics"]["accuracy"]
done = {n for n, v in acc.items() if len(v) == len(seeds)}
for n in sorted(done): print("metric", n, *[acc[n][s] for s in seeds])
for row in config["repeat"]["compare"]:
    m, b = row["method"].split(".")[0], row["baseline"].split(".")[0]
    if m in done and b in done:
        print("pair", m, b, *[acc[b][s] for s in seeds], "|", *[acc[m][s] for s in seeds])
PY
{
  echo "| metric | per seed ($SEEDS) |"; echo "| --- | --- |"
  awk '$1 == "metric" { printf "| %s.accuracy |", $2; for (i = 3; i <= NF; i++) printf " %s", $i; print " |" }' "$OUT/partial-pairs.txt"
  echo
  header=--header
  while read -r kind m b rest; do
    [ "$kind" = pair ] || continue
    echo "${rest%%|*}" > "$OUT/.base.txt"; echo "${rest#*|}" > "$OUT/.method.txt"
    "$TRIBUTARY" stats compare --baseline "$OUT/.base.txt" --method "$OUT/.method.txt" --label "$m.accuracy vs $b.accuracy" $header
    header=
  done < "$OUT/partial-pairs.txt"
  rm -f "$OUT/.base.txt" "$OUT/.method.txt"
} > "$OUT/partial.md"
cat "$OUT/partial.md"

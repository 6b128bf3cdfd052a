#!/usr/bin/env bash
# graph-tables-repeat.sh: label-graph Tables 3 and 4 (Fashion-MNIST) over training seeds, through the runner's
# `repeat` block (issue 19): every row of graph-fashion.sh's table and the ablations, once per seed, then
# OUT/aggregate.md with mean ± std, the 95 % interval and the paired t / Wilcoxon test of every "method vs
# baseline" row (docs/results.md § Label-graph tables over seeds).
#
#   experiments/graph-tables-repeat.sh [OUT]     (default out/graph-tables; writes OUT/config.json and runs it)
#
# Sizes as graph-fashion.sh (fine 1,000 / coarse 5,000 training images, 2,000 test images, ORH FV PCA 32, M 16,
# 1x1; MLP 256, GRU H 128, E 32, Adam 1e-3, batch 64, 30 epochs), with the runner's leak-free split instead of
# fixed rows: a seeded LIMIT-image subset of the Fashion-MNIST training split, TEST_FRACTION of each class held out
# (split-images) and the Fisher vectors fitted on the rest; both stages are `shared` (fitted once, seed 0). Per
# seed, train-paths draws FINE_FRACTION of each class's training rows as the fine set (the same rows for every
# method of that seed), the rest become the coarse set (dresses dropped); "fine only" rows set coarse_map "".
#
# Knobs (environment): SEEDS ("0, 1, 2"), EPOCHS (30), LIMIT (8000), TEST_FRACTION (0.25), FINE_FRACTION (1/6),
# ROWS (the rows to run, in order; default all, see below), PARALLEL (1: one process per repetition with
# `run --repetition r`, each 1 rank; 0: one process), TRIBUTARY (.build/release/tributary).
# Run it under `nice -n 10` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/graph-tables}
SEEDS=${SEEDS:-"0, 1, 2"}; EPOCHS=${EPOCHS:-30}; LIMIT=${LIMIT:-8000}; TEST_FRACTION=${TEST_FRACTION:-0.25}
FINE_FRACTION=${FINE_FRACTION:-0.1666667}; PARALLEL=${PARALLEL:-1}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
[ -x "$TRIBUTARY" ] || { echo "graph-tables-repeat.sh: no tributary at $TRIBUTARY; swift build -c release, or set TRIBUTARY" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) G=$(pwd)/data/label-graphs

# Table 4's trimmed graphs (graph-fashion.sh's: 36 % / 63 % of the attribute graph's augmented nodes, seed 0).
"$TRIBUTARY" graph build --from "$G/fashion-mnist-attributes.graph" --trim-augmented 0.36 --seed 0 --out "$OUT/attr-medium.graph" > /dev/null
"$TRIBUTARY" graph build --from "$G/fashion-mnist-attributes.graph" --trim-augmented 0.63 --seed 0 --out "$OUT/attr-small.graph" > /dev/null

# paths NAME GRAPH METHOD FUSION(0|1) [EXTRA JSON]: one train-paths stage.
paths() {
  local coarse="$G/fashion-coarse.classes.csv"; [ "$4" = 1 ] || coarse=""
  printf '   {"name": "%s", "type": "train-paths", "dataset": "fashion", "inputs": {"fv": "fv", "manifest": "split"},\n' "$1"
  printf '    "params": {"graph": "%s", "fine_map": "%s/fashion-mnist.classes.csv", "coarse_map": "%s",\n' "$2" "$G" "$coarse"
  local extra=${5:-}; [ "$3" = label-aug ] && extra='"grid_nodes": []'"${extra:+, $extra}"  # no figure
  printf '               "fine_fraction": %s, "method": "%s", "epochs": %s, "batch_size": 64, "learning_rate": 0.001%s}}' \
    "$FINE_FRACTION" "$3" "$EPOCHS" "${extra:+, $extra}"
}
cmp() { printf '{"method": "%s.accuracy", "baseline": "%s.accuracy"}' "$1" "$2"; }
T=$G/fashion-mnist.graph A=$G/fashion-mnist-attributes.graph
# Every row: NAME → its stage (Table 3; Table 4 on the attribute graph, with the coarse set as in the paper's
# PetFusion column and, cheaper, on the fine set only: the *-fine rows).
declare -A STAGE=(
  [ffn]="$(paths ffn "$T" ffn 0)" [label-set]="$(paths label-set "$T" label-set 0)"
  [label-set-aug]="$(paths label-set-aug "$T" label-set-aug 0)" [ffn-fused]="$(paths ffn-fused "$T" ffn-fused 1)"
  [pseudo]="$(paths pseudo "$T" pseudo-labels 1)" [label-set-aug-fusion]="$(paths label-set-aug-fusion "$T" label-set-aug 1)"
  [aug]="$(paths aug "$T" label-aug 0)" [attr-aug]="$(paths attr-aug "$A" label-aug 0)"
  [aug-fusion]="$(paths aug-fusion "$T" label-aug 1)" [attr-aug-fusion]="$(paths attr-aug-fusion "$A" label-aug 1)"
  [attr-sum-fine]="$(paths attr-sum-fine "$A" label-aug 0 '"pooling": "sum"')"
  [attr-medium-fine]="$(paths attr-medium-fine "$OUT/attr-medium.graph" label-aug 0)"
  [attr-small-fine]="$(paths attr-small-fine "$OUT/attr-small.graph" label-aug 0)"
  [attr-sum]="$(paths attr-sum "$A" label-aug 1 '"pooling": "sum"')"
  [attr-medium]="$(paths attr-medium "$OUT/attr-medium.graph" label-aug 1)" [attr-small]="$(paths attr-small "$OUT/attr-small.graph" label-aug 1)"
)
# "method baseline" rows; a row is kept when both of its stages are in ROWS.
PAIRS=("aug ffn" "aug-fusion aug" "aug-fusion ffn" "label-set ffn" "label-set-aug label-set" "label-set-aug-fusion label-set-aug"
       "label-set-aug-fusion ffn" "ffn-fused ffn" "pseudo ffn" "aug-fusion pseudo" "attr-aug aug" "attr-aug-fusion attr-aug"
       "attr-sum-fine attr-aug" "attr-medium-fine attr-aug" "attr-small-fine attr-aug"
       "attr-sum attr-aug-fusion" "attr-medium attr-aug-fusion" "attr-small attr-aug-fusion")
# ROWS: the stages to run, in this order within each repetition (cheapest and most asked-for first).
ROWS=${ROWS:-"ffn aug attr-aug attr-sum-fine attr-medium-fine label-set label-set-aug attr-small-fine aug-fusion attr-aug-fusion ffn-fused pseudo label-set-aug-fusion attr-sum attr-medium attr-small"}
stages=() compare=()
for r in $ROWS; do [ -n "${STAGE[$r]:-}" ] || { echo "graph-tables-repeat.sh: unknown row $r" >&2; exit 2; }; stages+=("${STAGE[$r]}"); done
for pair in "${PAIRS[@]}"; do
  set -- $pair
  [[ " $ROWS " == *" $1 "* && " $ROWS " == *" $2 "* ]] && compare+=("$(cmp "$1" "$2")")
done
join() { local sep=$1; shift; local first=1; for x in "$@"; do [ $first = 1 ] || printf '%s' "$sep"; printf '%s' "$x"; first=0; done; }
cat > "$OUT/config.json" <<JSON
{"out": ".", "title": "Label-graph joining, Fashion-MNIST Tables 3 and 4 over training seeds (issue 19)",
 "datasets": {"fashion": {"kind": "fashion-mnist", "split": "train", "limit": $LIMIT, "subset_seed": 1}},
 "repeat": {"seeds": [$SEEDS], "shared": ["split", "fv"],
            "compare": [$(join $',\n                        ' "${compare[@]}")]},
 "stages": [
   {"name": "split", "type": "split-images", "dataset": "fashion", "params": {"test_fraction": $TEST_FRACTION, "seed": 0}},
   {"name": "fv", "type": "fisher", "dataset": "fashion", "inputs": {"manifest": "split"},
    "params": {"pca_dims": 32, "components": 16, "sample_size": 60000, "seed": 0}},
$(join $',\n' "${stages[@]}")
 ]}
JSON
count=$(echo "$SEEDS" | tr ',' ' ' | wc -w)
if [ "$PARALLEL" = 1 ]; then
  pids=()
  for ((r = 0; r < count; r++)); do
    "$TRIBUTARY" run "$OUT/config.json" --repetition "$r" --progress none > "$OUT/rep-$r.log" 2>&1 & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  "$TRIBUTARY" run "$OUT/config.json" --aggregate --progress none
else
  "$TRIBUTARY" run "$OUT/config.json" --progress none
fi
cat "$OUT/aggregate.md"

#!/usr/bin/env bash
# The teacher-forcing ablation of label-graph joining (Algorithm 1's r_tf; issue 19, item 4) on the Fashion-MNIST
# experiment of graph-fashion.sh: label-aug on the tree graph (COARSE=0: the fine set only, graph-fashion's `aug`
# row; r_tf acts on deterministic paths, which only the fine samples have), r_tf ∈ RATES × SEEDS, test accuracy,
# mean ± std per rate and a paired comparison (`tributary stats compare`) of each rate against r_tf = 1.
# Reuses graph-fashion.sh's Fisher vectors ($FV/fv-train/fv.h5, $FV/fv-test/fv.h5; run that script first, or
# its Fisher step). Writes $OUT/table.md.
#
# Usage: FV=out/graph-fashion bash experiments/graph-teacher-forcing.sh
#        RATES="1 0.5 0" SEEDS="0 1 2" EPOCHS=20 COARSE=0 NP=1 bash experiments/graph-teacher-forcing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FINE=${FINE:-1000} COARSE=${COARSE:-0} EPOCHS=${EPOCHS:-20} NP=${NP:-1}
RATES=${RATES:-1 0.5 0} SEEDS=${SEEDS:-0 1 2}
FV=${FV:-out/graph-fashion} OUT=${OUT:-out/graph-teacher-forcing}
B=${B:-$(swift build -c release --show-bin-path)/tributary}
[ -x "$B" ] || { echo "build first: swift build -c release" >&2; exit 1; }
[ -f "$FV/fv-train/fv.h5" ] && [ -f "$FV/fv-test/fv.h5" ] || { echo "run experiments/graph-fashion.sh (its Fisher step) first" >&2; exit 1; }
export TRIBUTARY_BIN="$B"
run() { if [ "$NP" = 1 ]; then "$B" "$@"; else bash launch/run.sh -n "$NP" -- "$@"; fi; }
mkdir -p "$OUT"
G=data/label-graphs
FINE_JOIN="dataset=fashion-mnist,features=$FV/fv-train/fv.h5,labels=$G/fashion-mnist.classes.csv,rows=0-$FINE"
COARSE_JOIN="dataset=fashion-coarse,features=$FV/fv-train/fv.h5,labels=$G/fashion-coarse.classes.csv,rows=$FINE-$((FINE + COARSE))"
TEST_IN="dataset=fashion-mnist,features=$FV/fv-test/fv.h5,labels=$G/fashion-mnist.classes.csv"

start=$(date +%s)
for rate in $RATES; do
  for seed in $SEEDS; do
    name=tf$rate-seed$seed
    joins=(--join "$FINE_JOIN"); [ "$COARSE" = 0 ] || joins+=(--join "$COARSE_JOIN")
    [ -f "$OUT/$name.h5" ] || run train-paths --graph $G/fashion-mnist.graph --method label-aug "${joins[@]}" --target fashion-mnist --epochs "$EPOCHS" --batch-size 64 --learning-rate 0.001 --seed "$seed" \
      --teacher-forcing "$rate" --out "$OUT/$name.h5" > "$OUT/$name.log"
    "$B" decode --model "$OUT/$name.h5" --input "$TEST_IN" --format json --out "$OUT/$name.paths.json" > "$OUT/$name.decode.log"
    awk '/^accuracy /{print $2}' "$OUT/$name.decode.log" > "$OUT/$name.acc"
    echo "r_tf $rate seed $seed: $(cat "$OUT/$name.acc") %"
  done
done
elapsed=$(( $(date +%s) - start ))

scores() { for seed in $SEEDS; do cat "$OUT/tf$1-seed$seed.acc"; done; }
{
  echo "Fashion-MNIST fine-grained test accuracy (%), first 2,000 test images; label-aug (tree graph), fine $FINE + coarse $COARSE training"
  echo "images, $EPOCHS epochs, batch 64, Adam 1e-3, seeds $SEEDS, $NP rank(s); train + decode time ${elapsed} s."
  echo
  echo "| r_tf | per seed | mean ± std |"
  echo "| --- | --- | --- |"
  for rate in $RATES; do
    echo "| $rate | $(scores "$rate" | paste -sd' ' -) | $(scores "$rate" | awk '{s+=$1; q+=$1*$1; n++} END {m=s/n; v=(n>1)?(q-n*m*m)/(n-1):0; if (v<0) v=0; printf "%.2f ± %.2f", m, sqrt(v)}') |"
  done
  echo
  first=1
  for rate in $RATES; do
    [ "$rate" = 1 ] && continue
    scores 1 > "$OUT/base.txt"; scores "$rate" > "$OUT/method.txt"
    if [ $first = 1 ]; then header=--header; first=0; else header=; fi
    "$B" stats compare --baseline "$OUT/base.txt" --method "$OUT/method.txt" --label "r_tf = $rate vs r_tf = 1" $header
  done
} > "$OUT/table.md"
cat "$OUT/table.md"

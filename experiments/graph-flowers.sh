#!/usr/bin/env bash
# Label-graph dataset joining, experiment 2: Flowers102 (official split: train 1,020) joined with Flowers17
# (1,360 photos minus every duplicate of a Flowers102 TEST photo), graph data/label-graphs/flowers.outline.
# Accuracy on a seeded random subset of TEST Flowers102 test photos. Writes $OUT/table.md.
#
# Encoder input: improved FV of dense ORH + COL descriptors (patch 32, step 16, 5 scales on the shipped 256-px
# photos), PCA PCA, M components, 1x1 regions of both kinds (F = 2 · 2·M·PCA); PCA/GMM fitted on the Flowers102
# training photos and reused for Flowers17 and the test photos.
#
# Usage: bash experiments/graph-flowers.sh        (TEST=1000 PCA=32 M=16 EPOCHS=40 NP=2 by default)
#        SEEDS="0 1 2" bash experiments/graph-flowers.sh   (the ROWS below once per training seed, models in
#                        $OUT/seed-S/; the Fisher vectors are fitted once, with SEED; per-row scores in
#                        $OUT/scores/ROW.txt (seed order), mean ± std and the paired tests → $OUT/table-seeds.md)
#        ROWS (with SEEDS; default "ffn ffn-fused aug aug-fusion"): any of ffn ffn-fused label-set pseudo aug
#                        aug-fusion. ffn-fused is the FFN on the fused set (FlowerFusion): a Flowers17 photo is
#                        kept when its label is one of the 12 shared classes (or has exactly one Flowers102 label
#                        below it in flowers.outline), with that Flowers102 label.
set -euo pipefail
cd "$(dirname "$0")/.."
TEST=${TEST:-1000} PCA=${PCA:-32} M=${M:-16} EPOCHS=${EPOCHS:-40} NP=${NP:-2} SEED=${SEED:-0} SEEDS=${SEEDS:-}
ROWS=${ROWS:-"ffn ffn-fused aug aug-fusion"}
OUT=${OUT:-out/graph-flowers}
DATA=${DATA:-../shared/data}
B=${B:-$(swift build -c release --show-bin-path)/tributary}
[ -x "$B" ] || { echo "build first: swift build -c release" >&2; exit 1; }
export TRIBUTARY_BIN="$B"
run() { if [ "$NP" = 1 ]; then "$B" "$@"; else bash launch/run.sh -n "$NP" -- "$@"; fi; }
mkdir -p "$OUT"
G=data/label-graphs
F102=$DATA/flowers102 F17=$DATA/flowers17

# 1. Fisher vectors: PCA/GMM on the Flowers102 training photos; the same models encode Flowers17 and the test photos.
[ -f "$OUT/fv-102train/fv.h5" ] || run fisher --dataset tar --data "$F102/flowers102_trainval.tar" --split train \
  --pca-dims "$PCA" --components "$M" --sample-size 60000 --seed "$SEED" --out "$OUT/fv-102train"
encode_with_train_models() {  # NAME extract-args…
  local name=$1; shift
  [ -f "$OUT/$name/fv.h5" ] && return
  run extract "$@" --out "$OUT/$name"
  cp "$OUT/fv-102train/pca.h5" "$OUT/fv-102train/gmm.h5" "$OUT/$name/"
  run encode --out "$OUT/$name"
}
encode_with_train_models fv-17 --dataset tar --data "$F17/flowers17.tar"
encode_with_train_models fv-102test --dataset tar --data "$F102/flowers102_test.tar" --split test --limit "$TEST" --subset-seed 1

# 2. Flowers17 labels without the duplicates of Flowers102 test photos: row i of fv-17 is line i+2 of labels.csv.
awk -F, 'NR == FNR { if (FNR > 1 && $3 == "test") test[$1] = 1; next }
         FILENAME ~ /duplicates/ { if (FNR > 1 && ($4 in test)) drop[$1] = 1; next }
         FILENAME ~ /classes/ { if (FNR > 1) map[$1] = $2; next }
         FNR > 1 { if (!($1 in drop)) print FNR - 2 "," map[$3]; else dropped++ }
         END { print dropped > "/dev/stderr" }' \
  "$F102/labels.csv" "$F102/flowers17_duplicates.csv" $G/flowers17.classes.csv "$F17/labels.csv" \
  > "$OUT/flowers17.rows.csv" 2> "$OUT/dropped.txt"
sed -i '1i row,label' "$OUT/flowers17.rows.csv"
DROPPED=$(cat "$OUT/dropped.txt")
DUPS=$(($(wc -l < "$F102/flowers17_duplicates.csv") - 1))

SETS=fv/orh/1x1,fv/col/1x1
FINE_JOIN="dataset=flowers102,features=$OUT/fv-102train/fv.h5,labels=$G/flowers102.classes.csv"
F17_JOIN="dataset=flowers17,features=$OUT/fv-17/fv.h5,labels=$OUT/flowers17.rows.csv"
TEST_IN="dataset=flowers102,features=$OUT/fv-102test/fv.h5,labels=$G/flowers102.classes.csv"
COMMON=(--graph $G/flowers.outline --target flowers102 --feature-sets $SETS --epochs "$EPOCHS" --batch-size 32
        --learning-rate 0.001 --seed "$SEED")
declare -A ACC
DIR=$OUT
train() {
  local name=$1 method=$2; shift 2
  local joins=()
  for j in "$@"; do joins+=(--join "$j"); done
  [ -f "$DIR/$name.h5" ] || run train-paths --method "$method" "${joins[@]}" "${COMMON[@]}" --out "$DIR/$name.h5" > "$DIR/$name.log"
  "$B" decode --model "$DIR/$name.h5" --input "$TEST_IN" --format json --out "$DIR/$name.paths.json" > "$DIR/$name.decode.log"
  ACC[$name]=$(awk '/^accuracy /{print $2}' "$DIR/$name.decode.log")
  echo "$name: ${ACC[$name]} %"
}

if [ -n "$SEEDS" ]; then
  # The ROWS once per training seed (the Fisher vectors above are shared), then paired tests by seed.
  mkdir -p "$OUT/scores"; rm -f "$OUT"/scores/*.txt
  start=$(date +%s)
  for s in $SEEDS; do
    DIR=$OUT/seed-$s; mkdir -p "$DIR"
    COMMON=(--graph $G/flowers.outline --target flowers102 --feature-sets $SETS --epochs "$EPOCHS" --batch-size 32
            --learning-rate 0.001 --seed "$s")
    for r in $ROWS; do
      case $r in
        ffn) train ffn ffn "$FINE_JOIN" ;;
        ffn-fused) train ffn-fused ffn-fused "$FINE_JOIN" "$F17_JOIN" ;;
        label-set) train label-set label-set "$FINE_JOIN" ;;
        pseudo) train pseudo pseudo-labels "$FINE_JOIN" "$F17_JOIN" ;;
        aug) train aug label-aug "$FINE_JOIN" ;;
        aug-fusion) train aug-fusion label-aug "$FINE_JOIN" "$F17_JOIN" ;;
        *) echo "graph-flowers.sh: unknown row $r" >&2; exit 2 ;;
      esac
      echo "${ACC[$r]}" >> "$OUT/scores/$r.txt"
    done
  done
  elapsed=$(( $(date +%s) - start ))
  ms() { awk '{x[NR]=$1; s+=$1} END {m=s/NR; for (i=1;i<=NR;i++) v+=(x[i]-m)^2; printf "%.2f ± %.2f", m, (NR>1)?sqrt(v/(NR-1)):0}' "$1"; }
  kept=$(awk '/^ffn-fused: kept/{print $3 " of " $5}' "$OUT/seed-${SEEDS%% *}/ffn-fused.log" 2>/dev/null || true)
  {
    echo "Flowers102 test accuracy (%), $TEST test photos of 6,149, mean ± std over training seeds $SEEDS (Fisher vectors"
    echo "fitted once, seed $SEED: ORH + COL, PCA $PCA, M = $M, 1x1, F = $((4 * M * PCA))); $EPOCHS epochs, batch 32, $NP rank(s);"
    echo "train + decode time of this invocation: ${elapsed} s (models already present are only decoded)."
    [ -n "$kept" ] && echo "ffn-fused keeps $kept Flowers17 photos (those whose label names one Flowers102 label)."
    echo
    echo "| row | mean ± std | per seed |"
    echo "| --- | --- | --- |"
    for r in $ROWS; do echo "| $r | $(ms "$OUT/scores/$r.txt") | $(tr '\n' ' ' < "$OUT/scores/$r.txt")|"; done
    echo
    first=1
    for pair in "aug ffn" "aug-fusion aug" "aug-fusion ffn" "ffn-fused ffn" "aug-fusion ffn-fused" "label-set ffn" "pseudo ffn"; do
      set -- $pair
      [ -f "$OUT/scores/$1.txt" ] && [ -f "$OUT/scores/$2.txt" ] || continue
      h=(); [ $first = 1 ] && h=(--header); first=0
      "$B" stats compare --baseline "$OUT/scores/$2.txt" --method "$OUT/scores/$1.txt" --label "$1 vs $2" "${h[@]}"
    done
  } > "$OUT/table-seeds.md"
  cat "$OUT/table-seeds.md"
  exit 0
fi
start=$(date +%s)
train ffn ffn "$FINE_JOIN"
train label-set label-set "$FINE_JOIN"
train pseudo pseudo-labels "$FINE_JOIN" "$F17_JOIN"
train aug label-aug "$FINE_JOIN"
train aug-fusion label-aug "$FINE_JOIN" "$F17_JOIN"
# Diagnostic: the same decoder on a flat graph (root → the 102 labels, no families).
{ echo "flowering plant"; tail -n +2 $G/flowers102.classes.csv | cut -d, -f1 | sed 's/^/  /; s/$/ @flowers102/'; } > "$OUT/flat.outline"
COMMON[1]=$OUT/flat.outline
train flat-aug label-aug "$FINE_JOIN"
elapsed=$(( $(date +%s) - start ))
KEPT=$(($(wc -l < "$OUT/flowers17.rows.csv") - 1))
{
  echo "Flowers102 test accuracy (%), $TEST test photos (seeded subset, --subset-seed 1) of 6,149. Train: the official"
  echo "train split (1,020). Fusion adds Flowers17: $KEPT of 1,360 photos, $DROPPED dropped as duplicates of Flowers102"
  echo "test photos (of the $DUPS listed duplicates). FV: ORH + COL, PCA $PCA, M = $M, 1x1 (F = $((4 * M * PCA)));"
  echo "MLP hidden 256, GRU H 128, E 32, Adam 1e-3, batch 32, $EPOCHS epochs, $NP rank(s); this invocation's train + decode time: ${elapsed} s (models already present are only decoded)."
  echo
  echo "| Model | 102 Category Flower | FlowerFusion |"
  echo "| --- | --- | --- |"
  echo "| FV + FFN | ${ACC[ffn]} | ✗ |"
  echo "| FV + Label Set | ${ACC[label-set]} | − |"
  echo "| FV + Pseudo labels | ✗ | ${ACC[pseudo]} |"
  echo "| FV + label-aug (flowers.outline) | ${ACC[aug]} | ${ACC[aug-fusion]} |"
  echo "| FV + label-aug, flat graph (no families; diagnostic) | ${ACC[flat-aug]} | − |"
} > "$OUT/table.md"
cat "$OUT/table.md"

#!/usr/bin/env bash
# Label-graph dataset joining, experiment 1 on Fashion-MNIST (Table 3 analog), the ablations (Table 4 analog) and
# the interpretability grid (Figure 4 analog). Writes $OUT/table.md (+ ablation.md, figure PNG).
#
#   fine dataset `fashion-mnist`  : train images 0 ..< FINE with their 10 classes
#   coarse dataset `fashion-coarse`: train images FINE ..< FINE+COARSE relabelled tops/bottoms/footwear/bags
#                                   (dresses dropped: the coarse label set has no dress)
#   test                          : the first TEST images of the official test split (fine labels)
#   encoder input                 : improved Fisher vectors of dense ORH descriptors, PCA PCA, M components,
#                                   1x1 region (F = 2·M·PCA), standardised on the training rows
#
# Usage: bash experiments/graph-fashion.sh            (NP ranks via launch/run.sh; defaults sized for 2 shared cores)
#        FINE=1000 COARSE=5000 TEST=2000 PCA=32 M=16 EPOCHS=30 NP=2 bash experiments/graph-fashion.sh
#        SEEDS="0 1 2" bash experiments/graph-fashion.sh   (the Table 3 rows once per training seed, models in
#                                   $OUT/seed-S/, mean ± std and the path-correctness counts → $OUT/table-seeds.md;
#                                   no ablations; the Fisher vectors are fitted once, with SEED)
#        ROWS="ffn aug aug-fusion" SEEDS="0 1 2" …   (with SEEDS: only these rows, in this order within a seed;
#                                   default all ten; a row not run reads as empty in the table; run again with
#                                   more rows to add them: models already present are only decoded)
set -euo pipefail
cd "$(dirname "$0")/.."
FINE=${FINE:-1000} COARSE=${COARSE:-5000} TEST=${TEST:-2000}
PCA=${PCA:-32} M=${M:-16} EPOCHS=${EPOCHS:-30} NP=${NP:-1} SEED=${SEED:-0} SEEDS=${SEEDS:-}
OUT=${OUT:-out/graph-fashion}
B=${B:-$(swift build -c release --show-bin-path)/tributary}
RUN=(bash launch/run.sh -n "$NP" --)
[ -x "$B" ] || { echo "build first: swift build -c release" >&2; exit 1; }
export TRIBUTARY_BIN="$B"
run() { if [ "$NP" = 1 ]; then "$B" "$@"; else "${RUN[@]}" "$@"; fi; }
mkdir -p "$OUT"
G=data/label-graphs
TRAIN_FV=$OUT/fv-train/fv.h5 TEST_FV=$OUT/fv-test/fv.h5

# 1. Fisher vectors: fit PCA/GMM on the training images, encode the test images with the same models.
if [ ! -f "$TRAIN_FV" ]; then
  run fisher --dataset fashion-mnist --split train --limit $((FINE + COARSE)) --pca-dims "$PCA" --components "$M" \
    --sample-size 60000 --seed "$SEED" --out "$OUT/fv-train"
fi
if [ ! -f "$TEST_FV" ]; then
  run extract --dataset fashion-mnist --split test --limit "$TEST" --out "$OUT/fv-test"
  cp "$OUT/fv-train/pca.h5" "$OUT/fv-train/gmm.h5" "$OUT/fv-test/"
  run encode --out "$OUT/fv-test"
fi

FINE_JOIN="dataset=fashion-mnist,features=$TRAIN_FV,labels=$G/fashion-mnist.classes.csv,rows=0-$FINE"
COARSE_JOIN="dataset=fashion-coarse,features=$TRAIN_FV,labels=$G/fashion-coarse.classes.csv,rows=$FINE-$((FINE + COARSE))"
TEST_IN="dataset=fashion-mnist,features=$TEST_FV,labels=$G/fashion-mnist.classes.csv"
COMMON=(--target fashion-mnist --epochs "$EPOCHS" --batch-size 64 --learning-rate 0.001 --seed "$SEED")

# train NAME GRAPH METHOD JOINS… [-- extra flags]: trains $DIR/NAME.h5 (DIR = $OUT, or $OUT/seed-S with SEEDS),
# decodes the test set, records accuracy (and, for label-aug, the path-correctness line of nondeterministic paths).
declare -A ACC NONDET
DIR=$OUT
train() {
  local name=$1 graph=$2 method=$3; shift 3
  local joins=() extra=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do joins+=(--join "$1"); shift; done
  [ $# -gt 0 ] && shift && extra=("$@")
  if [ ! -f "$DIR/$name.h5" ]; then
    run train-paths --graph "$graph" --method "$method" "${joins[@]}" "${COMMON[@]}" "${extra[@]}" --out "$DIR/$name.h5" \
      > "$DIR/$name.log"
  fi
  "$B" decode --model "$DIR/$name.h5" --input "$TEST_IN" --format json --out "$DIR/$name.paths.json" > "$DIR/$name.decode.log"
  ACC[$name]=$(awk '/^accuracy /{print $2}' "$DIR/$name.decode.log")
  # "path correctness: nondeterministic paths N (P %): C of L labelled end at the true label (S %)" → "N C L"
  NONDET[$name]=$(awk '/^path correctness: nondeterministic/{print $5, $8, $10}' "$DIR/$name.decode.log")
  echo "$name: ${ACC[$name]} %"
}

if [ -n "$SEEDS" ]; then
  # Table 3 rows per training seed; FFN on the fused set and Label Set over the augmented nodes beside them.
  declare -A ALL
  ROWS=(${ROWS:-ffn ffn-fused label-set label-set-aug label-set-aug-fusion pseudo aug aug-fusion attr-aug attr-aug-fusion})
  for r in ffn ffn-fused label-set label-set-aug label-set-aug-fusion pseudo aug aug-fusion attr-aug attr-aug-fusion; do
    ALL[$r]=""; ALL[$r.nd]=""
  done
  start=$(date +%s)
  for s in $SEEDS; do
    DIR=$OUT/seed-$s; mkdir -p "$DIR"
    COMMON=(--target fashion-mnist --epochs "$EPOCHS" --batch-size 64 --learning-rate 0.001 --seed "$s")
    for r in "${ROWS[@]}"; do
      case $r in
        ffn)                  train ffn                  $G/fashion-mnist.graph ffn           "$FINE_JOIN" ;;
        ffn-fused)            train ffn-fused            $G/fashion-mnist.graph ffn-fused     "$FINE_JOIN" "$COARSE_JOIN" ;;
        label-set)            train label-set            $G/fashion-mnist.graph label-set     "$FINE_JOIN" ;;
        label-set-aug)        train label-set-aug        $G/fashion-mnist.graph label-set-aug "$FINE_JOIN" ;;
        label-set-aug-fusion) train label-set-aug-fusion $G/fashion-mnist.graph label-set-aug "$FINE_JOIN" "$COARSE_JOIN" ;;
        pseudo)               train pseudo               $G/fashion-mnist.graph pseudo-labels "$FINE_JOIN" "$COARSE_JOIN" ;;
        aug)                  train aug                  $G/fashion-mnist.graph label-aug     "$FINE_JOIN" ;;
        aug-fusion)           train aug-fusion           $G/fashion-mnist.graph label-aug     "$FINE_JOIN" "$COARSE_JOIN" ;;
        attr-aug)             train attr-aug             $G/fashion-mnist-attributes.graph label-aug "$FINE_JOIN" ;;
        attr-aug-fusion)      train attr-aug-fusion      $G/fashion-mnist-attributes.graph label-aug "$FINE_JOIN" "$COARSE_JOIN" ;;
        *) echo "graph-fashion.sh: unknown row $r" >&2; exit 2 ;;
      esac
      ALL[$r]+="${ACC[$r]} "; [ -n "${NONDET[$r]}" ] && ALL[$r.nd]+="${NONDET[$r]};"
    done
  done
  elapsed=$(( $(date +%s) - start ))
  ms() { [ -n "$1" ] || { printf 'not run'; return; }; echo "$1" | awk '{for (i=1;i<=NF;i++) {x[i]=$i; s+=$i} m=s/NF; for (i=1;i<=NF;i++) v+=(x[i]-m)^2
                            printf "%.2f ± %.2f", m, (NF>1)?sqrt(v/(NF-1)):0}'; }
  nd() { echo "$1" | awk -v RS=';' 'NF==3 {n+=$1; c+=$2; l+=$3} END {if (n) printf "%d of %d nondeterministic paths end at the true label (%.1f %%)", c, l, 100*c/l; else printf "no nondeterministic path"}'; }
  kept="(not run)"
  [ -z "${ALL[ffn-fused]}" ] || kept=$(awk '/^ffn-fused: kept/{print $3 " of " $5}' "$OUT/seed-${SEEDS%% *}/ffn-fused.log")
  {
    echo "Fashion-MNIST fine-grained test accuracy (%), mean ± std over training seeds $SEEDS (Fisher vectors fitted once,"
    echo "seed $SEED), first $TEST test images; $EPOCHS epochs, $NP rank(s); train + decode time of all seeds: ${elapsed} s."
    echo "ffn-fused keeps $kept coarse samples (those whose coarse label has one fine label below it)."
    echo
    echo "| Model | Fashion-MNIST (fine only) | + coarse set (fusion) | per seed (fine / fusion) |"
    echo "| --- | --- | --- | --- |"
    echo "| FV + FFN | $(ms "${ALL[ffn]}") | $(ms "${ALL[ffn-fused]}") (fused set) | ${ALL[ffn]}/ ${ALL[ffn-fused]}|"
    echo "| FV + Label Set (label nodes) | $(ms "${ALL[label-set]}") | − | ${ALL[label-set]}|"
    echo "| FV + Label Set, label + augmented nodes | $(ms "${ALL[label-set-aug]}") | $(ms "${ALL[label-set-aug-fusion]}") | ${ALL[label-set-aug]}/ ${ALL[label-set-aug-fusion]}|"
    echo "| FV + Pseudo labels | ✗ | $(ms "${ALL[pseudo]}") | ${ALL[pseudo]}|"
    echo "| FV + label-aug, tree graph | $(ms "${ALL[aug]}") | $(ms "${ALL[aug-fusion]}") | ${ALL[aug]}/ ${ALL[aug-fusion]}|"
    echo "| FV + label-aug, attribute graph | $(ms "${ALL[attr-aug]}") | $(ms "${ALL[attr-aug-fusion]}") | ${ALL[attr-aug]}/ ${ALL[attr-aug-fusion]}|"
    echo
    echo "Path correctness (§4.4), all seeds pooled, decoded test paths of the label-aug models:"
    echo
    for r in aug aug-fusion attr-aug attr-aug-fusion; do [ -z "${ALL[$r]}" ] || echo "- $r: $(nd "${ALL[$r.nd]}")"; done
    # Paired tests by seed (same seeds, same Fisher vectors): every "method vs baseline" row whose two rows ran.
    echo
    mkdir -p "$OUT/scores"; header=--header
    for r in "${!ALL[@]}"; do [[ $r == *.nd || -z ${ALL[$r]} ]] || echo "${ALL[$r]}" > "$OUT/scores/$r.txt"; done
    for pair in "aug ffn" "aug-fusion aug" "aug-fusion ffn" "label-set ffn" "label-set-aug label-set" \
                "label-set-aug-fusion label-set-aug" "label-set-aug-fusion ffn" "ffn-fused ffn" "pseudo ffn" \
                "aug-fusion pseudo" "attr-aug aug" "attr-aug-fusion attr-aug" "attr-aug-fusion ffn"; do
      set -- $pair
      [ -n "${ALL[$1]}" ] && [ -n "${ALL[$2]}" ] || continue
      "$B" stats compare --baseline "$OUT/scores/$2.txt" --method "$OUT/scores/$1.txt" --label "$1 vs $2" $header
      header=
    done
  } > "$OUT/table-seeds.md"
  cat "$OUT/table-seeds.md"
  exit 0
fi

start=$(date +%s)
train ffn            $G/fashion-mnist.graph ffn           "$FINE_JOIN"
train label-set      $G/fashion-mnist.graph label-set     "$FINE_JOIN"
train pseudo         $G/fashion-mnist.graph pseudo-labels "$FINE_JOIN" "$COARSE_JOIN"
train aug            $G/fashion-mnist.graph label-aug     "$FINE_JOIN"
train aug-fusion     $G/fashion-mnist.graph label-aug     "$FINE_JOIN" "$COARSE_JOIN"
train attr-aug        $G/fashion-mnist-attributes.graph label-aug "$FINE_JOIN"
train attr-aug-fusion $G/fashion-mnist-attributes.graph label-aug "$FINE_JOIN" "$COARSE_JOIN"

# Ablations on the attribute graph (+ fusion): trimmed graphs, path pooling.
"$B" graph build --from $G/fashion-mnist-attributes.graph --trim-augmented 0.36 --seed "$SEED" --out "$OUT/attr-medium.graph"
"$B" graph build --from $G/fashion-mnist-attributes.graph --trim-augmented 0.63 --seed "$SEED" --out "$OUT/attr-small.graph"
"$B" graph build --from $G/fashion-mnist.graph --trim-augmented 0.36 --seed "$SEED" --out "$OUT/tree-medium.graph"
"$B" graph build --from $G/fashion-mnist.graph --trim-augmented 0.63 --seed "$SEED" --out "$OUT/tree-small.graph"
train tree-medium     "$OUT/tree-medium.graph" label-aug "$FINE_JOIN" "$COARSE_JOIN"
train tree-small      "$OUT/tree-small.graph"  label-aug "$FINE_JOIN" "$COARSE_JOIN"
train attr-medium     "$OUT/attr-medium.graph" label-aug "$FINE_JOIN" "$COARSE_JOIN"
train attr-small      "$OUT/attr-small.graph"  label-aug "$FINE_JOIN" "$COARSE_JOIN"
train attr-sum        $G/fashion-mnist-attributes.graph label-aug "$FINE_JOIN" "$COARSE_JOIN" -- --pooling sum
train attr-random     $G/fashion-mnist-attributes.graph label-aug "$FINE_JOIN" "$COARSE_JOIN" -- --pooling random
# Sensitivity: a smaller REINFORCE weight β for the coarse samples.
train aug-fusion-b01  $G/fashion-mnist.graph label-aug "$FINE_JOIN" "$COARSE_JOIN" -- --beta 0.1
elapsed=$(( $(date +%s) - start ))

# Interpretability: test images whose decoded path passes through these augmented nodes.
"$B" decode --model "$OUT/attr-aug-fusion.h5" --input "$TEST_IN" --format text --out "$OUT/attr-aug-fusion.paths.txt" \
  --grid-nodes long-sleeve,short-sleeve,sleeveless,closed-shoe,high-cut --grid-png "$OUT/figure-paths.png" --grid-per-row 12 \
  > "$OUT/figure.log"

F=$((2 * M * PCA))
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }
{
  echo "Fashion-MNIST fine-grained test accuracy (%), first $TEST test images. Fine set: train images 0..<$FINE;"
  echo "coarse set: train images $FINE..<$((FINE + COARSE)) relabelled tops/bottoms/footwear/bags (dresses dropped)."
  echo "Encoder input: improved FV of ORH, PCA $PCA, M = $M, 1x1 (F = $F), MLP hidden 256; GRU H 128, E 32;"
  echo "Adam 1e-3, batch 64, $EPOCHS epochs, seed $SEED, $NP rank(s); this invocation's train + decode time: ${elapsed} s."
  echo
  echo "| Model | Fashion-MNIST (fine only) | + coarse set (fusion) |"
  echo "| --- | --- | --- |"
  echo "| FV + FFN | ${ACC[ffn]} | ✗ |"
  echo "| FV + Label Set | ${ACC[label-set]} | − |"
  echo "| FV + Pseudo labels | ✗ | ${ACC[pseudo]} |"
  echo "| FV + label-aug, tree graph (fashion-mnist.graph) | ${ACC[aug]} | ${ACC[aug-fusion]} |"
  echo "| FV + label-aug, attribute graph (fashion-mnist-attributes.graph) | ${ACC[attr-aug]} | ${ACC[attr-aug-fusion]} |"
  echo "| FV + label-aug, tree graph, β = 0.1 | − | ${ACC[aug-fusion-b01]} |"
  echo
  echo "Ablation (+ fusion; Δ from the full graph with mean pooling: attribute ${ACC[attr-aug-fusion]}, tree ${ACC[aug-fusion]}):"
  echo
  echo "| Setting | attribute graph | Δ | tree graph | Δ |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| medium graph (36 % of augmented nodes trimmed) | ${ACC[attr-medium]} | $(delta "${ACC[attr-medium]}" "${ACC[attr-aug-fusion]}") | ${ACC[tree-medium]} | $(delta "${ACC[tree-medium]}" "${ACC[aug-fusion]}") |"
  echo "| small graph (63 % trimmed) | ${ACC[attr-small]} | $(delta "${ACC[attr-small]}" "${ACC[attr-aug-fusion]}") | ${ACC[tree-small]} | $(delta "${ACC[tree-small]}" "${ACC[aug-fusion]}") |"
  echo "| sum pooling | ${ACC[attr-sum]} | $(delta "${ACC[attr-sum]}" "${ACC[attr-aug-fusion]}") | | |"
  echo "| random path | ${ACC[attr-random]} | $(delta "${ACC[attr-random]}" "${ACC[attr-aug-fusion]}") | | |"
  echo
  echo "Figure: $OUT/figure-paths.png (rows: long-sleeve, short-sleeve, sleeveless, closed-shoe, high-cut; blue frame ="
  echo "deterministic decoded path, green = nondeterministic):"
  echo
  sed 's/^/    /' "$OUT/figure.log"
} > "$OUT/table.md"
cat "$OUT/table.md"

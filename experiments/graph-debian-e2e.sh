#!/usr/bin/env bash
# Frozen vs end-to-end text encoder for label-graph joining on Debian (issue 19, item 4): the label-aug decoder
# (marginal likelihood on nondeterministic paths, graph-debian.sh's `aug-marginal` row, debtags only) trained on
#   frozen : the train-text encoder's `embed` vectors as fixed inputs (today's pipeline)
#   e2e    : the same encoder trained jointly with the decoder (`train-paths --text-encoder`, starting from it)
# for each seed in SEEDS; micro-F1 on the test packages (τ tuned on validation), mean ± std and a paired comparison.
# FUSION=1 also joins the coarse `sections` packages (the Arxiv Fusion analog): runs *-fusion-seed*, e2e-fusion-table.md.
# Prepares the data with graph-debian.sh (PREPARE_ONLY=1) at the sizes below; writes $OUT/e2e-table.md.
#
# Usage: bash experiments/graph-debian-e2e.sh
#        FINE=1000 COARSE=2000 TEST=1000 VAL=500 PRETRAIN=3000 EPOCHS=10 SEEDS="0 1 2" bash experiments/graph-debian-e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FINE=${FINE:-1000} COARSE=${COARSE:-2000} TEST=${TEST:-1000} VAL=${VAL:-500} PRETRAIN=${PRETRAIN:-3000}
EPOCHS=${EPOCHS:-10} SEEDS=${SEEDS:-0 1 2} NP=${NP:-1} FUSION=${FUSION:-0}
THRESHOLDS=${THRESHOLDS:-0.02,0.05,0.1,0.15,0.2,0.25,0.3,0.4,0.5}
OUT=${OUT:-out/graph-debian-e2e}
B=${B:-$(swift build -c release --show-bin-path)/tributary}
[ -x "$B" ] || { echo "build first: swift build -c release" >&2; exit 1; }
export TRIBUTARY_BIN="$B"
run() { if [ "$NP" = 1 ]; then "$B" "$@"; else bash launch/run.sh -n "$NP" -- "$@"; fi; }
PREPARE_ONLY=1 FINE=$FINE COARSE=$COARSE TEST=$TEST VAL=$VAL PRETRAIN=$PRETRAIN OUT=$OUT B=$B NP=$NP bash experiments/graph-debian.sh
S=$OUT/splits E=$OUT/embed.h5
TEXT=(--text-encoder "$OUT/encoder.h5" --text-corpus debian --text-data "$S/experiment.dumpavail")
JOINS=(--join "dataset=debtags,features=$E,labels=$S/fine.csv") TAG=
[ "$FUSION" = 1 ] && JOINS+=(--join "dataset=sections,features=$E,labels=$S/coarse.csv") && TAG=-fusion

start=$(date +%s)
for seed in $SEEDS; do
  for mode in frozen e2e; do
    name=$mode$TAG-seed$seed
    extra=(); [ $mode = e2e ] && extra=("${TEXT[@]}")
    [ -f "$OUT/$name.h5" ] || run train-paths --graph "$OUT/debian.graph" --method label-aug --nondeterministic marginal \
      "${JOINS[@]}" --target debtags --epochs "$EPOCHS" --batch-size 64 \
      --learning-rate 0.001 --seed "$seed" "${extra[@]}" --out "$OUT/$name.h5" > "$OUT/$name.log"
    "$B" decode --model "$OUT/$name.h5" --input "dataset=debtags,features=$E,labels=$S/test.csv" --multi-label \
      --thresholds "$THRESHOLDS" --tune-on "dataset=debtags,features=$E,labels=$S/validation.csv" \
      --out "$OUT/$name.sets.tsv" > "$OUT/$name.decode.log"
    awk '/^f1 micro /{print $3}' "$OUT/$name.decode.log" > "$OUT/$name.micro"
    echo "$name: micro-F1 $(cat "$OUT/$name.micro")"
  done
done
elapsed=$(( $(date +%s) - start ))

scores() { for seed in $SEEDS; do cat "$OUT/$1$TAG-seed$seed.micro"; done; }
stats() { awk '{s+=$1; q+=$1*$1; n++} END {m=s/n; v=(n>1)?(q-n*m*m)/(n-1):0; if (v<0) v=0; printf "%.2f ± %.2f", m, sqrt(v)}'; }
{
  echo "Debian debtags micro-F1 (%), $TEST test packages (τ tuned on $VAL validation packages); label-aug, marginal likelihood,"
  echo "debtags: $FINE tagged packages$([ "$FUSION" = 1 ] && echo " + sections: $COARSE other packages"); encoder: bi-LSTM train-text on the sections of $PRETRAIN untagged packages"
  echo "(graph-debian.sh's settings); $EPOCHS epochs, batch 64, Adam 1e-3, seeds $SEEDS, $NP rank(s); time ${elapsed} s."
  echo
  echo "| encoder | per seed | mean ± std |"
  echo "| --- | --- | --- |"
  echo "| frozen (embed vectors) | $(scores frozen | paste -sd' ' -) | $(scores frozen | stats) |"
  echo "| end to end (--text-encoder) | $(scores e2e | paste -sd' ' -) | $(scores e2e | stats) |"
  echo
  scores frozen > "$OUT/base.txt"; scores e2e > "$OUT/method.txt"
  if [ "$(echo $SEEDS | wc -w)" -ge 2 ]; then
    "$B" stats compare --baseline "$OUT/base.txt" --method "$OUT/method.txt" --label "end to end vs frozen" --header
  else echo "(one seed: no paired test)"; fi
} > "$OUT/e2e$TAG-table.md"
cat "$OUT/e2e$TAG-table.md"

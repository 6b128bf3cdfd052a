#!/usr/bin/env bash
# graph-debian-seeds.sh: label-graph Table 2 analog on Debian (debtags fine, sections coarse) over training seeds
# (issue 19): label-aug on debtags only vs label-aug with the sections packages joined, per seed, for each
# nondeterministic-path objective in MODES (marginal: our variant; reinforce: the paper's Algorithm 1), with the
# frozen bi-LSTM encoder; micro-F1 on the test packages (τ tuned on validation), then `tributary stats compare`
# (mean ± std, 95 % interval, paired t, Wilcoxon) of "joined vs debtags only". Not through the runner: its
# train-paths stage joins Fisher vectors only (text features come from `embed`, see graph-debian.sh).
#
# Usage: bash experiments/graph-debian-seeds.sh    (OUT=out/graph-debian-seeds; writes $OUT/seeds-table.md)
#        FINE=1000 COARSE=2000 TEST=1000 VAL=500 PRETRAIN=3000 EPOCHS=10 SEEDS="0 1 2" MODES="marginal reinforce" …
# The data (graph, splits, encoder, embed vectors) are prepared once by graph-debian.sh (PREPARE_ONLY=1, SEED 0)
# at graph-debian-e2e.sh's sizes; only the training seed varies. Run it under `nice -n 10` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
FINE=${FINE:-1000} COARSE=${COARSE:-2000} TEST=${TEST:-1000} VAL=${VAL:-500} PRETRAIN=${PRETRAIN:-3000}
EPOCHS=${EPOCHS:-10} SEEDS=${SEEDS:-0 1 2} MODES=${MODES:-marginal reinforce}
THRESHOLDS=${THRESHOLDS:-0.02,0.05,0.1,0.15,0.2,0.25,0.3,0.4,0.5}
OUT=${OUT:-out/graph-debian-seeds}
B=${B:-$(swift build -c release --show-bin-path)/tributary}
[ -x "$B" ] || { echo "build first: swift build -c release" >&2; exit 1; }
PREPARE_ONLY=1 FINE=$FINE COARSE=$COARSE TEST=$TEST VAL=$VAL PRETRAIN=$PRETRAIN OUT=$OUT B=$B NP=1 bash experiments/graph-debian.sh
S=$OUT/splits E=$OUT/embed.h5
FINE_JOIN=(--join "dataset=debtags,features=$E,labels=$S/fine.csv")
COARSE_JOIN=(--join "dataset=sections,features=$E,labels=$S/coarse.csv")

start=$(date +%s)
for mode in $MODES; do
  for seed in $SEEDS; do
    for tag in fine fusion; do
      name=$mode-$tag-seed$seed joins=("${FINE_JOIN[@]}")
      [ $tag = fusion ] && joins+=("${COARSE_JOIN[@]}")
      [ -f "$OUT/$name.h5" ] || "$B" train-paths --graph "$OUT/debian.graph" --method label-aug --nondeterministic "$mode" \
        "${joins[@]}" --target debtags --epochs "$EPOCHS" --batch-size 64 --learning-rate 0.001 --seed "$seed" \
        --out "$OUT/$name.h5" > "$OUT/$name.log"
      "$B" decode --model "$OUT/$name.h5" --input "dataset=debtags,features=$E,labels=$S/test.csv" --multi-label \
        --thresholds "$THRESHOLDS" --tune-on "dataset=debtags,features=$E,labels=$S/validation.csv" \
        --out "$OUT/$name.sets.tsv" > "$OUT/$name.decode.log"
      awk '/^f1 micro /{print $3}' "$OUT/$name.decode.log" > "$OUT/$name.micro"
      awk '/^f1 micro /{print $5}' "$OUT/$name.decode.log" > "$OUT/$name.sample"
      echo "$name: micro-F1 $(cat "$OUT/$name.micro"), sample-F1 $(cat "$OUT/$name.sample")"
    done
  done
done
elapsed=$(( $(date +%s) - start ))

scores() { for seed in $SEEDS; do cat "$OUT/$1-seed$seed.$2"; done; }
{
  echo "Debian debtags F1 (%), $TEST test packages (τ tuned on $VAL validation packages); label-aug, frozen encoder"
  echo "(bi-LSTM on the sections of $PRETRAIN untagged packages); debtags: $FINE tagged packages, + sections: $COARSE other"
  echo "packages with their section only; $EPOCHS epochs, batch 64, Adam 1e-3, seeds $SEEDS, 1 rank; time ${elapsed} s."
  echo
  echo "| objective | debtags only, micro-F1 per seed | + sections, micro-F1 per seed | sample-F1 per seed (only / + sections) |"
  echo "| --- | --- | --- | --- |"
  for mode in $MODES; do
    echo "| $mode | $(scores $mode-fine micro | paste -sd' ' -) | $(scores $mode-fusion micro | paste -sd' ' -) | $(scores $mode-fine sample | paste -sd' ' -) / $(scores $mode-fusion sample | paste -sd' ' -) |"
  done
  echo
  header=--header
  for mode in $MODES; do
    for metric in micro sample; do
      scores $mode-fine $metric > "$OUT/$mode-fine.$metric.txt"; scores $mode-fusion $metric > "$OUT/$mode-fusion.$metric.txt"
      "$B" stats compare --baseline "$OUT/$mode-fine.$metric.txt" --method "$OUT/$mode-fusion.$metric.txt" \
        --label "$mode: + sections vs debtags only ($metric-F1)" $header
      header=
    done
  done
} > "$OUT/seeds-table.md"
cat "$OUT/seeds-table.md"

#!/bin/bash
# train-paths with sharded epochs (rows read per rank, PathFeatureRows) against another build: every method at
# mpirun -np 1, 2, 3 on one small embed fixture; each model file must have no h5diff difference (datasets and
# attributes) from the other build's. docs/reliability.md § Sharded epochs.
#
#   experiments/paths-sharded-identity.sh BEFORE_BIN AFTER_BIN [WORK_DIR]     (needs mpirun and h5diff)
set -uo pipefail
before="${1:?usage: $0 BEFORE_BIN AFTER_BIN [WORK_DIR]}"; after="${2:?usage: $0 BEFORE_BIN AFTER_BIN [WORK_DIR]}"
work="${3:-/tmp/tributary-paths-identity}"
mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=^openib OPENBLAS_NUM_THREADS=1

# 120 documents of 3 classes (row i has class i mod 3) → a small bi-LSTM → 6-D context vectors per document.
awk 'BEGIN { srand(7); print "text,label"; split("goal match team|chip code web|bread wine soup", t, "|")
    for (i = 0; i < 120; i++) { split(t[i % 3 + 1], w, " "); line = ""
        for (j = 0; j < 8; j++) line = line w[int(rand() * 3) + 1] " n" int(rand() * 30) " "
        print line ",c" i % 3 } }' >texts.csv
printf 'node root root\nnode A label datasets=coarse\nnode B label datasets=coarse\nnode c0 label datasets=fine\nnode c1 label datasets=fine\nnode c2 label datasets=fine\nedge root A B\nedge A c0 c1\nedge B c2\n' >g.graph
awk 'BEGIN { print "row,label"; for (i = 0; i < 40; i++) print i ",c" i % 3 }' >fine.csv
awk 'BEGIN { print "row,label"; for (i = 40; i < 120; i++) print i "," (i % 3 == 2 ? "B" : "A") }' >coarse.csv
"$before" train-text --corpus csv --data texts.csv --embedding-size 8 --hidden-size 6 --context-size 6 --min-count 1 \
    --epochs 2 --batch-size 10 --out model.h5 >train-text.log 2>&1 || { echo "train-text failed (train-text.log)"; exit 1; }
"$before" embed --corpus csv --data texts.csv --model model.h5 --out emb.h5 >embed.log 2>&1 || { echo "embed failed"; exit 1; }

status=0
for m in label-aug ffn label-set pseudo-labels; do
    extra=(); [ "$m" = label-aug ] && extra=(--embedding-size 8 --hidden-size 16 --teacher-forcing 0.7)
    for np in 1 2 3; do
        for side in before after; do
            bin="$before"; [ "$side" = after ] && bin="$after"
            mpirun -np "$np" --oversubscribe --bind-to none "$bin" train-paths --graph g.graph --target fine --method "$m" \
                --epochs 3 --join "dataset=fine,features=emb.h5,labels=fine.csv,rows=0-40" \
                --join "dataset=coarse,features=emb.h5,labels=coarse.csv,rows=40-120" --encoder-hidden 16 --batch-size 16 \
                --learning-rate 0.01 "${extra[@]}" --out "$side-$m-$np.h5" >"$side-$m-$np.log" 2>&1 \
                || { echo "$side $m -np $np failed ($work/$side-$m-$np.log)"; status=1; }
        done
        if h5diff -c "before-$m-$np.h5" "after-$m-$np.h5" >/dev/null 2>&1; then echo "$m -np $np: same"
        else echo "$m -np $np: DIFFERENT"; status=1; fi
    done
done
exit $status

#!/bin/bash
# Peak resident memory per rank of `train-paths` (label-set, one epoch over N = 20,000 vectors of F = 256 float32,
# 20 MB) for one or two builds at mpirun -np 1 and 2, and an h5diff of their models. docs/reliability.md
# § Sharded epochs. Needs mpirun, h5import, h5diff and GNU time (/usr/bin/time).
#
#   experiments/paths-sharded-memory.sh BIN [OTHER_BIN] [WORK_DIR]
set -uo pipefail
bins=("${1:?usage: $0 BIN [OTHER_BIN] [WORK_DIR]}"); [ -n "${2:-}" ] && bins+=("$2")
work="${3:-/tmp/tributary-paths-memory}"
mkdir -p "$work" && cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=^openib OPENBLAS_NUM_THREADS=1
n=20000 f=256
# Three Gaussian classes (row i: class i mod 3), written as text and imported as a float32 dataset `embeddings`.
awk -v n=$n -v f=$f 'BEGIN { srand(3); for (c = 0; c < 3; c++) for (j = 0; j < f; j++) m[c, j] = 2 * rand() - 1
    for (i = 0; i < n; i++) { line = ""; for (j = 0; j < f; j++) line = line sprintf("%.5f ", m[i % 3, j] + rand() - 0.5); print line } }' >x.txt
printf 'PATH embeddings\nINPUT-CLASS TEXTFP\nRANK 2\nDIMENSION-SIZES %d %d\nOUTPUT-CLASS FP\nOUTPUT-SIZE 32\n' $n $f >x.cfg
rm -f x.h5; h5import x.txt -c x.cfg -o x.h5 || exit 1
awk 'BEGIN { print "row,label"; for (i = 0; i < 5000; i++) print i ",c" i % 3 }' >fine.csv
awk -v n=$n 'BEGIN { print "row,label"; for (i = 5000; i < n; i++) print i "," (i % 3 == 2 ? "B" : "A") }' >coarse.csv
printf 'node root root\nnode A label datasets=coarse\nnode B label datasets=coarse\nnode c0 label datasets=fine\nnode c1 label datasets=fine\nnode c2 label datasets=fine\nedge root A B\nedge A c0 c1\nedge B c2\n' >g.graph
for np in 1 2; do
    for b in "${!bins[@]}"; do
        # One GNU time report per rank (its own file, so two ranks never interleave a line).
        mpirun -np $np --oversubscribe --bind-to none sh -c '/usr/bin/time -f "build '$b' -np '$np' rank $OMPI_COMM_WORLD_RANK: max RSS %M KB, %e s" \
            -o "rss-'$b'-'$np'-$OMPI_COMM_WORLD_RANK.txt" "$0" "$@"' "${bins[$b]}" \
            train-paths --graph g.graph --target fine --method label-set --epochs 1 --batch-size 256 --encoder-hidden 32 \
            --join dataset=fine,features=x.h5,labels=fine.csv,rows=0-5000 \
            --join "dataset=coarse,features=x.h5,labels=coarse.csv,rows=5000-$n" --out "model-$b-$np.h5" >"run-$b-$np.log" 2>&1
        cat rss-$b-$np-*.txt
    done
    [ ${#bins[@]} = 2 ] && { h5diff -c "model-0-$np.h5" "model-1-$np.h5" >/dev/null && echo "-np $np: models same" || echo "-np $np: models DIFFERENT"; }
done

#!/usr/bin/env bash
# W1 (bench gmm) and W2 (bench fisher) as % of same-run sgemm (the benches print it), for two binaries — BEFORE and
# AFTER — at 1 and 2 OpenBLAS threads, alternating binaries and thread counts round by round (issue 18, round 2;
# docs/benchmarks.md). One line per run: round, threads, binary, load average, the two shares.
#   BEFORE=/tmp/main-tributary AFTER=.build/release/tributary ROUNDS=4 bench/isa-share.sh
set -u
BEFORE=${BEFORE:?set BEFORE to the reference tributary binary}; AFTER=${AFTER:-.build/release/tributary}
for r in $(seq 1 "${ROUNDS:-4}"); do
    for t in 1 2; do
        for b in before after; do
            bin=$BEFORE; [ "$b" = after ] && bin=$AFTER
            l=$(cut -d' ' -f1 /proc/loadavg)
            g=$(OPENBLAS_NUM_THREADS=$t "$bin" bench gmm --rows 64000 --iterations 3 2>&1 | sed -n 's/.*= \([0-9.]*\)% of sgemm.*/\1/p')
            f=$(OPENBLAS_NUM_THREADS=$t "$bin" bench fisher --images 50 2>&1 | sed -n 's/.*= \([0-9.]*\)% of sgemm.*/\1/p')
            echo "round $r threads $t $b load $l gmm% $g fisher% $f"
        done
    done
done

#!/usr/bin/env bash
# W1 (bench gmm) and W2 (bench fisher) as % of same-run sgemm (the benches print it), for two binaries — BEFORE and
# AFTER — at each ranks × threads configuration of CONFIGS (default "1x1 1x2"; issue 18 round 3 adds "2x1": 2 ranks
# under mpirun, 1 thread each, where the benches' share is Σ ranks FV or EM GFLOP/s over Σ ranks sgemm), alternating
# binaries and configurations round by round (docs/benchmarks.md, issue 18 rounds 2 and 3). One line per run:
# round, configuration, binary, load average, the two shares.
#   BEFORE=/tmp/main-tributary AFTER=.build/release/tributary ROUNDS=4 CONFIGS="1x1 1x2 2x1" bench/isa-share.sh
set -u
BEFORE=${BEFORE:?set BEFORE to the reference tributary binary}; AFTER=${AFTER:-.build/release/tributary}
ROOT=(); [ "$(id -u)" = 0 ] && ROOT=(--allow-run-as-root)
share() {  # share RANKS THREADS BINARY BENCH-ARGS…: the "% of sgemm" figure of one run
    local ranks=$1 t=$2 bin=$3; shift 3
    if [ "$ranks" = 1 ]; then OPENBLAS_NUM_THREADS=$t "$bin" bench "$@" 2>&1
    else mpirun --oversubscribe -np "$ranks" "${ROOT[@]}" -x OPENBLAS_NUM_THREADS="$t" "$bin" bench "$@" 2>&1; fi \
        | sed -n 's/.*= \([0-9.]*\)% of sgemm.*/\1/p' | head -1
}
for r in $(seq 1 "${ROUNDS:-4}"); do
    for c in ${CONFIGS:-1x1 1x2}; do
        ranks=${c%x*}; t=${c#*x}
        for b in before after; do
            bin=$BEFORE; [ "$b" = after ] && bin=$AFTER
            l=$(cut -d' ' -f1 /proc/loadavg)
            g=$(share "$ranks" "$t" "$bin" gmm --rows 64000 --iterations 3)
            f=$(share "$ranks" "$t" "$bin" fisher --images 50)
            echo "round $r config ${ranks}x$t $b load $l gmm% $g fisher% $f"
        done
    done
done

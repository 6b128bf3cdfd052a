#!/usr/bin/env bash
# One binary at 1 rank × 1 thread, 1 rank × 2 threads and 2 ranks × 1 thread, alternating configurations round by
# round (issue 18, "threads inside a rank"; docs/benchmarks.md § Round 3, quiet re-measure):
#   W1 `bench gmm --rows 64000 --iterations 3` and W2 `bench fisher --images 50` as % of same-run sgemm (the benches
#   print it; at 2x1 the share is Σ ranks GFLOP/s over Σ ranks sgemm), and W7 bi-LSTM inference tokens/s
#   (`bench bilstm`, Σ over ranks under mpirun). One line per run, with the 1-minute load average before it.
#   BIN=.build/release/tributary ROUNDS=3 bench/in-rank-configs.sh
# ONLY=w7 runs the W7 inference cell alone (issue 18, round 4: the batch rows over threads); the other cells print "-".
set -u
BIN=${BIN:-.build/release/tributary}
ROOT=(); [ "$(id -u)" = 0 ] && ROOT=(--allow-run-as-root)
run() {  # run RANKS THREADS BENCH-ARGS…
    local ranks=$1 t=$2; shift 2
    if [ "$ranks" = 1 ]; then OPENBLAS_NUM_THREADS=$t "$BIN" bench "$@" 2>&1
    else mpirun --oversubscribe -np "$ranks" "${ROOT[@]}" -x OPENBLAS_NUM_THREADS="$t" "$BIN" bench "$@" 2>&1; fi
}
echo "cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2); $("$BIN" --version | tr '\n' ' ')"
for r in $(seq 1 "${ROUNDS:-3}"); do
    for c in 1x1 1x2 2x1; do
        ranks=${c%x*}; t=${c#*x}
        l=$(cut -d' ' -f1 /proc/loadavg)
        g=-; f=-
        if [ "${ONLY:-}" != w7 ]; then
            g=$(run "$ranks" "$t" gmm --rows 64000 --iterations 3 | sed -n 's/.*= \([0-9.]*\)% of sgemm.*/\1/p' | head -1)
            f=$(run "$ranks" "$t" fisher --images 50 | sed -n 's/.*= \([0-9.]*\)% of sgemm.*/\1/p' | head -1)
        fi
        w7=$(run "$ranks" "$t" bilstm --steps 2 --repeats 3 --threads "$t" | grep 'inference tokens/s' | head -1)
        echo "round $r config $c load $l gmm% $g fisher% $f w7 $w7"
    done
done

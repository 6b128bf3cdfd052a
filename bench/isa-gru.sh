#!/usr/bin/env bash
# W8 per round: a BEFORE binary, the AFTER binary at each kernel level (TRIBUTARY_ISA), then the PyTorch anchor
# w8_gru.py; 1 thread everywhere (issue 18, round 2; docs/benchmarks.md). Prints the RESULT lines prefixed by who
# ran them (before, baseline, avx2, avx512, torch) and the load average per round.
#   BEFORE=/tmp/main-tributary AFTER=.build/release/tributary ROUNDS=2 bench/isa-gru.sh
set -u
BEFORE=${BEFORE:?set BEFORE to the reference tributary binary}; AFTER=${AFTER:-.build/release/tributary}
ANCHORS=${ANCHORS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/bench/anchors}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 ANCHOR_THREADS=1
results=$(mktemp)
for r in $(seq 1 "${ROUNDS:-2}"); do
    echo "load $(cut -d' ' -f1 /proc/loadavg)"
    "$BEFORE" bench gru --threads 1 | grep '^RESULT' | sed "s/^/before /"
    for l in baseline avx2 avx512; do
        TRIBUTARY_ISA=$l "$AFTER" bench gru --threads 1 | grep '^RESULT' | sed "s/^/$l /"
    done
    rm -f "$results"
    (cd "$ANCHORS" && ANCHOR_RESULTS="$results" python3 w8_gru.py >/dev/null 2>&1) && sed "s/^/torch /" "$results"
done
echo "load $(cut -d' ' -f1 /proc/loadavg)"
rm -f "$results"

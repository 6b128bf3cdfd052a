#!/usr/bin/env bash
# text-smoke.sh: the data-parallel text-training smoke test. Trains `tributary train-text` (a small bi-LSTM) for
# 2 epochs on BBC Sport (or, when the shared data is absent, a generated CSV fixture) and checks that
#   1. -np 1 and -np 2 (via launch/run.sh, 1 BLAS thread per rank) give the same per-epoch loss within tolerance;
#   2. every run reports passed identical-parameter checks (ranks hold bit-identical parameters);
#   3. a -np 2 run interrupted mid-epoch 2 (--stop-after-steps) and resumed from its checkpoint ends with the
#      same parameter hash as the uninterrupted -np 2 run (bit-identical resume).
# Prints a summary and exits non-zero on any failure. About a minute on 2 cores.
#
#   launch/text-smoke.sh     # binary: $TRIBUTARY_BIN, else .build/release/tributary, else .build/debug/tributary
#   SMOKE_TOLERANCE=1e-3 SMOKE_TIMEOUT=300 launch/text-smoke.sh
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
tolerance="${SMOKE_TOLERANCE:-1e-3}"
limit="${SMOKE_TIMEOUT:-300}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tributary-text-smoke.XXXXXX")"

bin="${TRIBUTARY_BIN:-}"
if [ -z "$bin" ]; then
    for candidate in "$root/.build/release/tributary" "$root/.build/debug/tributary"; do
        if [ -x "$candidate" ]; then bin="$candidate"; break; fi
    done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "text-smoke: no tributary binary: run 'swift build -c release' in $root, or set TRIBUTARY_BIN" >&2
    exit 2
fi
export TRIBUTARY_BIN="$bin"

shared="${TRIBUTARY_SHARED_DATA:-$root/../shared/data}"
archive="$shared/bbcsport/bbcsport.tar.gz"
if [ -r "$archive" ]; then
    corpus=(--corpus bbcsport --data "$archive" --batch-size 16)
    stop=60   # 42 steps per epoch: stops inside epoch 2
else
    # 150 documents in 3 classes, told apart by topic words among shared filler words.
    fixture="$work/fixture.csv"
    {
        echo "text,label"
        for i in $(seq 0 149); do
            case $((i % 3)) in
                0) words="stock market shares profit bank" ;; 1) words="goal match team coach league" ;;
                *) words="vote party minister election poll" ;;
            esac
            set -- $words
            echo "the $1 and $3 were $2 today while $5 and $4 moved number $i,class$((i % 3))"
        done
    } >"$fixture"
    corpus=(--corpus csv --data "$fixture" --batch-size 8)
    stop=25   # 17 steps per epoch: stops inside epoch 2
fi
common=("${corpus[@]}" --epochs 2 --max-length 64 --vocab-size 5000 --embedding-size 64 --hidden-size 32
        --seed 3 --check-every 5 --test-fraction 0.1)
echo "text-smoke: $bin; ${corpus[*]}; logs in $work"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME NP ARGS…: train-text under launch/run.sh with 1 BLAS thread per rank.
run() {
    local name="$1" np="$2"; shift 2
    timeout --kill-after=10 "$limit" bash "$here/run.sh" -n "$np" --threads 1 --bind none -- \
        train-text "${common[@]}" --out "$work/$name.h5" "$@" >"$work/$name.log" 2>&1
    local rc=$?
    [ "$rc" = 0 ] || fail "$name exited $rc (see $work/$name.log)"
    local checks
    checks="$(sed -n 's/^identical-parameter checks passed: //p' "$work/$name.log")"
    if [ -z "$checks" ] || [ "$checks" -lt 1 ]; then fail "$name: no identical-parameter check passed"; fi
}
losses() { sed -n 's/^epoch \([0-9]*\)\/[0-9]*  loss \([0-9.]*\).*/\2/p' "$1"; }
hash_of() { sed -n 's/^parameter hash: //p' "$1"; }

run np1 1 --checkpoint "$work/ck1"
run np2 2 --checkpoint "$work/ck2"
run cut 2 --checkpoint "$work/ck3" --stop-after-steps "$stop"
run resumed 2 --checkpoint "$work/ck3" --resume

l1="$(losses "$work/np1.log" | tr '\n' ' ')"; l2="$(losses "$work/np2.log" | tr '\n' ' ')"
echo "  loss per epoch, 1 rank:  $l1"
echo "  loss per epoch, 2 ranks: $l2"
if [ "$(echo "$l1" | wc -w)" != 2 ] || [ "$(echo "$l2" | wc -w)" != 2 ]; then
    fail "expected 2 epoch lines in each run"
elif ! awk -v a="$l1" -v b="$l2" -v tol="$tolerance" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++) { d = x[i] - y[i]; if (d < 0) d = -d; if (d > tol * (x[i] > 1 ? x[i] : 1)) exit 1 }
        exit 0 }'; then
    fail "1-rank and 2-rank loss curves differ by more than $tolerance"
fi
h2="$(hash_of "$work/np2.log")"; hr="$(hash_of "$work/resumed.log")"
echo "  parameter hash, 2 ranks uninterrupted: $h2; interrupted + resumed: $hr"
if [ -z "$h2" ] || [ "$h2" != "$hr" ]; then fail "resumed run does not end with the uninterrupted run's parameters"; fi
grep -q "^epoch 2/2" "$work/cut.log" && fail "the interrupted run was not interrupted (epoch 2 finished)"

if [ "$failures" = 0 ]; then echo "text-smoke: OK"; else echo "text-smoke: $failures failure(s)"; fi
[ "$failures" = 0 ]

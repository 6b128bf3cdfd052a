#!/usr/bin/env bash
# text-smoke.sh: the data-parallel text-training smoke test. Trains `tributary train-text` (a small bi-LSTM) for
# 2 epochs on BBC Sport (or, when the shared data is absent, a generated CSV fixture) and checks that
#   1. -np 1 and -np 2 (via launch/run.sh, 1 BLAS thread per rank) give the same per-epoch loss within tolerance;
#   2. every run reports passed identical-parameter checks (ranks hold bit-identical parameters);
#   3. a -np 2 run interrupted mid-epoch 2 (--stop-after-steps) and resumed from its checkpoint ends with the
#      same parameter hash as the uninterrupted -np 2 run (bit-identical resume).
# Prints a summary and exits non-zero on any failure. About a minute on 2 cores.
#
#   Tests/smoke/text-smoke.sh [WORK_DIR]     # binary, logs folder: see lib.sh
#   SMOKE_TOLERANCE=1e-3 SMOKE_TIMEOUT=300 Tests/smoke/text-smoke.sh
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" text-smoke "${1:-}"

archive="${TRIBUTARY_SHARED_DATA:-$root/../shared/data}/bbcsport/bbcsport.tar.gz"
if [ -r "$archive" ]; then
    data=(--corpus bbcsport --data "$archive" --batch-size 16)
    stop=60   # 42 steps per epoch: stops inside epoch 2
else
    corpus "$work/fixture.csv" 150 3   # 150 documents in 3 classes (lib.sh)
    data=(--corpus csv --data "$work/fixture.csv" --batch-size 8)
    stop=25   # 17 steps per epoch: stops inside epoch 2
fi
common=("${data[@]}" --epochs 2 --max-length 64 --vocab-size 5000 --embedding-size 64 --hidden-size 32
        --seed 3 --check-every 5 --test-fraction 0.1)
say "$bin; ${data[*]}; logs in $work"

# train NAME NP ARGS…: train-text on NP ranks (lib.sh's `logged`), which must pass its identical-parameter checks.
train() {
    local name="$1" np="$2"; shift 2
    logged "$name" "$np" train-text "${common[@]}" --out "$work/$name.h5" "$@" || fail "$name exited $? (see $work/$name.log)"
    param_checks "$name"
}
hash_of() { sed -n 's/^parameter hash: //p' "$work/$1.log"; }

train np1 1 --checkpoint "$work/ck1"
train np2 2 --checkpoint "$work/ck2"
train cut 2 --checkpoint "$work/ck3" --stop-after-steps "$stop"
train resumed 2 --checkpoint "$work/ck3" --resume

l1="$(losses np1)"; l2="$(losses np2)"
echo "  loss per epoch, 1 rank:  $l1"
echo "  loss per epoch, 2 ranks: $l2"
if [ "$(echo "$l1" | wc -w)" != 2 ] || [ "$(echo "$l2" | wc -w)" != 2 ]; then
    fail "expected 2 epoch lines in each run"
elif ! curves_agree "$l1" "$l2"; then
    fail "1-rank and 2-rank loss curves differ by more than $tolerance"
fi
h2="$(hash_of np2)"; hr="$(hash_of resumed)"
echo "  parameter hash, 2 ranks uninterrupted: $h2; interrupted + resumed: $hr"
if [ -z "$h2" ] || [ "$h2" != "$hr" ]; then fail "resumed run does not end with the uninterrupted run's parameters"; fi
if grep -q "^epoch 2/2" "$work/cut.log"; then fail "the interrupted run was not interrupted (epoch 2 finished)"; fi
finish

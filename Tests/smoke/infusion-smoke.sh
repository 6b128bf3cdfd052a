#!/usr/bin/env bash
# infusion-smoke.sh: the data-parallel instance-infusion smoke test on a generated CSV corpus (seconds):
#   train-text → embed (source corpus) → index under -np 1 and -np 2 → train-infused under -np 1 and -np 2, and checks
#   1. both train-infused runs start at the baseline's test accuracy ("before training (= the baseline)");
#   2. the per-epoch losses of -np 1 and -np 2 agree within SMOKE_TOLERANCE (relative; default 1e-3: the
#      gradient sums are associated differently, and refreshed retrieval may flip a near-tied neighbour);
#   3. every run passed its identical-parameter checks; 4. a missing index fails with a message naming it;
#   5. train-infused -np 2 on the index built with -np 1 (re-sharded on load) ends with the parameter hash of
#      -np 2 on the -np 2 index (same neighbours, bit-identical source rows).
#
#   Tests/smoke/infusion-smoke.sh [WORK_DIR]     # binary, logs folder, SMOKE_TOLERANCE: see lib.sh
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" infusion-smoke "${1:-}"
say "$bin; logs in $work"

# Two corpora of 3 classes (lib.sh's `corpus`: topic words among filler words, awk's seeded generator).
corpus "$work/target.csv" 240 1
corpus "$work/source.csv" 300 2

# Every command runs under launch/run.sh with 1 BLAS thread per rank, its output in $work/NAME.log (lib.sh's `logged`).
sizes=(--embedding-size 32 --hidden-size 16 --context-size 16 --max-length 40 --min-count 1)
logged target 1 train-text --corpus csv --data "$work/target.csv" "${sizes[@]}" --epochs 3 --batch-size 16 \
    --fold 1/5 --out "$work/target.h5" || fail "train-text target (see $work/target.log)"
logged source 1 train-text --corpus csv --data "$work/source.csv" "${sizes[@]}" --epochs 3 --batch-size 16 \
    --out "$work/source.h5" || fail "train-text source"
logged embed 1 embed --corpus csv --data "$work/source.csv" --model "$work/source.h5" --out "$work/source-emb.h5" \
    || fail "embed"
for np in 1 2; do
    logged "index$np" "$np" index --embeddings "$work/source-emb.h5" --out "$work/index$np/index.h5" || fail "index -np $np"
    logged "infused$np" "$np" train-infused --corpus csv --data "$work/target.csv" --model "$work/target.h5" \
        --fold 1/5 --index "$work/index$np/index.h5" --epochs 4 --batch-size 16 --out "$work/infused$np.h5" \
        || fail "train-infused -np $np (see $work/infused$np.log)"
    param_checks "infused$np"
done
baseline="$(sed -n 's/^test: accuracy \([0-9.]*\) %.*/\1/p' "$work/target.log")"
for np in 1 2; do
    start="$(sed -n 's/^before training (= the baseline): test accuracy \([0-9.]*\) .*/\1/p' "$work/infused$np.log")"
    [ "$start" = "$baseline" ] || fail "-np $np starts at $start %, the baseline has $baseline %"
done
l1="$(losses infused1)"; l2="$(losses infused2)"
echo "loss -np 1: $l1"; echo "loss -np 2: $l2"
curves_agree "$l1" "$l2" || fail "loss curves differ beyond $tolerance"
logged missing 1 train-infused --corpus csv --data "$work/target.csv" --model "$work/target.h5" --fold 1/5 \
    --index "$work/nowhere.h5" --out "$work/missing.h5" && fail "a missing index did not fail"
grep -q "nowhere.h5" "$work/missing.log" || fail "the missing-index error does not name the file"
logged resharded 2 train-infused --corpus csv --data "$work/target.csv" --model "$work/target.h5" --fold 1/5 \
    --index "$work/index1/index.h5" --epochs 4 --batch-size 16 --out "$work/resharded.h5" \
    || fail "train-infused -np 2 on the -np 1 index"
hash2="$(sed -n 's/^parameter hash: //p' "$work/infused2.log")"; hashr="$(sed -n 's/^parameter hash: //p' "$work/resharded.log")"
echo "parameter hash -np 2: $hash2 (index -np 2), $hashr (index -np 1, re-sharded)"
[ -n "$hash2" ] && [ "$hash2" = "$hashr" ] || fail "re-sharded index: parameter hash $hashr, expected $hash2"
finish

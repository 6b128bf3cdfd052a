#!/usr/bin/env bash
# infusion-smoke.sh: the data-parallel instance-infusion smoke test on a generated CSV corpus (seconds):
#   train-text → embed (source corpus) → index under -np 1 and -np 2 → train-infused under -np 1 and -np 2, and checks
#   1. both train-infused runs start at the baseline's test accuracy ("before training (= the baseline)");
#   2. the per-epoch losses of -np 1 and -np 2 agree within SMOKE_TOLERANCE (relative; default 1e-3: the
#      gradient sums are associated differently, and refreshed retrieval may flip a near-tied neighbour);
#   3. every run passed its identical-parameter checks; 4. a missing index fails with a message naming it.
#
#   launch/infusion-smoke.sh     # binary: $TRIBUTARY_BIN, else .build/release/tributary, else .build/debug/tributary
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
tolerance="${SMOKE_TOLERANCE:-1e-3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tributary-infusion-smoke.XXXXXX")"
bin="${TRIBUTARY_BIN:-}"
if [ -z "$bin" ]; then
    for candidate in "$root/.build/release/tributary" "$root/.build/debug/tributary"; do
        if [ -x "$candidate" ]; then bin="$candidate"; break; fi
    done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "infusion-smoke: no tributary binary: run 'swift build -c release' in $root, or set TRIBUTARY_BIN" >&2
    exit 2
fi
export TRIBUTARY_BIN="$bin"
echo "infusion-smoke: $bin; logs in $work"

# Two corpora of 3 classes: topic words among filler words, drawn by awk's seeded generator (no duplicates).
corpus() {  # corpus FILE N SEED
    awk -v n="$2" -v seed="$3" 'BEGIN { srand(seed); print "text,label"
        split("stock market shares bank profit trade|goal match team cup coach league|vote party minister poll election law", t, "|")
        for (i = 0; i < n; i++) { c = i % 3; split(t[c + 1], w, " "); line = ""
            for (j = 0; j < 6; j++) line = line w[int(rand() * 6) + 1] " f" int(rand() * 60) " "
            print line ",class" c } }' >"$1"
}
corpus "$work/target.csv" 240 1
corpus "$work/source.csv" 300 2

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# tributary NAME NP ARGS…: under launch/run.sh, 1 BLAS thread per rank.
tributary() {
    local name="$1" np="$2"; shift 2
    timeout --kill-after=10 300 bash "$here/run.sh" -n "$np" --threads 1 --bind none -- "$@" >"$work/$name.log" 2>&1
}
sizes=(--embedding-size 32 --hidden-size 16 --context-size 16 --max-length 40 --min-count 1)
tributary target 1 train-text --corpus csv --data "$work/target.csv" "${sizes[@]}" --epochs 3 --batch-size 16 \
    --fold 1/5 --out "$work/target.h5" || fail "train-text target (see $work/target.log)"
tributary source 1 train-text --corpus csv --data "$work/source.csv" "${sizes[@]}" --epochs 3 --batch-size 16 \
    --out "$work/source.h5" || fail "train-text source"
tributary embed 1 embed --corpus csv --data "$work/source.csv" --model "$work/source.h5" --out "$work/source-emb.h5" \
    || fail "embed"
for np in 1 2; do
    tributary "index$np" "$np" index --embeddings "$work/source-emb.h5" --out "$work/index$np/index.h5" || fail "index -np $np"
    tributary "infused$np" "$np" train-infused --corpus csv --data "$work/target.csv" --model "$work/target.h5" \
        --fold 1/5 --index "$work/index$np/index.h5" --epochs 4 --batch-size 16 --out "$work/infused$np.h5" \
        || fail "train-infused -np $np (see $work/infused$np.log)"
    checks="$(sed -n 's/^identical-parameter checks passed: //p' "$work/infused$np.log")"
    [ -n "$checks" ] && [ "$checks" -ge 1 ] || fail "train-infused -np $np: no identical-parameter check passed"
done
baseline="$(sed -n 's/^test: accuracy \([0-9.]*\) %.*/\1/p' "$work/target.log")"
for np in 1 2; do
    start="$(sed -n 's/^before training (= the baseline): test accuracy \([0-9.]*\) .*/\1/p' "$work/infused$np.log")"
    [ "$start" = "$baseline" ] || fail "-np $np starts at $start %, the baseline has $baseline %"
done
losses() { sed -n 's/^epoch \([0-9]*\)\/[0-9]*  loss \([0-9.]*\).*/\2/p' "$1" | tr '\n' ' '; }
l1="$(losses "$work/infused1.log")"; l2="$(losses "$work/infused2.log")"
echo "loss -np 1: $l1"; echo "loss -np 2: $l2"
awk -v a="$l1" -v b="$l2" -v tol="$tolerance" 'BEGIN { n = split(a, x, " "); m = split(b, y, " ")
    if (n != m || n == 0) exit 1
    for (i = 1; i <= n; i++) { d = x[i] - y[i]; if (d < 0) d = -d; s = x[i] < 0 ? -x[i] : x[i]; if (d > tol * s + 1e-6) exit 1 } }' \
    || fail "loss curves differ beyond $tolerance"
tributary missing 1 train-infused --corpus csv --data "$work/target.csv" --model "$work/target.h5" --fold 1/5 \
    --index "$work/nowhere.h5" --out "$work/missing.h5" && fail "a missing index did not fail"
grep -q "nowhere.h5" "$work/missing.log" || fail "the missing-index error does not name the file"
if [ "$failures" = 0 ]; then echo "infusion-smoke: OK"; rm -rf "$work"; else echo "infusion-smoke: $failures failure(s); logs in $work"; exit 1; fi

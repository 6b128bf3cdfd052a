#!/usr/bin/env bash
# annotate-emoji.sh: the paper's annotation runs on ../shared/data/emoji-tags, as in docs/results.md (image annotation).
#
#   experiments/annotate-emoji.sh [WORK_DIR]      (default /tmp/tributary-emoji; NP=2 for 2 ranks, SLR=1 adds the SLR run)
#
# manifest (unpacks the images, writes images.csv) → fisher (P 32, step 8, 3 scales, PCA 32, M = 16) →
# annotate train (SVM late/early fusion visual and visual+tags, TagProp D2/D3; concepts split over the ranks) →
# predict → eval → report (WORK_DIR/main/report.md and ap.png). About 8 minutes on 2 cores with NP=1.
# Needs a release build (.build/release/tributary or $TRIBUTARY_BIN) and ../shared/data/emoji-tags.
#
# Knobs (environment; the defaults replay the reduced-size table of docs/results.md § emoji-tags):
#   PCA (32), M (16), ITERATIONS (30): fisher's --pca-dims, --components, --iterations. The paper's FV size is
#     PCA=64 M=256 (ITERATIONS=50, fisher's default); the grid (P 32, step 8, 3 scales) stays the emoji one.
#   SEED (0): fisher's --seed (the PCA and GMM descriptor samples and the GMM initialisation).
#   FV_STORAGE (float32): fisher's --fv-storage (float16 halves fv.h5: 1 MiB an image at the paper's size).
#   FIT (all): all fits PCA/GMM on every image's descriptors, test included (the old tables); train passes
#     --fit-manifest WORK_DIR/images.csv, so only the training images shape them (the leak-free protocol).
#   FV_DIR (fisher), OUT_NAME (main): the folders, under WORK_DIR, of fisher and of the annotate steps.
#   RUNS (the six SVM/TagProp runs; SLR=1 appends slr-late-visual), SVM_LOSS (hinge; squared-hinge is needed
#     when the training vectors exceed the memory budget and annotate trains by rows), MEMORY (--memory of
#     annotate train/predict; default: the tool's).
#   STEPS ("manifest fisher train predict eval report"): the steps to run, in that order.
# Each step prints "== HH:MM:SS <step>" and its end, so the log gives the wall per step.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
data="${TRIBUTARY_SHARED_DATA:-$root/../shared/data}/emoji-tags"
if [ ! -f "$data/emoji.csv" ]; then
    echo "annotate-emoji: SKIP ($data/emoji.csv missing: set TRIBUTARY_SHARED_DATA to the shared data folder)"
    exit 0
fi
work="${1:-/tmp/tributary-emoji}"
np="${NP:-1}"
PCA="${PCA:-32}"; M="${M:-16}"; ITERATIONS="${ITERATIONS:-30}"; SEED="${SEED:-0}"; FV_STORAGE="${FV_STORAGE:-float32}"
FIT="${FIT:-all}"; FV_DIR="$work/${FV_DIR:-fisher}"; out="$work/${OUT_NAME:-main}"
STEPS="${STEPS:-manifest fisher train predict eval report}"
runs="${RUNS:-svm-late-visual,svm-early-visual,svm-late-mixed,svm-early-mixed,tagprop-visual,tagprop-mixed}"
if [ "${SLR:-0}" = 1 ]; then runs="$runs,slr-late-visual"; fi
fit=(); case "$FIT" in
    all) ;;
    train) fit=(--fit-manifest "$work/images.csv") ;;
    *) echo "annotate-emoji: FIT must be all or train, got '$FIT'" >&2; exit 2 ;;
esac
memory=(); [ -n "${MEMORY:-}" ] && memory=(--memory "$MEMORY")
has() { [[ " $STEPS " == *" $1 "* ]]; }
run() {
    local step="$1"; shift
    echo "== $(date -u +%H:%M:%S) $step (np $np, load $(cut -d' ' -f1-3 /proc/loadavg))"
    bash "$root/launch/run.sh" -n "$np" -- "$@"
    echo "== $(date -u +%H:%M:%S) $step done"
}
has manifest && run manifest annotate manifest --dataset emoji-tags --data "$data" --out "$work"
has fisher && run fisher fisher --dataset folder --data "$work" --labels-csv "$work/images.csv" --out "$FV_DIR" \
    --patch-size 32 --step 8 --scales 3 --pca-dims "$PCA" --components "$M" --sample-size 100000 \
    --iterations "$ITERATIONS" --seed "$SEED" --fv-storage "$FV_STORAGE" "${fit[@]}"
has train && run train annotate train --fv "$FV_DIR/fv.h5" --annotations "$work/images.csv" --out "$out" \
    --min-tag-count 10 --runs "$runs" --slr-iterations 60 --svm-loss "${SVM_LOSS:-hinge}" "${memory[@]}"
has predict && run predict annotate predict --out "$out" "${memory[@]}"
has eval && run eval annotate eval --out "$out"
has report && run report report --out "$out"
exit 0

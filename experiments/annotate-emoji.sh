#!/usr/bin/env bash
# annotate-emoji.sh: the paper's annotation runs on ../shared/data/emoji-tags, as in docs/results.md (image annotation).
#
#   experiments/annotate-emoji.sh [WORK_DIR]      (default /tmp/tributary-emoji; NP=2 for 2 ranks, SLR=1 adds the SLR run)
#
# manifest (unpacks the images, writes images.csv) → fisher (P 32, step 8, 3 scales, PCA 32, M = 16) →
# annotate train (SVM late/early fusion visual and visual+tags, TagProp D2/D3; concepts split over the ranks) →
# predict → eval → report (WORK_DIR/main/report.md and ap.png). About 8 minutes on 2 cores with NP=1.
# Needs a release build (.build/release/tributary or $TRIBUTARY_BIN) and ../shared/data/emoji-tags.
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
run() { bash "$root/launch/run.sh" -n "$np" -- "$@"; }
run annotate manifest --dataset emoji-tags --data "$data" --out "$work"
run fisher --dataset folder --data "$work" --labels-csv "$work/images.csv" --out "$work/fisher" \
    --patch-size 32 --step 8 --scales 3 --pca-dims 32 --components 16 --sample-size 100000 --iterations 30 --seed 0
runs=svm-late-visual,svm-early-visual,svm-late-mixed,svm-early-mixed,tagprop-visual,tagprop-mixed
if [ "${SLR:-0}" = 1 ]; then runs="$runs,slr-late-visual"; fi
run annotate train --fv "$work/fisher/fv.h5" --annotations "$work/images.csv" --out "$work/main" --min-tag-count 10 \
    --runs "$runs" --slr-iterations 60
run annotate predict --out "$work/main"
run annotate eval --out "$work/main"
run report --out "$work/main"

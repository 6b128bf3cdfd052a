#!/bin/bash
# Flowers102 at the paper's Fisher-vector size (PCA 64, M = 256, 1x1+2x2+1x3, ORH+COL: 524,288 values, 2 MiB of
# float32 an image), on NP ranks, each rank in its own cgroup-v1 memory cgroup capped at CAP (issue 15, Evidence,
# first bullet). docs/results.md § "Flowers102 at the paper's size, memory-capped (issue 15)".
#
#   experiments/flowers102-paper-size.sh [WORK_DIR]        (default /work/scratch/f102; run as root)
#
# Steps (STEPS, space-separated, default all in this order):
#   unpack    the two archives of DATA/flowers102 into WORK_DIR/img (one folder, the official labels.csv)
#   manifest  annotate manifest --dataset class-csv (official split: 2,040 train+val / 6,149 test) → ann-*/images.csv
#   fisher    fisher at the defaults (= the paper's size) on NP ranks, capped → WORK_DIR/fv-float32
#   encode    re-encode the same descriptors/PCA/GMM as float16 and pq (PQ codebooks from the train rows only)
#   annotate  for each of STORAGES: annotate train (RUNS) / predict / eval, capped → WORK_DIR/ann-<storage>
#   uncapped  annotate train / predict / eval of float32 with no cgroup → WORK_DIR/ann-float32-uncapped
#   summary   sizes of fv.h5 (du -b), every rank's peaks (mem/*.txt), mAP/accuracy of each eval (h5dump)
# Knobs: B (binary, default .build/release/tributary of this checkout), DATA (../shared/data), NP (2), CAP (3G),
#   STORAGES ("float32 float16 pq"), PQ_IMAGES (300: the codebook sample, 300 × 2 MiB, must fit the default
#   budget of ½ × CAP ÷ NP = 768 MiB; 1,000 would be 2 GiB), and for annotate:
#   RUNS (default svm-late-visual; the task's full list is svm-late-visual,svm-early-visual,tagprop-visual, and
#     slr-late-visual only with hours to spare),
#   CONCEPTS (default every 10th class, labels 0, 10, …, 100: 11 one-vs-rest SVMs over all 2,040 training and
#     6,149 test images; CONCEPTS=all trains the 102; TRON's passes cost ∝ concepts, see docs/results.md),
#   SUFFIX (default empty: annotate writes ann-<storage>SUFFIX and uncapped ann-float32SUFFIX-uncapped, so runs
#     trained separately, e.g. SUFFIX=-early with RUNS=svm-early-visual, keep their own folders and logs),
#   MEMORY (default 1280MiB: --memory of annotate train/predict, so each late-fusion block's 2,040 training rows
#     (≤ 1 GiB, orh/2x2) stay cached inside the 3 GiB cap; the default ½ × CAP ÷ NP assumes the ranks share one
#     cgroup and would re-read orh/2x2 from disk on every TRON pass; MEMORY= keeps the default).
#
# The cap: a wrapper (this script with F102_WRAP=1, handed to launch/run.sh as TRIBUTARY_BIN) makes
# /sys/fs/cgroup/memory/f102-<label>-rank<r>, writes CAP into memory.limit_in_bytes (and memory.memsw.limit_in_bytes,
# so no swap either), moves itself in and runs tributary under GNU time. After the rank exits it appends to
# WORK_DIR/mem/<label>-rank<r>.txt: GNU time's peak RSS (the process's own high-water mark, VmHWM) and wall time,
# and the cgroup's memory.max_usage_in_bytes (which also counts page cache charged to the cgroup), failcnt and
# whether the OOM killer fired; then it removes the cgroup.
set -uo pipefail

# ---- wrapper mode: one rank in its own capped cgroup ----------------------------------------------------------
if [ "${F102_WRAP:-}" = 1 ]; then
    rank="${OMPI_COMM_WORLD_RANK:-0}"
    cg="/sys/fs/cgroup/memory/f102-${F102_LABEL}-rank$rank"
    log="$F102_MEMDIR/${F102_LABEL}-rank$rank.txt"
    home="/sys/fs/cgroup/memory$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)"
    if [ -n "${F102_CAP:-}" ]; then
        rmdir "$cg" 2>/dev/null; mkdir "$cg" || { echo "wrapper: cannot make $cg" >&2; exit 97; }
        echo "$F102_CAP" >"$cg/memory.limit_in_bytes" || exit 97
        [ -e "$cg/memory.memsw.limit_in_bytes" ] && { echo "$F102_CAP" >"$cg/memory.memsw.limit_in_bytes" || exit 97; }
        echo $$ >"$cg/cgroup.procs" || exit 97
    fi
    /usr/bin/time -f "peak_rss_kb %M
wall_s %e
exit %x" -o "$log" "$F102_REAL_BIN" "$@"
    rc=$?
    if [ -n "${F102_CAP:-}" ]; then
        {   echo "cgroup $cg"
            echo "limit_bytes $(cat "$cg/memory.limit_in_bytes")"
            echo "cgroup_max_usage_bytes $(cat "$cg/memory.max_usage_in_bytes")"
            [ -e "$cg/memory.memsw.max_usage_in_bytes" ] && echo "cgroup_memsw_max_usage_bytes $(cat "$cg/memory.memsw.max_usage_in_bytes")"
            echo "failcnt $(cat "$cg/memory.failcnt")"
            grep -E '^(oom_kill|under_oom)' "$cg/memory.oom_control" | sed 's/^/oom_control_/'
        } >>"$log"
        echo $$ >"$home/cgroup.procs" 2>/dev/null   # back where it came from, so the cgroup can go
        rmdir "$cg" 2>/dev/null
    fi
    exit $rc
fi

# ---- driver ---------------------------------------------------------------------------------------------------
work="${1:-/work/scratch/f102}"
if [ -z "${F102_ROOT:-}" ]; then   # run from a copy in WORK_DIR: editing the checkout mid-run cannot change it
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; mkdir -p "$work" || exit 1
    copy="$work/driver-$$.sh"
    cp "${BASH_SOURCE[0]}" "$copy" && chmod +x "$copy" || exit 1
    F102_ROOT="$(cd "$here/.." && pwd)" F102_SELF="$copy" exec "$copy" "$@"
fi
root="$F102_ROOT"; self="$F102_SELF"; trap 'rm -f "$self"' EXIT   # the copy goes when the driver ends
B="${B:-$root/.build/release/tributary}"; DATA="${DATA:-$root/../shared/data}"
NP="${NP:-2}"; CAP="${CAP:-3G}"; STORAGES="${STORAGES:-float32 float16 pq}"; PQ_IMAGES="${PQ_IMAGES:-300}"
RUNS="${RUNS:-svm-late-visual}"; MEMORY="${MEMORY-1280MiB}"; SUFFIX="${SUFFIX:-}"
CONCEPTS="${CONCEPTS:-pink primrose,snapdragon,fire lily,carnation,barbeton daisy,petunia,cautleya spicata,gazania,frangipani,hippeastrum,trumpet creeper}"
STEPS="${STEPS:-unpack manifest fisher encode annotate uncapped summary}"
[ -x "$B" ] || { echo "no binary $B: swift build -c release, or set B" >&2; exit 2; }
mkdir -p "$work/mem" && cd "$work" || exit 1
B="$(cd "$(dirname "$B")" && pwd)/$(basename "$B")"
export F102_REAL_BIN="$B" F102_MEMDIR="$work/mem"
# One rank of a 2,040-row block works alone through whole TRON passes while the other waits in a collective.
export TRIBUTARY_STALL_TIMEOUT="${TRIBUTARY_STALL_TIMEOUT:-3600}"

# run LABEL CAPPED NPROCS tributary-args…: one stage through launch/run.sh and the wrapper; output → LABEL.log.
run() {
    local label="$1" capped="$2" n="$3"; shift 3
    local cap=""; [ "$capped" = capped ] && cap="$CAP"
    echo "== $(date -u +%H:%M:%S) $label (np $n, cap ${cap:-none}, load $(cut -d' ' -f1-3 /proc/loadavg)): $*"
    F102_WRAP=1 F102_LABEL="$label" F102_CAP="$cap" TRIBUTARY_BIN="$self" \
        "$root/launch/run.sh" -n "$n" --threads 1 -- "$@" >"$work/$label.log" 2>&1
    local rc=$?
    echo "   $(date -u +%H:%M:%S) $label exit $rc; $(grep -h wall_s "$work/mem/$label"-rank*.txt | tr '\n' ' ')"
    return $rc
}
has() { [[ " $STEPS " == *" $1 "* ]]; }

if has unpack; then
    mkdir -p img && tar -xf "$DATA/flowers102/flowers102_trainval.tar" -C img \
        && tar -xf "$DATA/flowers102/flowers102_test.tar" -C img || exit 1
fi
if has manifest; then
    "$B" annotate manifest --dataset class-csv --data "$DATA/flowers102/labels.csv" --out manifest >manifest.log 2>&1 || exit 1
fi
if has fisher; then
    run fisher capped "$NP" fisher --dataset folder --data img --labels-csv img/labels.csv --out fv-float32 \
        --seed 0 --progress plain || exit 1
fi
if has encode; then
    for s in float16 pq; do
        [[ " $STORAGES " == *" $s "* ]] || continue
        mkdir -p "fv-$s" && cp fv-float32/pca.h5 fv-float32/gmm.h5 "fv-$s/"
        ln -sfn ../fv-float32/descriptors.h5 "fv-$s/descriptors.h5"
        ln -sfn ../fv-float32/descriptors.h5.parts "fv-$s/descriptors.h5.parts"
        extra=(); [ "$s" = pq ] && extra=(--pq-training-manifest manifest/images.csv --pq-training-images "$PQ_IMAGES")
        run "encode-$s" capped "$NP" encode --out "fv-$s" --fv-storage "$s" "${extra[@]}" --progress plain || exit 1
    done
fi
annotate() {   # annotate STORAGE capped|uncapped OUT
    mkdir -p "$3" && cp manifest/images.csv "$3/"
    # The uncapped run keeps the default budget (½ of physical memory ÷ NP): caching differs, the bits must not.
    local mem=(); [ "$2" = capped ] && [ -n "$MEMORY" ] && mem=(--memory "$MEMORY")
    local opts=("${mem[@]}"); [ "$CONCEPTS" != all ] && opts+=(--concepts "$CONCEPTS")
    # squared hinge: the row layout (chosen here, the FVs exceed any budget) trains SVMs by TRON, which needs it.
    run "train-$3" "$2" "$NP" annotate train --fv "fv-$1/fv.h5" --out "$3" --runs "$RUNS" --svm-loss squared-hinge \
        "${opts[@]}" || return 1
    run "predict-$3" "$2" "$NP" annotate predict --out "$3" "${mem[@]}" || return 1
    run "eval-$3" "$2" 1 annotate eval --out "$3"
}
if has annotate; then
    for s in $STORAGES; do annotate "$s" capped "ann-$s$SUFFIX"; done
fi
if has uncapped; then
    annotate float32 uncapped "ann-float32$SUFFIX-uncapped"
fi
if has summary; then
    for s in $STORAGES; do
        [ -d "fv-$s" ] && echo "fv-$s: $(du -cb --apparent-size fv-$s/fv.h5 fv-$s/fv.h5.parts | tail -1 | cut -f1) bytes (fv.h5 + parts)"
    done
    for f in mem/*.txt; do echo "$f: $(tr '\n' ' ' <"$f")"; done
    for d in ann-*; do [ -f "eval-$d.log" ] && { echo "== $d"; cat "eval-$d.log"; }; done
fi

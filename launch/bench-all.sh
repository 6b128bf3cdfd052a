#!/usr/bin/env bash
# Every headline row of docs/benchmarks.md against its anchor (../shared/bench/anchors) in ONE sitting, for a quiet
# machine: the bench/ drivers run Tributary and the anchor alternately (n ≥ 5 runs a side, except where noted),
# then one Markdown table gives medians, min–max, n, the ratio of medians (> 1: Tributary faster) and the load
# average before/after each part, under a header with the CPU model, the CPU count and the kernel level.
#
#   launch/bench-all.sh [OUT]      default OUT=out/bench-all; writes OUT/bench-all.md (the table) and the drivers'
#                                  logs and raw JSON lines; prints the table at the end.
#   QUICK=1 launch/bench-all.sh    a ~5-minute subset (sgemm, W1 GMM EM, W3 dsift, W8 GRU) to check the set-up
#
# env: ANCHORS (../shared/bench/anchors), TRIBUTARY (.build/release/tributary; built with `swift build -c
# release` when missing), PYTHON (python3, needs numpy and torch for the anchors), ANCHOR_DATA (/tmp/anchors-data,
# generated when missing), ROUNDS (5), OVR_ROUNDS (1: W5's 93-concept LIBLINEAR anchor alone takes ~2 min a run),
# NEURAL_ROUNDS (2: each run is 3 timed repetitions, so n = 6), KNN_ROUNDS (2: each round is several query passes
# a side), SHARE_ROUNDS (5, QUICK=1: 2; W1/W2 as % of same-run sgemm at 1 and 2 threads). Parts whose anchor is
# not installed are skipped and named at the end; `bash ../shared/bench/anchors/setup.sh` installs the anchors
# (VLFeat, LIBLINEAR, h5py, faiss, annoy, torch).
# Time on an idle 2-vCPU Zen 4 machine: 30 minutes or more (a quiet run on 2026-12-07 was still in its W7/W8 part
# after 24 minutes; QUICK=1 ≈ 5, it took 22 at load 19); see
# docs/benchmarks.md, "Runtime ISA dispatch (issue 18)", round 2.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/bench-all}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
PYTHON=${PYTHON:-python3}
ANCHORS=$(cd "${ANCHORS:-../shared/bench/anchors}" 2>/dev/null && pwd) || ANCHORS=${ANCHORS:-../shared/bench/anchors}
export ANCHORS
export ANCHOR_DATA=${ANCHOR_DATA:-/tmp/anchors-data}
ROUNDS=${ROUNDS:-5}; OVR_ROUNDS=${OVR_ROUNDS:-1}; NEURAL_ROUNDS=${NEURAL_ROUNDS:-2}; KNN_ROUNDS=${KNN_ROUNDS:-2}
QUICK=${QUICK:-0}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)  # absolute: gen_data.py's log is written from inside $ANCHORS
rm -f "$OUT"/*.jsonl "$OUT"/parts.tsv "$OUT"/skipped.txt

[ -x "$TRIBUTARY" ] || swift build -c release || { echo "bench-all: cannot build $TRIBUTARY" >&2; exit 1; }
TRIBUTARY=$(cd "$(dirname "$TRIBUTARY")" && pwd)/$(basename "$TRIBUTARY")
[ -d "$ANCHORS" ] || { echo "bench-all: no anchors folder at $ANCHORS (../shared/bench/anchors)" >&2; exit 1; }

has_py() { "$PYTHON" -c "import $1" >/dev/null 2>&1; }
has_c() { [ -e "$1" ]; }
skip() { echo "- $1: skipped, $2 not installed (bash ../shared/bench/anchors/setup.sh)" | tee -a "$OUT/skipped.txt"; }
load() { cut -d' ' -f1 /proc/loadavg; }

# The data of the C and Python anchors (gen_data.py regenerates only what is missing or the wrong size).
(cd "$ANCHORS" && "$PYTHON" gen_data.py gmm image svm $([ "$QUICK" = 1 ] || echo knn) >"$OUT/gen_data.log" 2>&1) \
    || echo "bench-all: gen_data.py failed (see $OUT/gen_data.log); parts that need its files will fail" >&2

# part NAME RAW COMMAND…: runs one driver, logging its output and the load average before and after.
part() {
    local name=$1 raw=$2; shift 2
    local before; before=$(load)
    echo "== $name (load $before) $(date -u +%H:%M:%S)" >&2
    if "$@" --raw "$OUT/$raw" >"$OUT/$name.log" 2>"$OUT/$name.err"; then
        printf '%s\t%s\t%s\t%s\n' "$name" "$raw" "$before" "$(load)" >>"$OUT/parts.tsv"
    else
        echo "bench-all: $name failed; see $OUT/$name.err" | tee -a "$OUT/skipped.txt" >&2
    fi
}

START=$(date -u +%s)
FOUNDATION=(python3 bench/bench_foundation.py --bin "$TRIBUTARY")
MODULES=(python3 bench/bench_modules.py --bin "$TRIBUTARY")
NEURAL=(python3 bench/bench_neural.py --bin "$TRIBUTARY" --python "$PYTHON" --anchors "$ANCHORS")
VLFEAT=$(has_c /usr/include/vl/generic.h && echo 1)
if [ "$QUICK" = 1 ]; then
    part gemm gemm.jsonl "${FOUNDATION[@]}" --only gemm --rounds 5
    if [ -n "$VLFEAT" ]; then
        part dsift dsift.jsonl "${MODULES[@]}" --only dsift --rounds 5
        part gmm gmm.jsonl "${MODULES[@]}" --only gmm --rounds 2  # n = 6 iterations a side
    else skip "W1, W3" "VLFeat (libvlfeat-dev)"; fi
    if has_py torch; then part gru neural.jsonl "${NEURAL[@]}" --only gru --rounds 2 --isa "$("$TRIBUTARY" --version | sed -n 's/^kernels: \([a-z0-9]*\).*/\1/p')"
    else skip W8 "torch"; fi
else
    part gemm-allreduce foundation.jsonl "${FOUNDATION[@]}" --only gemm,allreduce --rounds "$ROUNDS"
    if has_py h5py; then part hdf5 hdf5.jsonl "${FOUNDATION[@]}" --only hdf5 --rounds 2
    else skip W10 "h5py"; fi
    if [ -n "$VLFEAT" ]; then part fisher-gmm-dsift modules.jsonl "${MODULES[@]}" --only fisher,gmm,dsift --rounds "$ROUNDS"
    else skip "W1, W2, W3" "VLFeat (libvlfeat-dev)"; fi
    if has_c /usr/include/linear.h; then
        part svm svm.jsonl "${MODULES[@]}" --only svm --rounds "$OVR_ROUNDS"
    else skip W5 "LIBLINEAR (liblinear-dev)"; fi
    if has_py torch; then part neural neural.jsonl "${NEURAL[@]}" --rounds "$NEURAL_ROUNDS"
    else skip "W7, W8" "torch"; fi
    if has_py faiss && has_py annoy; then
        before=$(load)
        if ROUNDS=$KNN_ROUNDS TRIBUTARY=$TRIBUTARY ANCHORS=$ANCHORS bash bench/infusion-bench-knn.sh "$OUT/knn" >"$OUT/knn.log" 2>&1; then
            printf '%s\t%s\t%s\t%s\n' knn knn/bench-knn.md "$before" "$(load)" >>"$OUT/parts.tsv"
        else echo "bench-all: W6 failed; see $OUT/knn.log" | tee -a "$OUT/skipped.txt" >&2; fi
    else skip W6 "faiss or annoy"; fi
fi
# W1 and W2 as a share of same-run sgemm (issue 18's bar: ≥ 70 % at 1 rank × 1 thread AND 1 rank × 2 threads):
# the benches print it themselves ("= 61.2% of sgemm"); threads 1 and 2 alternate, SHARE_ROUNDS times.
shares() {
    local before; before=$(load)
    echo "== shares (load $before) $(date -u +%H:%M:%S)" >&2
    for r in $(seq 1 "$1"); do
        for t in 1 2; do
            for w in "gmm --rows 64000 --iterations 3" "fisher --images 50"; do
                # shellcheck disable=SC2086
                v=$(OPENBLAS_NUM_THREADS=$t "$TRIBUTARY" bench $w 2>&1 | sed -n 's/.*= \([0-9.]*\)% of sgemm.*/\1/p' | head -1)
                [ -n "$v" ] && printf '{"workload": "share", "bench": "%s", "threads": %d, "value": %s}\n' "${w%% *}" "$t" "$v" >>"$OUT/shares.jsonl"
            done
        done
    done
    printf '%s\t%s\t%s\t%s\n' shares shares.jsonl "$before" "$(load)" >>"$OUT/parts.tsv"
}
shares "${SHARE_ROUNDS:-$([ "$QUICK" = 1 ] && echo 2 || echo 5)}"
MINUTES=$(( ($(date -u +%s) - START + 59) / 60 ))

"$PYTHON" - "$OUT" "$TRIBUTARY" "$MINUTES" <<'PY' | tee "$OUT/bench-all.md"
import json, os, platform, statistics, subprocess, sys
out, binary, minutes = sys.argv[1], sys.argv[2], sys.argv[3]
def first(cmd, prefix):
    try:
        for line in subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines():
            if line.strip().startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"
cpu = first(["lscpu"], "Model name")
kernels = first([binary, "--version"], "kernels")
print(f"# bench-all: {cpu}, {os.cpu_count()} CPUs, kernels {kernels}, {minutes} min\n")
print("| workload | figure | Tributary median (min–max, n) | anchor | anchor median (min–max, n) | ratio of medians | load before → after |")
print("|---|---|---|---|---|---|---|")
def cell(v):
    return f"{statistics.median(v):.4g} ({min(v):.4g}–{max(v):.4g}, n = {len(v)})"
def row(name, unit, ours, anchor, theirs, higher, load):
    if not ours or not theirs:
        return
    mo, ma = statistics.median(ours), statistics.median(theirs)
    ratio = mo / ma if higher else ma / mo
    print(f"| {name} | {unit} | {cell(ours)} | {anchor} | {cell(theirs)} | **{ratio:.2f}** | {load} |")
knn = None
for line in open(os.path.join(out, "parts.tsv")) if os.path.exists(os.path.join(out, "parts.tsv")) else []:
    part, raw, before, after = line.rstrip("\n").split("\t")
    load = f"{before} → {after}"
    if raw.endswith(".md"):
        knn = (os.path.join(out, raw), load)
        continue
    records = list(map(json.loads, open(os.path.join(out, raw))))
    if raw == "shares.jsonl":
        for bench, name in (("gmm", "W1 GMM EM, N = 64,000"), ("fisher", "W2 improved FV, 50 images")):
            for t in (1, 2):
                v = [r["value"] for r in records if r["bench"] == bench and r["threads"] == t]
                if v:
                    print(f"| {name}, 1 rank × {t} thread(s) | % of same-run sgemm | {cell(v)} | target | 70 | "
                          f"{'**met**' if statistics.median(v) >= 70 else '**missed**'} | {load} |")
        continue
    for r in records:
        w = r["workload"]
        if w == "gemm":
            row(f"sgemm 2048³, {r['threads']} thread(s)", "GFLOP/s", r["tributary"], "numpy matmul", r["anchor"], True, load)
        elif w == "allreduce":
            row(f"all-reduce float32, n = {float(r['n']):.0e}, 2 ranks", "GB/s", r["tributary"], "C MPI_Allreduce (W9)", r["anchor"], True, load)
        elif w == "hdf5":
            row(f"HDF5 1 GiB float32, {r['metric']}", "GB/s", r["tributary"], "h5py (W10)", r["anchor"], True, load)
        elif w == "W7":
            row(f"W7 bi-LSTM {r['metric']}, {r['config']}", "tokens/s", r["tributary"], "PyTorch W7", r["anchor"], True, load)
        elif w == "W8":
            lvl = f", {r['level']} kernels" if r.get("level") else ""
            row(f"W8 GRU {r['metric']}, {r['threads']} thread(s){lvl}", "sequences/s", r["tributary"], "PyTorch W8", r["anchor"], True, load)
        else:  # bench_modules: lower is better for times
            row(w, r["unit"], r["tributary"], r["anchor"], r["anchor_values"], not r["unit"].endswith(" s") and "s /" not in r["unit"], load)
print("\nRatios > 1: Tributary faster. The drivers alternate Tributary and anchor runs; their own tables are in "
      f"{out}/*.log, their raw runs in {out}/*.jsonl.")
if knn:
    print(f"\n## W6 k-NN (load {knn[1]})\n")
    print(open(knn[0]).read())
skipped = os.path.join(out, "skipped.txt")
if os.path.exists(skipped):
    print("\nNot run:\n\n" + open(skipped).read())
PY

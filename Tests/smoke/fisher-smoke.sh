#!/usr/bin/env bash
# fisher-smoke.sh: the Fisher-vector pipeline across rank counts, and its resume path.
#
#   Tests/smoke/fisher-smoke.sh [WORK_DIR]        (default: a new temporary folder, removed on success; see lib.sh)
#
# 1. `tributary fisher` on the first 64 Fashion-MNIST training images (M = 16, d = 32) with -np 1 and -np 2
#    (through launch/run.sh); every dataset of fv.h5 (fv/{orh,col}/{1x1,2x2,1x3}, labels, image, ids) must be
#    bit-identical between the two runs (compared by /usr/bin/python3 + h5py on the raw bytes).
# 2. Resume: delete rank 1's extraction part of the -np 2 run and rerun `extract` with -np 2: shard 0 must be
#    reported as skipped (part reused), shard 1 as written, and the descriptors must equal the -np 1 ones.
# 3. Resume of the encode stage: delete rank 1's FV part and rerun the whole `fisher` chain with -np 2: both
#    extract shards and encode shard 0 are reused, encode shard 1 is written, and fv.h5 equals the -np 1 one.
# Both runs use 1 OpenBLAS thread per rank: results are bit-identical across rank counts at a fixed number of
# BLAS threads per rank, but OpenBLAS's multi-threaded sgemm (the GMM E-step) sums in another order than its
# 1-thread sgemm, so 1 rank × 2 threads differs from 2 ranks × 1 thread in the last bits.
# Needs a release (or debug) build and dataset-fashion-mnist. Exit status 0 = pass; a missing Fashion-MNIST prints
# SKIP and exits 0.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" fisher-smoke "${1:-}"
fmnist=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -f "$fmnist" ] || skip "$fmnist missing: apt-get install dataset-fashion-mnist, or run launch/install-deps.sh"
args=(--limit 64 --components 16 --pca-dims 32 --sample-size 5000 --iterations 10 --chunk-size 16 --seed 3)

say "-np 1 → $work/np1"
ranks 1 fisher "${args[@]}" --out "$work/np1" > "$work/np1.log"
say "-np 2 → $work/np2"
ranks 2 fisher "${args[@]}" --out "$work/np2" > "$work/np2.log"

compare() {  # compare FILE_A FILE_B DATASET… : raw bytes equal, sha256 printed
    "$python" - "$@" <<'PY'
import hashlib, sys
import h5py, numpy as np
a, b, names = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = 0
with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
    for name in names:
        x, y = fa[name][...], fb[name][...]
        if x.dtype == object:
            x, y = np.array([str(v) for v in x]), np.array([str(v) for v in y])
        same = x.shape == y.shape and x.tobytes() == y.tobytes()
        digest = hashlib.sha256(x.tobytes()).hexdigest()[:16]
        print(f"  {'same' if same else 'DIFFERENT'}  {name} {x.shape} sha256:{digest}")
        bad += not same
sys.exit(1 if bad else 0)
PY
}
fv_sets=(fv/orh/1x1 fv/orh/2x2 fv/orh/1x3 fv/col/1x1 fv/col/2x2 fv/col/1x3 labels image ids)
say "fv.h5, -np 1 vs -np 2 (bit for bit)"
compare "$work/np1/fv.h5" "$work/np2/fv.h5" "${fv_sets[@]}"

say "resume: delete rank 1's part and rerun extract with -np 2"
rm "$work/np2/descriptors.h5.parts/part-00001.h5"
ranks 2 extract --limit 64 --chunk-size 16 --out "$work/np2" | tee "$work/resume.log" | grep "extract: shard"
grep -q "shard 0 (images 0..<32) skipped" "$work/resume.log" || fail "shard 0 was not reused"
grep -q "shard 1 (images 32..<64) written" "$work/resume.log" || fail "shard 1 was not rewritten"
compare "$work/np1/descriptors.h5" "$work/np2/descriptors.h5" orh col x y scale image descriptor_counts

say "resume: delete rank 1's encode part and rerun the whole fisher chain with -np 2"
rm "$work/np2/fv.h5.parts/part-00001.h5"
ranks 2 fisher "${args[@]}" --out "$work/np2" | tee "$work/resume-fv.log" | grep -E "(extract|encode): shard"
grep -q "extract: shard 1 (images 32..<64) skipped" "$work/resume-fv.log" || fail "extract shard 1 was not reused"
grep -q "encode: shard 0 (images 0..<32) skipped" "$work/resume-fv.log" || fail "encode shard 0 was not reused"
grep -q "encode: shard 1 (images 32..<64) written" "$work/resume-fv.log" || fail "encode shard 1 was not rewritten"
compare "$work/np1/fv.h5" "$work/np2/fv.h5" "${fv_sets[@]}"
finish

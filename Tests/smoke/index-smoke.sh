#!/usr/bin/env bash
# index-smoke.sh: `tributary index` + `tributary query` across rank counts (sharded LSH Forest retrieval).
#
#   Tests/smoke/index-smoke.sh [WORK_DIR]        (default: a new temporary folder, removed on success; see lib.sh)
#
# 1. Writes an `embed`-format file (20 Gaussian clusters, 5,000 × 32 source, 300 × 32 target) with h5py.
# 2. Indexes the source with -np 1, 2 and 3 and queries the target (k = 5) on the same rank counts: the
#    neighbours and scores must be bit-identical (ShardedForest = one forest over the union).
# 3. --exclude-self on the source itself with -np 2: no row returns itself.
# 4. Re-shard on load: the index built on P ranks queried on Q ranks, (P, Q) = (1, 2), (2, 3), (3, 1), gives the
#    same bits as step 2.
# Needs a release (or debug) build and /usr/bin/python3 with h5py. Exit status 0 = pass.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" index-smoke "${1:-}"
"$python" - "$work" <<'PY'
import sys
import h5py, numpy as np
rng = np.random.default_rng(7)
centres = rng.normal(size=(20, 32)) * 2
for name, n in (("source.h5", 5000), ("target.h5", 300)):
    labels = rng.integers(0, 20, n)
    x = (centres[labels] + rng.normal(size=(n, 32))).astype(np.float32)
    with h5py.File(f"{sys.argv[1]}/{name}", "w") as f:
        f.attrs.update(format="tributary", version=1, stage="embed")
        f["embeddings"], f["labels"] = x, labels.astype(np.int32)
        f["ids"] = np.array([f"{name[:-3]}-{i}" for i in range(n)], dtype=h5py.string_dtype())
PY
for np_ in 1 2 3; do
    say "-np $np_"
    ranks "$np_" index --embeddings "$work/source.h5" --out "$work/np$np_/index.h5" --trees 16 --seed 5 > "$work/np$np_.log"
    ranks "$np_" query --index "$work/np$np_/index.h5" --queries "$work/target.h5" --out "$work/np$np_/nn.h5" \
        >> "$work/np$np_.log"
done
ranks 2 query --index "$work/np2/index.h5" --queries "$work/source.h5" --exclude-self --out "$work/np2/self.h5" \
    >> "$work/np2.log"
"$python" - "$work" <<'PY'
import sys
import h5py, numpy as np
w = sys.argv[1]
ref = h5py.File(f"{w}/np1/nn.h5", "r")
for n in (2, 3):
    with h5py.File(f"{w}/np{n}/nn.h5", "r") as f:
        for name in ("neighbours", "scores"):
            if f[name][:].tobytes() != ref[name][:].tobytes():
                sys.exit(f"index-smoke: FAIL: {name} of -np {n} differs from -np 1")
with h5py.File(f"{w}/np2/self.h5", "r") as f:
    nn = f["neighbours"][:]
    if any(i in row for i, row in enumerate(nn)):
        sys.exit("index-smoke: FAIL: --exclude-self returned a query's own row")
print("index-smoke: neighbours and scores bit-identical for -np 1, 2, 3; self excluded")
PY
for pq in "1 2" "2 3" "3 1"; do
    set -- $pq
    say "index built on -np $1, queried on -np $2"
    ranks "$2" query --index "$work/np$1/index.h5" --queries "$work/target.h5" --out "$work/np$1/q$2.h5" >> "$work/np$1.log"
    "$python" - "$work/np1/nn.h5" "$work/np$1/q$2.h5" <<'PY' || fail "index built on -np $1, queried on -np $2"
import sys
import h5py
with h5py.File(sys.argv[1], "r") as ref, h5py.File(sys.argv[2], "r") as f:
    for name in ("neighbours", "scores"):
        if f[name][:].tobytes() != ref[name][:].tobytes():
            sys.exit(f"index-smoke: FAIL: {name} of {sys.argv[2]} differs from -np 1")
PY
done
finish

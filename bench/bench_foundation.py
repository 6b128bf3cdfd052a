#!/usr/bin/env python3
"""Foundation benchmarks: Tributary against the anchors of ../shared/bench, in the same session, interleaved.

For each workload the Tributary command and its anchor run alternately for --rounds rounds; the table gives
the median of each side over all runs and the ratio Tributary / anchor (higher is better for every figure).

  gemm       tributary bench gemm --size 2048   vs numpy.matmul float32 2048^3 (W0's method), 1 and 2 threads
  allreduce  mpirun -np 2 tributary bench allreduce vs the W9 C program (MPI_Allreduce, 1e7 float32)
  hdf5       tributary bench hdf5 --size-mib 1024 --repeats 3 vs W10's h5py script with 3 runs (1 GiB float32, chunk 1 MiB)

usage: python3 bench/bench_foundation.py --bin .build/release/tributary [--rounds 3] [--only gemm,allreduce,hdf5]
Prints a Markdown table (paste into docs/benchmarks.md) and writes the raw runs as JSON lines to --raw.
"""
import json
import os
import shutil
import statistics
import sys
import tempfile

from benchlib import ANCHORS, MPIRUN, env_threads, parser, pick, results, run, write_raw


NUMPY_GEMM = r"""
import sys, time, numpy as np
n = int(sys.argv[1]); reps = 5
rng = np.random.default_rng(0)
A = rng.standard_normal((n, n), dtype=np.float32); B = rng.standard_normal((n, n), dtype=np.float32)
C = np.empty_like(A)
try:
    import threadpoolctl
    info = [d for d in threadpoolctl.threadpool_info() if d.get("user_api") == "blas"]
    lib = f"numpy {np.__version__} / {info[0].get('internal_api')} {info[0].get('version')} kernel {info[0].get('architecture')} threads {info[0].get('num_threads')}"
except Exception:
    lib = f"numpy {np.__version__}"
np.matmul(A, B, out=C)
vals = []
for _ in range(reps):
    t0 = time.perf_counter(); np.matmul(A, B, out=C); vals.append(2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
import json
print("RESULT " + json.dumps({"impl": "numpy sgemm", "metric": "GFLOP/s", "unit": "GFLOP/s", "values": vals, "lib": lib}))
"""


def bench_gemm(args, rows, raw):
    for t in (1, 2):
        ours, theirs = [], []
        for _ in range(args.rounds):
            o = results(run([args.bin, "bench", "gemm", "--size", "2048", "--threads", str(t)], env_threads(t)))
            ours += pick(o, "sgemm 2048", "GFLOP/s")
            a = results(run([sys.executable, "-c", NUMPY_GEMM, "2048"], env_threads(t)))
            theirs += pick(a, "numpy sgemm", "GFLOP/s")
        raw.append({"workload": "gemm", "threads": t, "tributary": ours, "anchor": theirs})
        rows.append((f"sgemm 2048³, {t} thread(s)", "GFLOP/s", ours, f"numpy matmul ({a[0].get('lib', '')})", theirs, 0.90))


def bench_allreduce(args, rows, raw):
    build = tempfile.mkdtemp(prefix="tributary-w9-")
    for f in ("w9_allreduce.c", "anchor_c.h"):
        shutil.copy(os.path.join(ANCHORS, f), build)
    run(["mpicc", "-O2", "-march=native", "-o", os.path.join(build, "w9"), os.path.join(build, "w9_allreduce.c")])
    ours, theirs = {}, {}
    for _ in range(args.rounds):
        o = results(run(MPIRUN + ["-x", "OPENBLAS_NUM_THREADS=1", args.bin, "bench", "allreduce"], env_threads(1)))
        a = results(run(MPIRUN + [os.path.join(build, "w9")], env_threads(1)))
        for n in ("1000", "100000", "10000000"):
            ours.setdefault(n, []).extend(pick(o, f"n={n}", "bandwidth"))
            theirs.setdefault(n, []).extend(pick(a, f"n={n}", "bandwidth"))
    shutil.rmtree(build, ignore_errors=True)
    for n in ("1000", "100000", "10000000"):
        raw.append({"workload": "allreduce", "n": n, "tributary": ours[n], "anchor": theirs[n]})
        rows.append((f"all-reduce float32 sum, n = {int(n):.0e}, 2 ranks", "GB/s", ours[n], "C MPI_Allreduce (W9)", theirs[n],
                     0.90 if n == "10000000" else None))


def bench_hdf5(args, rows, raw):
    ours, theirs = {}, {}
    for _ in range(args.rounds):
        # W10's own protocol: 3 write/read runs per process (the first run of a process pays for the kernel
        # handing out 1 GiB of fresh page-cache pages; both sides are measured the same way).
        o = results(run([args.bin, "bench", "hdf5", "--size-mib", "1024", "--repeats", "3"], env_threads(1)))
        ours_names = {"write": "write (to page cache)", "write+fsync": "write + fsync",
                      "read warm": "read (warm page cache)"}
        for m, impl in ours_names.items():
            ours.setdefault(m, []).extend(pick(o, impl, "GB/s"))
        jl = tempfile.mktemp(suffix=".jsonl")
        env = env_threads(1)
        env["ANCHOR_RESULTS"] = jl
        env["PYTHONPATH"] = ANCHORS
        run([sys.executable, os.path.join(ANCHORS, "w10_hdf5.py"), "3"], env)
        with open(jl) as f:
            recs = [json.loads(l) for l in f]
        os.remove(jl)
        names = {"write": "no compression: write (to page cache)", "write+fsync": "no compression: write + fsync",
                 "read warm": "no compression: read (warm page cache)"}
        for m, impl in names.items():
            theirs.setdefault(m, []).extend(next(r["values"] for r in recs if r["impl"].endswith(impl)))
    for m in ("write", "write+fsync", "read warm"):
        raw.append({"workload": "hdf5", "metric": m, "tributary": ours[m], "anchor": theirs[m]})
        rows.append((f"HDF5 1 GiB float32, {m}", "GB/s", ours[m], "h5py (W10)", theirs[m], 0.80 if m != "write+fsync" else None))


def main():
    args = parser("gemm,allreduce,hdf5", "bench-foundation.jsonl").parse_args()
    rows, raw = [], []
    for w in args.only.split(","):
        {"gemm": bench_gemm, "allreduce": bench_allreduce, "hdf5": bench_hdf5}[w](args, rows, raw)
    write_raw(args.raw, raw)
    # Runs alternate (Tributary, anchor, Tributary, anchor …), so the i-th values of both sides were taken at
    # nearly the same time: the median of the paired ratios is less sensitive to load drifting during the
    # session than the ratio of the medians. Both are printed.
    print("| workload | figure | Tributary (median) | anchor | anchor (median) | ratio of medians | median paired ratio | target |")
    print("|---|---|---|---|---|---|---|---|")
    for name, unit, ours, anchor, theirs, target in rows:
        mo, ma = statistics.median(ours), statistics.median(theirs)
        paired = statistics.median(o / a for o, a in zip(ours, theirs))
        tgt = f"≥ {target:.2f}" if target else "—"
        print(f"| {name} | {unit} | {mo:.3g} | {anchor} | {ma:.3g} | **{mo / ma:.2f}** | {paired:.2f} | {tgt} |")


if __name__ == "__main__":
    main()

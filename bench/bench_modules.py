#!/usr/bin/env python3
"""Module benchmarks: Tributary against the anchors of ../shared/bench, in the same session, alternating runs.

  fisher     W2: `bench fisher` (1 rank × 1 thread, and 2 ranks × 1 thread) vs the numpy GEMM formulation
             (1 and 2 BLAS threads) and VLFeat vl_fisher_encode (1 thread); images/s, D=64 M=256 T=2500
  gmm        W1: `bench gmm` (N=256,000 D=64 M=256) vs VLFeat vl_gmm (1 thread); seconds per EM iteration
  dsift      W3: `bench dsift` (ORH + COL at 5 scales, 500×375) vs VLFeat vl_dsift pyr5 flat window (ORH only)
  svm        W5: `bench svm` (4000×16384, -s 3) vs LIBLINEAR -s 3; and the 93-concept one-vs-rest
             (`bench svm --one-vs-rest`, 2 ranks) vs LIBLINEAR ovr93 with 2 concurrent trainings

The anchors' C programs are compiled from ../shared/bench/anchors into a temporary folder (needs gcc, mpicc,
libvlfeat-dev and liblinear-dev) and read the synthetic data of `gen_data.py` from $ANCHOR_DATA
(default /tmp/anchors-data; generate it first: `cd ../shared/bench/anchors && python3 gen_data.py gmm image svm`).

usage: python3 bench/bench_modules.py --bin .build/release/tributary [--rounds 3] [--only fisher,gmm,dsift,svm]
Prints a Markdown table (ratio > 1: Tributary faster) and writes the raw runs as JSON lines to --raw.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import benchlib
from benchlib import ANCHORS, ROOT, results


def env_threads(t):
    e = benchlib.env_threads(t)
    e.setdefault("ANCHOR_DATA", "/tmp/anchors-data")
    e["ANCHOR_RESULTS"] = os.path.join(tempfile.gettempdir(), "tributary-bench-anchor.jsonl")
    e["PYTHONPATH"] = ANCHORS
    return e


def run(cmd, threads=1, cwd=None):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, env=env_threads(threads), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}")
    return p.stdout


def values(text, impl_part, metric=None):
    for r in results(text):
        if impl_part in r["impl"] and (metric is None or r["metric"] == metric):
            return r["values"]
    sys.exit(f"no RESULT with {impl_part!r} in:\n{text}")


def py_anchor(script, args, threads=1):
    """Runs a Python anchor script, which records its figures as JSON lines in $ANCHOR_RESULTS; returns them."""
    out = tempfile.mktemp(suffix=".jsonl")
    env = env_threads(threads)
    env["ANCHOR_RESULTS"] = out
    cmd = [sys.executable, os.path.join(ANCHORS, script)] + args
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}")
    with open(out) as f:
        records = [json.loads(l) for l in f]
    os.remove(out)
    return records[-1]["values"]


def mpirun(n, args):
    return ["mpirun", "--oversubscribe", "-np", str(n), "-x", "OPENBLAS_NUM_THREADS=1"] + ROOT + args


def build_anchors():
    folder = tempfile.mkdtemp(prefix="tributary-anchors-")
    for f in os.listdir(ANCHORS):
        if f.endswith((".c", ".h")) or f == "Makefile":
            shutil.copy(os.path.join(ANCHORS, f), folder)
    run(["make", "-s", "-C", folder, "w1_gmm_vlfeat", "w2_fisher_vlfeat", "w3_dsift_vlfeat", "w5_svm_liblinear"])
    return folder


def bench_fisher(args, bin_dir, rows):
    ours1, ours2, numpy1, numpy2, vl = [], [], [], [], []
    for _ in range(args.rounds):
        ours1 += values(run([args.bin, "bench", "fisher", "--images", "100"]), "FisherEncoder")
        numpy1 += py_anchor("w2_fisher_numpy.py", ["s050", "1"])
        o = run(mpirun(2, [args.bin, "bench", "fisher", "--images", "100"]))
        ours2.append(float(re.search(r"aggregate ([0-9.]+) images/s", o).group(1)))
        numpy2 += py_anchor("w2_fisher_numpy.py", ["s050", "1"], threads=2)
        vl += values(run([os.path.join(bin_dir, "w2_fisher_vlfeat"), "s050", "1", "intra"]), "VLFeat")
    rows.append(("W2 improved FV, 1 rank × 1 thread", "images/s", ours1, "numpy GEMM formulation, 1 thread", numpy1, True))
    rows.append(("W2 improved FV, 1 rank × 1 thread", "images/s", ours1, "VLFeat vl_fisher_encode, 1 thread", vl, True))
    rows.append(("W2 improved FV, 2 ranks × 1 thread", "images/s", ours2, "numpy GEMM formulation, 2 threads", numpy2, True))
    rows.append(("W2 improved FV, 2 ranks vs 1 rank (scaling)", "images/s", ours2,
                 "2 × Tributary 1 rank (perfect scaling)", [2 * v for v in ours1], True))


def bench_gmm(args, bin_dir, rows):
    ours, vl = [], []
    for _ in range(args.rounds):
        ours += values(run([args.bin, "bench", "gmm", "--iterations", "3"]), "GaussianMixture")
        vl += values(run([os.path.join(bin_dir, "w1_gmm_vlfeat"), "1"]), "VLFeat")
    rows.append(("W1 GMM EM N=256k D=64 M=256, 1 thread", "s / iteration", ours, "VLFeat vl_gmm, 1 thread", vl, False))


def bench_dsift(args, bin_dir, rows):
    ours, vl = [], []
    for _ in range(args.rounds):
        ours += values(run([args.bin, "bench", "dsift", "--repeats", "30"]), "dense ORH+COL")
        vl += values(run([os.path.join(bin_dir, "w3_dsift_vlfeat"), "pyr5", "flat", "1", "30"]), "VLFeat")
    rows.append(("W3 dense ORH+COL, 500×375, 5 scales, 1 thread", "images/s", ours,
                 "VLFeat vl_dsift pyr5 flat window (ORH only), 1 thread", vl, True))


def bench_svm(args, bin_dir, rows):
    ours, ll, ours_ovr, ll_ovr = [], [], [], []
    acc_ours, acc_ll = [], []
    for _ in range(args.rounds):
        o = run([args.bin, "bench", "svm", "--repeats", "1"])
        ours += values(o, "LinearSVM")
        acc_ours += [float(r["params"]["test_accuracy"]) for r in results(o) if "LinearSVM" in r["impl"]]
        a = run([os.path.join(bin_dir, "w5_svm_liblinear"), "binary", "1"])
        ll += values(a, "-s 3")
        acc_ll += [r["extra"]["test_accuracy"] for r in results(a) if "-s 3" in r["impl"]]
        o = run(mpirun(2, [args.bin, "bench", "svm", "--one-vs-rest", "--repeats", "1"]))
        ours_ovr += values(o, "")
        ll_ovr += values(run([os.path.join(bin_dir, "w5_svm_liblinear"), "ovr93", "1"], threads=2), "one-vs-rest")
    rows.append((f"W5 linear SVM 4000×16384 (test acc {statistics.median(acc_ours):.3f})", "train s", ours,
                 f"LIBLINEAR -s 3 (test acc {statistics.median(acc_ll):.3f})", ll, False))
    rows.append(("W5 93-concept one-vs-rest 4000×4096, 2 ranks", "total s", ours_ovr,
                 "LIBLINEAR -s 3 ovr93, 2 concurrent", ll_ovr, False))


def main():
    args = benchlib.parser("fisher,gmm,dsift,svm", "bench-modules.jsonl").parse_args()
    bin_dir = build_anchors()
    rows = []
    for w in args.only.split(","):
        {"fisher": bench_fisher, "gmm": bench_gmm, "dsift": bench_dsift, "svm": bench_svm}[w](args, bin_dir, rows)
    shutil.rmtree(bin_dir, ignore_errors=True)
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {args.rounds} alternating rounds\n")
    print("| workload | figure | Tributary (median) | anchor | anchor (median) | speed ratio (Tributary / anchor) |")
    print("|---|---|---|---|---|---|")
    with open(args.raw, "a") as raw:
        for name, unit, ours, anchor, theirs, higher in rows:
            mo, ma = statistics.median(ours), statistics.median(theirs)
            ratio = mo / ma if higher else ma / mo
            print(f"| {name} | {unit} | {mo:.3g} | {anchor} | {ma:.3g} | **{ratio:.2f}** |")
            raw.write(json.dumps({"workload": name, "unit": unit, "tributary": ours, "anchor": anchor,
                                  "anchor_values": theirs}) + "\n")


if __name__ == "__main__":
    main()

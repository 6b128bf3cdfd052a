#!/usr/bin/env python3
"""Neural benchmarks: Tributary against the PyTorch CPU anchors W7 and W8 of ../shared/bench, same session, interleaved.

For each configuration the Tributary command and its anchor run alternately for --rounds rounds (each run is
itself 3 timed repetitions, as the anchor scripts do); the table gives the median of each side over all runs
and the ratio Tributary / anchor (higher is better for every figure), plus the median of the paired ratios.

  bilstm  tributary bench bilstm (W7 shapes: V 30000, D 300, H 128 per direction, M 50, C 20, B 32, T 200, Adam)
          vs w7_bilstm.py: train tokens/s and inference tokens/s at 1 and 2 threads, and
          mpirun -np 2 tributary bench bilstm --threads 1 (2 ranks x 1 thread: data-parallel training, and inference
          with each rank on its own batches, summed) vs the anchor at 2 threads
  gru     tributary bench gru (W8 shapes: V 50, E 64, H 256, 6 steps, B 64) vs w8_gru.py: sequences/s
          fwd+bwd and fwd+bwd+Adam, 1 and 2 threads

With --isa baseline,avx2,avx512 (issue 18) only the 1-thread configurations run, and each round runs the Tributary
command once per kernel level (TRIBUTARY_ISA=level, in the order given) and then the anchor, so every level and
the anchor share the session's load; the table has one row per level.

usage: python3 bench/bench_neural.py --bin .build/release/tributary --python /path/to/python-with-torch \
           [--anchors ../shared/bench/anchors] [--rounds 3] [--only bilstm,gru] [--isa baseline,avx2,avx512]
Prints a Markdown table (paste into docs/benchmarks-neural.md) and writes the raw runs as JSON lines to --raw.
"""
import json
import os
import statistics
import sys
import tempfile

from benchlib import ANCHORS, MPIRUN, env_threads, parser, pick, results, run, write_raw


def anchor(args, script, threads):
    """Runs an anchor script with every thread knob at `threads`; returns its records."""
    fd, jl = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    env = env_threads(threads)
    env["ANCHOR_RESULTS"] = jl
    run([args.python, script], env, cwd=args.anchors)
    with open(jl) as f:
        recs = [json.loads(l) for l in f]
    os.remove(jl)
    return recs


def levels(args):
    """The kernel levels to compare (`--isa`), or [None]: the binary's own choice."""
    return args.isa.split(",") if args.isa else [None]


def env_level(threads, level):
    """`env_threads(threads)`, with TRIBUTARY_ISA=level when a level is given."""
    e = env_threads(threads)
    if level:
        e["TRIBUTARY_ISA"] = level
    return e


def label(name, level):
    return f"{name}, {level} kernels" if level else name


def bench_bilstm(args, rows, raw):
    configs = [("1 thread", [args.bin, "bench", "bilstm", "--threads", "1"], 1, 1),
               ("2 threads", [args.bin, "bench", "bilstm", "--threads", "2"], 2, 2),
               ("2 ranks × 1 thread", MPIRUN + ["-x", "OPENBLAS_NUM_THREADS=1", args.bin, "bench", "bilstm",
                                                "--threads", "1"], 1, 2)]
    if args.isa:
        configs = configs[:1]
    for name, cmd, our_threads, anchor_threads in configs:
        data_parallel = cmd[0] == "mpirun"
        ours = {(m, l): [] for m in ("train", "inference") for l in levels(args)}
        theirs = {"train": [], "inference": []}
        for _ in range(args.rounds):
            for level in levels(args):
                o = results(run(cmd, env_level(our_threads, level)))
                if data_parallel:
                    ours[("train", level)] += pick(o, "bilstm train data-parallel", "train")
                    ours[("inference", level)] += pick(o, "bilstm inference ranks", "inference")
                else:
                    ours[("train", level)] += pick(o, "bilstm train", "train")
                    ours[("inference", level)] += pick(o, "bilstm inference", "inference")
            a = anchor(args, "w7_bilstm.py", anchor_threads)
            theirs["train"] += pick(a, "train step (fwd+bwd+Adam)")
            theirs["inference"] += pick(a, "inference (fwd only)")
        for (m, level), values in ours.items():
            if not values:
                continue
            raw.append({"workload": "W7", "config": label(name, level), "metric": m, "tributary": values,
                        "anchor": theirs[m]})
            rows.append((f"W7 bi-LSTM {m}, {label(name, level)}", "tokens/s", values,
                         f"PyTorch W7, {anchor_threads} thread(s)", theirs[m]))


def bench_gru(args, rows, raw):
    for t in ((1,) if args.isa else (1, 2)):
        ours = {(m, l): [] for m in ("fwd+bwd", "fwd+bwd+adam") for l in levels(args)}
        theirs = {"fwd+bwd": [], "fwd+bwd+adam": []}
        for _ in range(args.rounds):
            for level in levels(args):
                o = results(run([args.bin, "bench", "gru", "--threads", str(t)], env_level(t, level)))
                ours[("fwd+bwd", level)] += pick(o, "gru fwd+bwd", "fwd+bwd")
                ours[("fwd+bwd+adam", level)] += pick(o, "gru fwd+bwd+adam", "fwd+bwd+adam")
            a = anchor(args, "w8_gru.py", t)
            theirs["fwd+bwd"] += pick(a, "GRU decoder fwd+bwd")
            theirs["fwd+bwd+adam"] += pick(a, "GRU decoder fwd+bwd+Adam step")
        for (m, level), values in ours.items():
            raw.append({"workload": "W8", "threads": t, "level": level, "metric": m, "tributary": values,
                        "anchor": theirs[m]})
            rows.append((f"W8 GRU decoder {m}, {label(f'{t} thread(s)', level)}", "sequences/s", values,
                         f"PyTorch W8, {t} thread(s)", theirs[m]))


def main():
    p = parser("bilstm,gru", "bench-neural.jsonl")
    p.add_argument("--python", default=sys.executable, help="a Python with torch (the anchors' interpreter)")
    p.add_argument("--anchors", default=ANCHORS, help="the anchors folder (shared/bench/anchors)")
    p.add_argument("--isa", default="", help="kernel levels to compare, e.g. baseline,avx2,avx512 (TRIBUTARY_ISA)")
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)
    rows, raw = [], []
    for w in args.only.split(","):
        {"bilstm": bench_bilstm, "gru": bench_gru}[w](args, rows, raw)
    write_raw(args.raw, raw)
    print("| workload | figure | Tributary (median, min–max) | anchor | anchor (median, min–max) | ratio of medians | median paired ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, unit, ours, anchor_name, theirs in rows:
        mo, ma = statistics.median(ours), statistics.median(theirs)
        paired = statistics.median(o / a for o, a in zip(ours, theirs))
        spread = f"{min(ours):.4g}–{max(ours):.4g}"
        print(f"| {name} | {unit} | {mo:.4g} ({spread}, n = {len(ours)}) | {anchor_name} | {ma:.4g} "
              f"({min(theirs):.4g}–{max(theirs):.4g}) | **{mo / ma:.2f}** | {paired:.2f} |")


if __name__ == "__main__":
    main()

"""Shared plumbing of the benchmark drivers (bench_foundation.py, bench_modules.py, bench_neural.py): their common
options, where the anchors live, the 2-rank mpirun prefix, the thread knobs, running a command, reading its
`RESULT {json}` lines and writing the raw records."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# $ANCHORS overrides it (a worktree beside the repository, as launch/bench-all.sh passes it on).
ANCHORS = os.environ.get("ANCHORS") or os.path.normpath(os.path.join(HERE, "..", "..", "shared", "bench", "anchors"))
ROOT = ["--allow-run-as-root"] if os.geteuid() == 0 else []
MPIRUN = ["mpirun", "--oversubscribe", "-np", "2"] + ROOT


def parser(only, raw):
    """The options of every driver: --bin (the tributary executable), --rounds, --only (default: `only`, the
    workloads, comma-separated) and --raw (default: `raw`, the JSON-lines file of the raw figures)."""
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default=only)
    p.add_argument("--raw", default=raw)
    return p


def write_raw(path, records):
    """Writes `records` to `path`, one JSON object a line."""
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def env_threads(t):
    """The environment with every BLAS / OpenMP / anchor thread knob at `t`."""
    e = dict(os.environ)
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "ANCHOR_THREADS"):
        e[k] = str(t)
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    return e


def run(cmd, env=None, cwd=None):
    """Runs `cmd` (echoed to stderr) and returns its stdout; exits with both streams if it fails."""
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def results(text):
    """The records of the `RESULT {json}` lines of `text`."""
    return [json.loads(l[len("RESULT "):]) for l in text.splitlines() if l.startswith("RESULT ")]


def pick(rs, impl_suffix, metric=None):
    """The values of the first record whose impl ends with `impl_suffix` (and whose metric is `metric`, if given)."""
    for r in rs:
        if r["impl"].endswith(impl_suffix) and (metric is None or r["metric"] == metric):
            return r["values"]
    sys.exit(f"no RESULT with impl ending in {impl_suffix!r} (metric {metric!r}) in {rs}")

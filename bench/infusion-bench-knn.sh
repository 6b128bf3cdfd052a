#!/usr/bin/env bash
# W6 retrieval comparison in ONE session (ANCHORS.md): `tributary bench knn` (LSH Forest defaults + exact search)
# alternating with the FAISS IndexLSH / HNSW and annoy anchors (../shared/bench/anchors/w6_knn.py), ROUNDS times,
# then the (L, k_m, c) sweep (`bench knn --sweep`) → OUT/bench-knn.md (table) and OUT/bench-knn.png (recall@5 vs
# queries/s, sweep points beside the anchors).
#
#   bench/infusion-bench-knn.sh [OUT]        env: ROUNDS (2), THREADS (1), ANCHOR_DATA (/tmp/anchors-data),
#                                                  TRIBUTARY (.build/release/tributary), ANCHORS (../shared/bench/anchors)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/bench-knn}
ROUNDS=${ROUNDS:-2}; THREADS=${THREADS:-1}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
ANCHORS=${ANCHORS:-../shared/bench/anchors}
export ANCHOR_DATA=${ANCHOR_DATA:-/tmp/anchors-data} OPENBLAS_NUM_THREADS=$THREADS ANCHOR_THREADS=$THREADS
mkdir -p "$OUT"
rm -f "$OUT/anchors.jsonl" "$OUT/tributary.results"
for r in $(seq 1 "$ROUNDS"); do
    "$TRIBUTARY" bench knn --metrics ip,l2 | tee "$OUT/tributary-$r.log" | grep '^RESULT' | sed 's/^RESULT //' >>"$OUT/tributary.results"
    ANCHOR_RESULTS="$OUT/anchors.jsonl" python3 "$ANCHORS/w6_knn.py" lsh hnsw annoy >"$OUT/anchors-$r.log" 2>&1
done
"$TRIBUTARY" bench knn --metrics ip,l2 --sweep --repeats 1 | tee "$OUT/sweep.log" | grep '^RESULT' | sed 's/^RESULT //' >"$OUT/sweep.results"

python3 - "$OUT" <<'PY'
import json, statistics, sys
out = sys.argv[1]
rows = []  # (impl, metric, recall, build_s, [q/s values], round)
for line in open(f"{out}/tributary.results"):
    r = json.loads(line); p = r["params"]
    rows.append((r["impl"], p["metric"], float(p["recall_at_5"]), float(p.get("build_s", "nan")), r["values"]))
for line in open(f"{out}/anchors.jsonl"):
    r = json.loads(line)
    rows.append((r["impl"], r["params"]["metric"], r["extra"]["recall_at_5"], r["extra"].get("build_s", float("nan")), r["values"]))
by = {}
for impl, metric, rc, build, values in rows:
    e = by.setdefault((metric, impl), {"recall": rc, "build": [], "qps": []})
    e["qps"] += values
    if build == build: e["build"].append(build)
with open(f"{out}/bench-knn.md", "w") as f:
    f.write("| metric | implementation | recall@5 | queries/s median (min–max over rounds × passes) | build s |\n| --- | --- | --- | --- | --- |\n")
    for (metric, impl), e in sorted(by.items()):
        q = e["qps"]; b = f"{statistics.median(e['build']):.2f}" if e["build"] else ""
        f.write(f"| {metric} | {impl} | {e['recall']:.4f} | {statistics.median(q):,.0f} ({min(q):,.0f}–{max(q):,.0f}) | {b} |\n")
    f.write("\n**Sweep** (`bench knn --sweep --repeats 1`):\n\n| metric | L | k_m | c | recall@5 | queries/s | build s |\n| --- | --- | --- | --- | --- | --- | --- |\n")
    for line in open(f"{out}/sweep.results"):
        r = json.loads(line); p = r["params"]
        if "L" in p:
            f.write(f"| {p['metric']} | {p['L']} | {p['K']} | {p['c']} | {float(p['recall_at_5']):.4f} | {r['median']:,.0f} | {float(p['build_s']):.2f} |\n")
for metric in ("ip", "l2"):
    with open(f"{out}/sweep-{metric}.dat", "w") as f:
        for line in open(f"{out}/sweep.results"):
            r = json.loads(line); p = r["params"]
            if "L" in p and p["metric"] == metric:
                f.write(f"{r['median']} {p['recall_at_5']} \"{p['L']}/{p['K']}/{p['c']}\"\n")
    with open(f"{out}/anchors-{metric}.dat", "w") as f:
        for (m, impl), e in sorted(by.items()):
            if m == metric and not impl.startswith("tributary"):
                f.write(f"{statistics.median(e['qps'])} {e['recall']}\n")
PY
gnuplot <<GP
set terminal pngcairo size 960,460 noenhanced
set output "$OUT/bench-knn.png"
set multiplot layout 1,2 title "W6: recall@5 vs queries/s (LSH Forest sweep L/k_m/c vs FAISS / annoy anchors, same session)"
do for [m in "ip l2"] {
    set title m; set logscale x; set xlabel "queries/s (log)"; set ylabel "recall@5"; set key below; set grid
    plot "$OUT/sweep-".m.".dat" using 1:2 with points pt 7 lc rgb "blue" title "tributary LSH Forest", \
         "" using 1:2:3 with labels offset 0,1 font ",7" notitle, \
         "$OUT/anchors-".m.".dat" using 1:2 with points pt 5 lc rgb "red" title "FAISS IndexLSH/HNSW, annoy"
}
unset multiplot
GP
echo "wrote $OUT/bench-knn.md and $OUT/bench-knn.png"

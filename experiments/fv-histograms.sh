#!/usr/bin/env bash
# fv-histograms.sh: the Fisher-vector paper's Figure 2 (papers/fisher-vectors-tagprop-imageclef.txt, §2.2): the
# distribution of the first dimension of the L2-normalised Fisher vector over images, for M = 16, 64 and 256
# Gaussians without power normalisation, and M = 256 with it (α = ½).
#
#   experiments/fv-histograms.sh [OUT]        (default out/fv-histograms; DATA, N, PCA, TRIBUTARY in the environment)
#
# One `extract` + `fit-pca` on N Flowers17 photos (a seeded subset; the paper used the 5,011 VOC 2007 training
# images), then `fit-gmm` + `encode` per M. Tributary stores the improved FV (signed square root, then L2, per
# region); the vector without power normalisation is recovered exactly from it: with v = p/‖p‖₂, p = sign(z)|z|^½,
# sign(v)·v² = z/‖z‖₁, so z/‖z‖₂ = sign(v)v² / ‖sign(v)v²‖₂ (per region: the 1x1 ORH row is one region).
# Writes OUT/figure2.dat (histograms), OUT/figure2.png (gnuplot, 4 panels), OUT/figure2.md (sparsity per M).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/fv-histograms}
DATA=${DATA:-${TRIBUTARY_SHARED_DATA:-../shared/data}}
N=${N:-400}; PCA=${PCA:-64}
B=${TRIBUTARY:-.build/release/tributary}
[ -f "$DATA/flowers17/flowers17.tar" ] || { echo "fv-histograms: $DATA/flowers17/flowers17.tar missing (set DATA)" >&2; exit 2; }
mkdir -p "$OUT/base"
[ -f "$OUT/base/descriptors.h5" ] || "$B" extract --dataset tar --data "$DATA/flowers17/flowers17.tar" --limit "$N" \
    --subset-seed 0 --out "$OUT/base"
[ -f "$OUT/base/pca.h5" ] || "$B" fit-pca --pca-dims "$PCA" --seed 0 --out "$OUT/base"
for M in 16 64 256; do
    d="$OUT/m$M"; mkdir -p "$d"
    for f in descriptors.h5 descriptors.h5.parts pca.h5; do ln -sfn "$(cd "$OUT/base" && pwd)/$f" "$d/$f"; done
    [ -f "$d/gmm.h5" ] || "$B" fit-gmm --components "$M" --seed 0 --out "$d"
    [ -f "$d/fv.h5" ] || "$B" encode --out "$d"
done
/usr/bin/python3 - "$OUT" <<'PY'
import sys, numpy as np
sys.path.insert(0, "python")
import tributary_io as tio
out = sys.argv[1]
series, rows = [], []
for m in (16, 64, 256):
    v = tio.load_fisher_vectors(f"{out}/m{m}/fv.h5", blocks=["orh/1x1"]).X.astype(np.float64)
    z = np.sign(v) * v * v                                   # z / ‖z‖₁ per image
    z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)   # z / ‖z‖₂: L2 only, no power
    series.append((f"M = {m}, no power normalisation", z[:, 0]))
    if m == 256:
        series.append((f"M = {m}, power normalisation (alpha = 0.5)", v[:, 0]))
    near0 = float(np.mean(np.abs(z) < 1e-3))
    rows.append(f"| {m} | {z.shape[0]} | {z.shape[1]} | {near0:.3f} | {float(np.mean(np.abs(v) < 1e-3)):.3f} |")
with open(f"{out}/figure2.dat", "w") as f:
    for title, x in series:
        lim = max(float(np.max(np.abs(x))), 1e-9)
        counts, edges = np.histogram(x, bins=41, range=(-lim, lim))
        f.write(f'"{title}"\n')
        for c, a, b in zip(counts, edges[:-1], edges[1:]):
            f.write(f"{(a + b) / 2:.6g} {c}\n")
        f.write("\n\n")
with open(f"{out}/figure2.md", "w") as f:
    f.write("| M | images | dims of the 1x1 ORH FV | share of values with abs < 1e-3, no power norm | with power norm |\n")
    f.write("| ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(rows) + "\n")
print(open(f"{out}/figure2.md").read())
PY
gnuplot <<GP
set terminal pngcairo size 1100,760
set output "$OUT/figure2.png"
set multiplot layout 2,2 title "First dimension of the L2-normalised Fisher vector (ORH, 1x1), $N Flowers17 photos (cf. paper Fig. 2)"
set style fill solid 0.8
set ylabel "images"
do for [i=0:3] { plot "$OUT/figure2.dat" index i using 1:2 with boxes title columnheader(1) }
unset multiplot
GP
echo "wrote $OUT/figure2.png, $OUT/figure2.md"

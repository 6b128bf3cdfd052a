#!/usr/bin/env bash
# The README's main command: installs what is missing, builds release, then runs the 2-rank job on the
# embedded default data: the 2-rank selftest (every collective, the ordered reduction, an HDF5 round trip),
# Fisher vectors of 2,000 Fashion-MNIST images (extract → PCA → GMM → encode over 2 ranks), and the
# foundation benchmarks (gemm, allreduce, hdf5). Outputs go to ${TRIBUTARY_OUT:-out}/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash launch/install-deps.sh
echo "== swift build -c release"
swift build -c release
export TRIBUTARY_BIN="$(swift build -c release --show-bin-path)/tributary"
"$TRIBUTARY_BIN" --version
echo "== 2-rank selftest"
bash launch/run.sh -n 2 -- selftest
out="${TRIBUTARY_OUT:-out}"
echo "== Fisher vectors of 2,000 Fashion-MNIST training images, 2 ranks → $out/fisher"
bash launch/run.sh -n 2 -- fisher --dataset fashion-mnist --limit 2000 --components 64 --out "$out/fisher"
echo "== benchmarks"
bash launch/run.sh -n 1 --threads 2 -- bench gemm --size 2048
bash launch/run.sh -n 2 -- bench allreduce
bash launch/run.sh -n 1 -- bench hdf5 --size-mib "${TRIBUTARY_BENCH_HDF5_MIB:-256}" --repeats 1

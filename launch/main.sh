#!/usr/bin/env bash
# The README's main command: installs what is missing, builds release, then runs the 2-rank job.
# Until the pipeline lands this is the foundation's job: the 2-rank selftest (every collective, the ordered
# reduction, an HDF5 round trip) and the three foundation benchmarks (gemm, allreduce, hdf5).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash launch/install-deps.sh
echo "== swift build -c release"
swift build -c release
export TRIBUTARY_BIN="$(swift build -c release --show-bin-path)/tributary"
"$TRIBUTARY_BIN" --version
echo "== 2-rank selftest"
bash launch/run.sh -n 2 -- selftest
echo "== benchmarks"
bash launch/run.sh -n 1 --threads 2 -- bench gemm --size 2048
bash launch/run.sh -n 2 -- bench allreduce
bash launch/run.sh -n 1 -- bench hdf5 --size-mib "${TRIBUTARY_BENCH_HDF5_MIB:-256}" --repeats 1

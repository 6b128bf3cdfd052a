#!/usr/bin/env bash
# The README's main command: installs what is missing, builds release, then runs the 2-rank job on the
# embedded default data: the 2-rank selftest (every collective, the ordered reduction, an HDF5 round trip),
# the embedded default pipeline data/pipelines/default.json under mpirun -np 2 (Fashion-MNIST → Fisher vectors →
# SVM and the label-graph path decoder; Debian package descriptions → bi-LSTM → embeddings → LSH Forest →
# instance-infused bi-LSTM and neighbours; a report in
# out/default/report.md + .html), and the foundation benchmarks (gemm, allreduce, hdf5).
# TRIBUTARY_PIPELINE=other.json runs another config; rerunning skips the stages that are already done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash launch/install-deps.sh
echo "== swift build -c release"
swift build -c release
export TRIBUTARY_BIN="$(swift build -c release --show-bin-path)/tributary"
"$TRIBUTARY_BIN" --version
echo "== 2-rank selftest"
bash launch/run.sh -n 2 -- selftest
pipeline="${TRIBUTARY_PIPELINE:-data/pipelines/default.json}"
echo "== the default pipeline, 2 ranks: $pipeline"
bash launch/run.sh -n 2 -- run "$pipeline"
"$TRIBUTARY_BIN" status "$pipeline" --ranks 2
echo "== benchmarks"
bash launch/run.sh -n 1 --threads 2 -- bench gemm --size 2048
bash launch/run.sh -n 2 -- bench allreduce
bash launch/run.sh -n 1 -- bench hdf5 --size-mib "${TRIBUTARY_BENCH_HDF5_MIB:-256}" --repeats 1

#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every unit test (the bad-input corpus and the
# fault-injection resume tests among them), then the MPI smoke tests
# (selftest, Fisher vectors, text training, index/query, instance infusion under mpirun -np 1, 2 and 3) and the
# Python reader's checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash launch/install-deps.sh
echo "== swift build (debug, with tests)"
swift build --build-tests
echo "== swift test"
swift test --skip-build
export TRIBUTARY_BIN="$(swift build --show-bin-path)/tributary"
echo "== MPI smoke test"
bash Tests/smoke/mpi-smoke.sh
echo "== Fisher-vector pipeline smoke test (-np 1 vs -np 2 bit-identical, resume)"
bash Tests/smoke/fisher-smoke.sh
echo "== text training smoke test (-np 1 vs -np 2 loss curves, identical parameters, resume)"
bash Tests/smoke/text-smoke.sh
echo "== index/query smoke test (-np 1, 2, 3 bit-identical neighbours, --exclude-self)"
bash Tests/smoke/index-smoke.sh
echo "== instance-infusion smoke test (index + train-infused, -np 1 vs -np 2 loss curves, starts at the baseline)"
bash Tests/smoke/infusion-smoke.sh
echo "== Python reader smoke test (python/tributary_io.py + scikit-learn reproduce the reported figures)"
bash Tests/smoke/python-smoke.sh

#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every unit test, then the MPI smoke test
# (tributary selftest under mpirun -np 1, 2 and 3, with bit-identical ordered reductions).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash launch/install-deps.sh
echo "== swift build (debug, with tests)"
swift build --build-tests
echo "== swift test"
swift test --skip-build
echo "== MPI smoke test"
TRIBUTARY_BIN="$(swift build --show-bin-path)/tributary" bash launch/mpi-smoke.sh

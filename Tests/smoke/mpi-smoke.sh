#!/usr/bin/env bash
# mpi-smoke.sh: the MPI smoke test. Runs `tributary selftest` without mpirun and under mpirun -np 1, 2 and 3
# (3 is oversubscribed on a 2-core machine), and checks that
#   1. every run exits 0 (every collective check passed on every rank), within a time limit (no hang), and
#   2. the line `ordered-reduction bits: <hex>` is identical in all runs (rank-count-independent reduction).
# Prints a summary table and exits non-zero on any failure. The runs under mpirun use launch/run.sh's defaults
# (threads = cores / NP, pinned unless oversubscribed), as a user's run would.
#
#   Tests/smoke/mpi-smoke.sh [WORK_DIR]      # binary, logs folder, SMOKE_TIMEOUT: see lib.sh
#   SMOKE_NPS="1 2 4" SMOKE_TIMEOUT=600 Tests/smoke/mpi-smoke.sh
#   SMOKE_NPS="2 8" SMOKE_HOSTFILE=hosts Tests/smoke/mpi-smoke.sh       # across hosts (see launch/README.md)
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" mpi-smoke "${1:-}"
nps="${SMOKE_NPS:-1 2 3}"
bits_prefix="ordered-reduction bits: "
say "$bin; logs in $work"

reference=""
summary=()

# run_case NAME COMMAND…: runs one case with a time limit; records exit status, checks line and bits.
run_case() {
    local name="$1"; shift
    local log="$work/$name.log"
    timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
    local rc=$?
    local bits checks verdict="ok"
    bits="$(grep -m1 "^$bits_prefix" "$log" | cut -c$(( ${#bits_prefix} + 1 ))-)"
    checks="$(grep -m1 '^collectives: ' "$log" | sed 's/^collectives: //')"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        verdict="TIMEOUT after ${limit}s (a rank hung?)"
    elif [ "$rc" -ne 0 ]; then
        verdict="FAIL: exit $rc"
    elif [ -z "$bits" ]; then
        verdict="FAIL: no '${bits_prefix}' line"
    elif [ -z "$reference" ]; then
        reference="$bits"
    elif [ "$bits" != "$reference" ]; then
        verdict="FAIL: bits differ from the first run"
    fi
    if [ "$verdict" != "ok" ]; then
        fail "$name: $verdict; last lines of $log:"
        grep -E '^FAIL|\[rank' "$log" | head -20 >&2
        tail -n 15 "$log" >&2
    fi
    summary+=("$(printf '%-12s %-40s %-46s %s' "$name" "${checks:-?}" "${bits:-none}" "$verdict")")
}

run_case "no-mpirun" "$bin" selftest
for np in $nps; do
    run_case "np-$np" "$launch/run.sh" -n "$np" ${SMOKE_HOSTFILE:+--hostfile "$SMOKE_HOSTFILE"} -- selftest
done

echo
printf '%-12s %-40s %-46s %s\n' "run" "collective checks" "ordered-reduction bits" "verdict"
printf '%s\n' "${summary[@]}"
echo
[ "$failures" != 0 ] || say "every run passed and the ordered-reduction bits agree ($reference)"
finish

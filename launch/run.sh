#!/usr/bin/env bash
# run.sh: start `tributary` on NP ranks with mpirun, with threads and pinning decided deliberately.
#
#   launch/run.sh [-n NP] [--hostfile FILE] [--threads T] [--bind core|none] [--dry-run] -- tributary-args…
#
#   -n, --np NP        ranks (default: the number of cores here)
#   --hostfile FILE    Open MPI hostfile for multi-host runs (see launch/hostfile.example, launch/README.md)
#   --threads T        OpenBLAS threads per rank, exported with -x (default: max(1, cores / NP))
#   --bind core|none   core: each rank is pinned to T cores (--map-by core / slot:PE=T --bind-to core);
#                      none: no pinning (--bind-to none). Default: core unless NP·T exceeds the cores.
#   --dry-run          print the mpirun command instead of running it
#
# The binary is $TRIBUTARY_BIN, else .build/release/tributary, else .build/debug/tributary.
# Extra mpirun flags come from $MPIRUN_FLAGS (split on spaces), e.g. MPIRUN_FLAGS="--mca btl_tcp_if_include eth0".
# Examples:
#   launch/run.sh -n 2 -- bench allreduce
#   launch/run.sh -n 1 --threads 2 -- bench gemm
#   launch/run.sh -n 8 --hostfile hosts -- selftest
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=launch/env.sh
. "$here/env.sh"

die() { echo "run.sh: $*" >&2; exit 2; }
usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

cores="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
np="$cores"; hostfile=""; threads=""; bind=""; dry_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        -n|-np|--np) [ $# -ge 2 ] || die "$1 needs a value"; np="$2"; shift 2 ;;
        --hostfile) [ $# -ge 2 ] || die "--hostfile needs a file"; hostfile="$2"; shift 2 ;;
        --threads) [ $# -ge 2 ] || die "--threads needs a value"; threads="$2"; shift 2 ;;
        --bind) [ $# -ge 2 ] || die "--bind needs core or none"; bind="$2"; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option '$1' (tributary's own arguments go after --; see --help)" ;;
        *) break ;;   # the first word that is not an option starts tributary's arguments
    esac
done
[[ "$np" =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer, got '$np'"
[ -z "$threads" ] && threads=$(( cores / np > 1 ? cores / np : 1 ))
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer, got '$threads'"
[ -z "$hostfile" ] || [ -r "$hostfile" ] || die "hostfile '$hostfile' is not readable"

bin="${TRIBUTARY_BIN:-}"
if [ -z "$bin" ]; then
    for candidate in "$root/.build/release/tributary" "$root/.build/debug/tributary"; do
        if [ -x "$candidate" ]; then bin="$candidate"; break; fi
    done
fi
[ -n "$bin" ] || die "no tributary binary: run 'swift build -c release' in $root, or set TRIBUTARY_BIN"
[ -x "$bin" ] || die "TRIBUTARY_BIN='$bin' is not an executable file"

args=(-np "$np")
oversubscribed=0
if [ -n "$hostfile" ]; then
    args+=(--hostfile "$hostfile")          # slots come from the hostfile; mpirun checks them
elif [ "$np" -gt "$cores" ]; then
    args+=(--oversubscribe); oversubscribed=1
fi

# Pinning: a pinned rank owns T cores, so NP·T must fit; otherwise pinning would stack ranks on one core.
if [ -z "$bind" ]; then
    bind=core
    if [ "$oversubscribed" = 1 ]; then bind=none
    elif [ -z "$hostfile" ] && [ $(( np * threads )) -gt "$cores" ]; then bind=none; fi
fi
case "$bind" in
    core)
        [ "$oversubscribed" = 0 ] || die "--bind core with $np ranks on $cores cores: use --bind none"
        if [ "$threads" -eq 1 ]; then args+=(--map-by core --bind-to core)
        else args+=(--map-by "slot:PE=$threads" --bind-to core); fi ;;
    none) args+=(--bind-to none) ;;
    *) die "--bind must be core or none, got '$bind'" ;;
esac

# Per-rank environment (-x copies it to every rank, remote hosts included).
args+=(-x "OPENBLAS_NUM_THREADS=$threads" -x "OMP_NUM_THREADS=$threads")
for name in TRIBUTARY_VERBOSE_RANKS TRIBUTARY_FAIL_AT TRIBUTARY_FAIL_RANK TRIBUTARY_SHARED_DATA LD_LIBRARY_PATH; do
    if [ -n "${!name:-}" ]; then args+=(-x "$name"); fi
done

if [ -n "${MPIRUN_FLAGS:-}" ]; then
    read -r -a extra <<< "$MPIRUN_FLAGS"
    args+=("${extra[@]}")
fi

if [ "$dry_run" = 1 ]; then
    printf '%q ' mpirun "${args[@]}" "$bin" "$@"; echo
    exit 0
fi
exec mpirun "${args[@]}" "$bin" "$@"

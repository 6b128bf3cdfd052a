# Tests/smoke/lib.sh: the preamble every smoke test of this folder sources, so that they all find the binary, the
# launcher and a work folder, run ranks and report failures the same way. Not a test itself.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh" NAME "${1:-}"     # NAME: the test's name in messages; $1: WORK_DIR
#
# After it:
#   root, launch          the repository root and its launch/ folder; launch/env.sh (the Open MPI settings) is sourced
#   bin                   $TRIBUTARY_BIN, else .build/release/tributary, else .build/debug/tributary; exported as
#                         TRIBUTARY_BIN so that launch/run.sh starts the same binary (none: exit 2)
#   work                  WORK_DIR, kept; or a new ${TMPDIR:-/tmp}/tributary-NAME.XXXXXX, removed when the test passes
#   python                /usr/bin/python3 (Debian's, with python3-h5py and python3-numpy)
#   limit, tolerance      SMOKE_TIMEOUT (seconds per command, default 300), SMOKE_TOLERANCE (relative, default 1e-3)
#   say MSG…              prints "NAME: MSG"
#   fail MSG…             prints "NAME: FAIL: MSG" and counts it; the test goes on
#   skip REASON…          prints "NAME: SKIP (REASON)" and exits 0 (a data set that is not installed)
#   finish                exits 0 if nothing failed, else 1
#   ranks NP ARGS…        `tributary ARGS…` on NP ranks through launch/run.sh: 1 OpenBLAS thread per rank (results are
#                         bit-identical across rank counts at a fixed thread count), unpinned, killed after $limit s
#   logged NAME NP ARGS…  ranks NP ARGS… with stdout and stderr in $work/NAME.log
#   param_checks NAME     fails unless $work/NAME.log reports at least one passed identical-parameter check
#   losses NAME           the per-epoch losses of $work/NAME.log, space-separated
#   curves_agree A B      true when the loss lists A and B are as long (not empty) and agree within $tolerance
#   corpus FILE N SEED    writes a text,label CSV of N documents in 3 classes (topic words among filler words)
# On exit the test prints "NAME: PASS", or "NAME: FAIL …; logs in WORK" with the exit status (set -e included).

smoke="${1:?usage: . Tests/smoke/lib.sh NAME [WORK_DIR]}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
launch="$root/launch"
# shellcheck source=launch/env.sh
. "$launch/env.sh"
python=/usr/bin/python3
limit="${SMOKE_TIMEOUT:-300}"
tolerance="${SMOKE_TOLERANCE:-1e-3}"

bin="${TRIBUTARY_BIN:-}"
if [ -z "$bin" ]; then
    for candidate in "$root/.build/release/tributary" "$root/.build/debug/tributary"; do
        if [ -x "$candidate" ]; then bin="$candidate"; break; fi
    done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "$smoke: no tributary binary: run 'swift build -c release' in $root, or set TRIBUTARY_BIN" >&2
    exit 2
fi
export TRIBUTARY_BIN="$bin"

work="${2:-}"; smoke_temporary=0
if [ -z "$work" ]; then work="$(mktemp -d "${TMPDIR:-/tmp}/tributary-$smoke.XXXXXX")"; smoke_temporary=1; fi
mkdir -p "$work"
failures=0; smoke_skipped=0

say() { echo "$smoke: $*"; }
fail() { echo "$smoke: FAIL: $*" >&2; failures=$((failures + 1)); }
skip() { echo "$smoke: SKIP ($*)"; smoke_skipped=1; exit 0; }
finish() { if [ "$failures" = 0 ]; then exit 0; fi; exit 1; }
smoke_exit() {
    local rc=$?
    if [ "$rc" = 0 ] && [ "$smoke_skipped" = 0 ]; then say PASS; fi
    if [ "$rc" != 0 ]; then echo "$smoke: FAIL (exit $rc, $failures failure(s) above); logs in $work" >&2
    elif [ "$smoke_temporary" = 1 ]; then rm -rf "$work"; fi
}
trap smoke_exit EXIT

ranks() {
    local np="$1"; shift
    timeout --kill-after=10 "$limit" bash "$launch/run.sh" -n "$np" --threads 1 --bind none -- "$@"
}
logged() {
    local name="$1"; shift
    ranks "$@" >"$work/$name.log" 2>&1
}
param_checks() {
    local checks
    checks="$(sed -n 's/^identical-parameter checks passed: //p' "$work/$1.log")"
    if [ -z "$checks" ] || [ "$checks" -lt 1 ]; then fail "$1: no identical-parameter check passed"; fi
}
losses() { sed -n 's/^epoch \([0-9]*\)\/[0-9]*  loss \([0-9.]*\).*/\2/p' "$work/$1.log" | tr '\n' ' '; }
curves_agree() {
    awk -v a="$1" -v b="$2" -v tol="$tolerance" 'BEGIN { n = split(a, x, " "); m = split(b, y, " ")
        if (n != m || n == 0) exit 1
        for (i = 1; i <= n; i++) { d = x[i] - y[i]; if (d < 0) d = -d; s = x[i] < 0 ? -x[i] : x[i]
            if (d > tol * s + 1e-6) exit 1 } }'
}
corpus() {
    awk -v n="$2" -v seed="$3" 'BEGIN { srand(seed); print "text,label"
        split("stock market shares bank profit trade|goal match team cup coach league|vote party minister poll election law", t, "|")
        for (i = 0; i < n; i++) { c = i % 3; split(t[c + 1], w, " "); line = ""
            for (j = 0; j < 6; j++) line = line w[int(rand() * 6) + 1] " f" int(rand() * 60) " "
            print line ",class" c } }' >"$1"
}

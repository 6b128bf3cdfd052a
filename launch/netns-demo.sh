#!/usr/bin/env bash
# netns-demo.sh: a real multi-host run on one machine. Three network namespaces (trib-ns1..3, one "host" each)
# joined by veth links to a bridge, one MPI rank per namespace, all traffic over TCP between the namespaces:
#
#   root namespace: bridge trib-br0 10.77.0.1/24 (mpirun runs here)
#     ├─ veth trib-v1 ⇄ trib-ns1: eth0 10.77.0.11
#     ├─ veth trib-v2 ⇄ trib-ns2: eth0 10.77.0.12
#     └─ veth trib-v3 ⇄ trib-ns3: eth0 10.77.0.13
#
# Open MPI starts its daemons on "hosts" through an rsh agent; instead of ssh (no sshd in each namespace),
# launch/netns-demo.sh writes an agent that runs the daemon with `ip netns exec <namespace>`. The hostfile names
# the three addresses; out-of-band and MPI traffic are pinned to 10.77.0.0/24 and the BTL is tcp,self (no shared
# memory), so every message between ranks crosses a veth link. The run: `tributary selftest` (every collective,
# ordered-reduction bits) and a pipeline smoke test (`tributary run`: Fisher vectors → split → SVM; bi-LSTM →
# embed → index → query) on 3 ranks, then the same pipeline on 1 rank locally: the rank-count-independent
# outputs must have equal content hashes.
#
# Needs root (namespaces, veths, a bridge) and iproute2; removes everything it made on exit.
#   sudo bash launch/netns-demo.sh            # output recorded in docs/multi-host.md
# TRIBUTARY_BIN picks the binary (default .build/release/tributary, else .build/debug/tributary).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "netns-demo.sh: needs root (network namespaces, veth links, a bridge); run with sudo" >&2; exit 2; }
command -v ip >/dev/null || { echo "netns-demo.sh: needs iproute2 (apt-get install iproute2)" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "netns-demo.sh: needs Open MPI (apt-get install openmpi-bin)" >&2; exit 2; }
bin="${TRIBUTARY_BIN:-}"
for candidate in "$root/.build/release/tributary" "$root/.build/debug/tributary"; do
    [ -n "$bin" ] || { [ -x "$candidate" ] && bin="$candidate"; }
done
[ -n "$bin" ] || { echo "netns-demo.sh: no tributary binary; run swift build first or set TRIBUTARY_BIN" >&2; exit 2; }

work="$(mktemp -d /tmp/tributary-netns.XXXXXX)"
cleanup() {
    for i in 1 2 3; do ip netns del "trib-ns$i" 2>/dev/null || true; ip link del "trib-v$i" 2>/dev/null || true; done
    ip link del trib-br0 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cleanup; mkdir -p "$work"

echo "== 3 namespaces, veth links to bridge trib-br0 (10.77.0.0/24)"
ip link add trib-br0 type bridge
ip addr add 10.77.0.1/24 dev trib-br0
ip link set trib-br0 up
for i in 1 2 3; do
    ip netns add "trib-ns$i"
    ip link add "trib-v$i" type veth peer name eth0 netns "trib-ns$i"
    ip link set "trib-v$i" master trib-br0 up
    ip -n "trib-ns$i" addr add "10.77.0.1$i/24" dev eth0
    ip -n "trib-ns$i" link set eth0 up
    ip -n "trib-ns$i" link set lo up
    echo "trib-ns$i: $(ip -n "trib-ns$i" -brief addr show eth0)"
done
ip netns exec trib-ns1 ip route get 10.77.0.13

# The rsh agent: `agent [ssh-style options] <host> <command…>` → the command inside the host's namespace.
cat > "$work/agent.sh" <<'AGENT'
#!/usr/bin/env bash
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
host="$1"; shift
exec ip netns exec "trib-ns${host##*.1}" /bin/sh -c "$*"
AGENT
chmod +x "$work/agent.sh"
printf '10.77.0.11 slots=1\n10.77.0.12 slots=1\n10.77.0.13 slots=1\n' > "$work/hosts"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpi=(mpirun -np 3 --hostfile "$work/hosts" --map-by node --bind-to none
     --mca plm_rsh_agent "$work/agent.sh" --mca plm_rsh_no_tree_spawn 1
     --mca oob_tcp_if_include 10.77.0.0/24 --mca btl_tcp_if_include 10.77.0.0/24 --mca btl tcp,self
     -x OPENBLAS_NUM_THREADS -x PATH)
[ -z "${LD_LIBRARY_PATH:-}" ] || mpi+=(-x LD_LIBRARY_PATH)

echo "== where each rank runs (its namespace's address)"
"${mpi[@]}" /bin/sh -c 'echo "rank $OMPI_COMM_WORLD_RANK: $(ip -brief addr show eth0 | tr -s " ")"' | sort

echo "== tributary selftest on 3 ranks, one per namespace, over TCP"
"${mpi[@]}" "$bin" selftest

# The pipeline smoke test: tiny synthetic images and a tiny text corpus.
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
words = {'sport': 'goal match team player score win'.split(), 'tech': 'computer software chip network data code'.split(),
         'food': 'bread cheese wine apple soup salt'.split()}
state = 1
with open(f'{w}/texts.csv', 'w') as f:
    f.write('text,label\n')
    for i in range(60):
        c = list(words)[i % 3]
        line = []
        for _ in range(8):
            state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
            line.append(words[c][(state >> 33) % 6])
        f.write(' '.join(line) + ',' + c + '\n')
for name in ['smoke']:
    open(f'{w}/{name}.json', 'w').write('''{"out": "%s/out", "title": "netns smoke test",
 "datasets": {"img": {"kind": "synthetic", "count": 24, "width": 32, "height": 32, "seed": 3},
              "txt": {"kind": "csv", "data": "%s/texts.csv"}},
 "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 4, "pca_dims": 8, "sample_size": 2000, "iterations": 5, "chunk_size": 4}},
  {"name": "split", "type": "split", "inputs": {"fv": "fv"}},
  {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"}},
  {"name": "lstm", "type": "train-text", "dataset": "txt", "params": {"epochs": 2, "batch_size": 12, "embedding_size": 8, "hidden_size": 6, "context_size": 5, "min_count": 1}},
  {"name": "embed", "type": "embed", "dataset": "txt", "inputs": {"model": "lstm"}},
  {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4}},
  {"name": "query", "type": "query", "inputs": {"index": "index", "queries": "embed"}, "params": {"neighbours": 3, "exclude_self": true}}]}''' % (w, w))
PY
echo "== tributary run (pipeline smoke test) on 3 ranks across the namespaces"
"${mpi[@]}" "$bin" run "$work/smoke.json"
"$bin" status "$work/smoke.json" --ranks 3
mv "$work/out/run-manifest.json" "$work/multi.json"; rm -rf "$work/out"
echo "== the same pipeline on 1 rank, locally, in the same folder (outputs record their input paths)"
"$bin" run "$work/smoke.json" --quiet
mv "$work/out/run-manifest.json" "$work/single.json"
echo "== content hashes of the outputs, 3 ranks (TCP across namespaces) vs 1 rank"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
m = {n: json.load(open(f'{w}/{n}.json'))['stages'] for n in ['multi', 'single']}
same = True
for stage in ['fv', 'split', 'svm', 'lstm', 'embed', 'index', 'query']:
    a, b = m['multi'][stage]['outputs'], m['single'][stage]['outputs']
    equal = a == b
    print(f'{stage:6s} {"equal" if equal else "differ"}  ' + ', '.join(f'{k} {v[:12]}' for k, v in sorted(a.items())))
    if stage in ('fv', 'split'): same = same and equal
print('rank-count-independent outputs (fv.h5, images.csv) equal:', same)
sys.exit(0 if same else 1)
PY

#!/usr/bin/env bash
# infusion-ablation.sh: issue 19 item 3 in one `tributary run` with a "repeat" block — BBC Sport (target) ← BBC
# (source), per (seed, fold): bi-LSTM baseline ("lstm"), the continued-training control ("longer": the same
# bi-LSTM trained EPOCHS + INFUSED_EPOCHS epochs), instance-infused bi-LSTM with LSH Forest retrieval ("lsh") and
# with exact retrieval over the same source rows ("exact"), and with a deliberately weak forest ("weak": L 4 trees,
# c 2 candidates per tree, so its answers are not exact) as a check that the comparison can see a retrieval loss;
# the source encoder, its embeddings and both indexes run once (shared). The aggregate (mean ± std, 95 % intervals, paired t and Wilcoxon, verdicts) has the rows
# infused vs baseline, infused vs control and exact vs LSH (docs/results.md § Exact vs LSH retrieval over seeds × folds).
#
#   experiments/infusion-ablation.sh [OUT]      (default out/infusion-ablation; writes OUT/config.json, runs it)
#
# Knobs (environment): SEEDS ("0, 1, 2"), FOLDS (10: all folds of 10; or a list such as '"1/10", "2/10"'),
# LIMIT (300 BBC Sport documents), SOURCE_LIMIT (600 BBC documents), EPOCHS (6), INFUSED_EPOCHS (2), EMB (32),
# HID (16), CTX (16), MAXLEN (120), NP (1 rank), DATA (../shared/data), TRIBUTARY (.build/release/tributary),
# RUN_FLAGS (extra `tributary run` flags, e.g. "--one-rank-per-repetition" with NP=2: rank k runs repetitions
# r ≡ k mod 2, each a 1-rank run with the bits of NP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/infusion-ablation}
SEEDS=${SEEDS:-"0, 1, 2"}; FOLDS=${FOLDS:-10}; LIMIT=${LIMIT:-300}; SOURCE_LIMIT=${SOURCE_LIMIT:-600}
EPOCHS=${EPOCHS:-6}; INFUSED_EPOCHS=${INFUSED_EPOCHS:-2}
EMB=${EMB:-32}; HID=${HID:-16}; CTX=${CTX:-16}; MAXLEN=${MAXLEN:-120}; NP=${NP:-1}
DATA=${DATA:-${TRIBUTARY_SHARED_DATA:-../shared/data}}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
[ -x "$TRIBUTARY" ] || { echo "infusion-ablation.sh: no tributary at $TRIBUTARY; swift build -c release, or set TRIBUTARY" >&2; exit 2; }
case $FOLDS in *[!0-9]*) folds="[$FOLDS]" ;; *) folds=$FOLDS ;; esac
mkdir -p "$OUT"
data=$(cd "$DATA" && pwd)
sizes="\"embedding_size\": $EMB, \"hidden_size\": $HID, \"context_size\": $CTX, \"max_length\": $MAXLEN, \"batch_size\": 16"
infused="\"epochs\": $INFUSED_EPOCHS, \"batch_size\": 16, \"neighbours\": 5"
cat > "$OUT/config.json" <<JSON
{"out": ".", "title": "BBC Sport ← BBC: bi-LSTM, continued-training control, infused with LSH and with exact retrieval",
 "datasets": {"sport": {"kind": "bbcsport", "data": "$data/bbcsport/bbcsport.tar.gz", "limit": $LIMIT},
              "bbc": {"kind": "bbc", "data": "$data/bbc/bbc.tar.gz", "limit": $SOURCE_LIMIT}},
 "repeat": {"seeds": [$SEEDS], "folds": $folds, "shared": ["src", "srcembed", "srcindex", "weakindex"],
            "compare": [{"method": "lsh.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "exact.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "lsh.accuracy", "baseline": "longer.accuracy"},
                        {"method": "exact.accuracy", "baseline": "longer.accuracy"},
                        {"method": "longer.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "exact.accuracy", "baseline": "lsh.accuracy"},
                        {"method": "exact.macro_f1", "baseline": "lsh.macro_f1"},
                        {"method": "weak.accuracy", "baseline": "exact.accuracy"}]},
 "stages": [
   {"name": "src", "type": "train-text", "dataset": "bbc",
    "params": {"epochs": $EPOCHS, "min_count": 1, "test_fraction": 0.1, $sizes}},
   {"name": "srcembed", "type": "embed", "dataset": "bbc", "inputs": {"model": "src"}},
   {"name": "srcindex", "type": "index", "inputs": {"embeddings": "srcembed"}},
   {"name": "weakindex", "type": "index", "inputs": {"embeddings": "srcembed"}, "params": {"trees": 4, "candidates_per_tree": 2}},
   {"name": "lstm", "type": "train-text", "dataset": "sport", "params": {"epochs": $EPOCHS, "min_count": 1, $sizes}},
   {"name": "longer", "type": "train-text", "dataset": "sport",
    "params": {"epochs": $((EPOCHS + INFUSED_EPOCHS)), "min_count": 1, $sizes}},
   {"name": "lsh", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "srcindex"},
    "params": {$infused, "retrieval": "lsh"}},
   {"name": "exact", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "srcindex"},
    "params": {$infused, "retrieval": "exact"}},
   {"name": "weak", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "weakindex"},
    "params": {$infused, "retrieval": "lsh"}}
 ]}
JSON
if [ "$NP" -gt 1 ]; then TRIBUTARY_BIN="$TRIBUTARY" bash launch/run.sh -n "$NP" --threads 1 --bind none -- run "$OUT/config.json" --progress none ${RUN_FLAGS:-}
else "$TRIBUTARY" run "$OUT/config.json" --progress none ${RUN_FLAGS:-}; fi
cat "$OUT/aggregate.md"

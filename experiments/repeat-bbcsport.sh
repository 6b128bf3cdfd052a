#!/usr/bin/env bash
# repeat-bbcsport.sh: seeds × folds inside the tool — one `tributary run` of a config with a "repeat" block on
# BBC Sport: bi-LSTM (train-text) → embed → LSH index → instance-infused bi-LSTM (the corpus is its own source,
# a document's own row excluded), per (seed, fold); then the statistics over the repetitions and the paired test
# "infused vs bi-LSTM" (docs/results.md § Repetition and statistics in the runner).
#
#   experiments/repeat-bbcsport.sh [OUT]        (default out/repeat-bbcsport; writes OUT/config.json and runs it)
#
# Knobs (environment): SEEDS ("0, 1"), K (3: all K folds), LIMIT (300 documents), EPOCHS (6), INFUSED_EPOCHS (2),
# EMB (32), HID (16), CTX (16), MAXLEN (120), NP (1 rank), DATA (../shared/data), TRIBUTARY (.build/release/tributary).
# The infused model starts from the bi-LSTM and trains INFUSED_EPOCHS more, so the config also trains the
# control: the bi-LSTM with the same seed and fold for EPOCHS + INFUSED_EPOCHS epochs ("longer"). "infused vs
# lstm" then measures infusion + extra epochs, "infused vs longer" infusion against as much training (issue 19).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/repeat-bbcsport}
SEEDS=${SEEDS:-"0, 1"}; K=${K:-3}; LIMIT=${LIMIT:-300}; EPOCHS=${EPOCHS:-6}; INFUSED_EPOCHS=${INFUSED_EPOCHS:-2}
EMB=${EMB:-32}; HID=${HID:-16}; CTX=${CTX:-16}; MAXLEN=${MAXLEN:-120}; NP=${NP:-1}
DATA=${DATA:-${TRIBUTARY_SHARED_DATA:-../shared/data}}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
[ -x "$TRIBUTARY" ] || { echo "repeat-bbcsport.sh: no tributary at $TRIBUTARY; swift build -c release, or set TRIBUTARY" >&2; exit 2; }
mkdir -p "$OUT"
data="$(cd "$DATA" && pwd)/bbcsport/bbcsport.tar.gz"
sizes="\"embedding_size\": $EMB, \"hidden_size\": $HID, \"context_size\": $CTX, \"max_length\": $MAXLEN, \"batch_size\": 16"
cat > "$OUT/config.json" <<JSON
{"out": ".", "title": "BBC Sport: bi-LSTM vs instance-infused bi-LSTM over seeds × folds",
 "datasets": {"sport": {"kind": "bbcsport", "data": "$data", "limit": $LIMIT}},
 "repeat": {"seeds": [$SEEDS], "folds": $K,
            "compare": [{"method": "infused.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "infused.accuracy", "baseline": "longer.accuracy"},
                        {"method": "longer.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "infused.macro_f1", "baseline": "longer.macro_f1"}]},
 "stages": [
   {"name": "lstm", "type": "train-text", "dataset": "sport", "params": {"epochs": $EPOCHS, "min_count": 1, $sizes}},
   {"name": "longer", "type": "train-text", "dataset": "sport",
    "params": {"epochs": $((EPOCHS + INFUSED_EPOCHS)), "min_count": 1, $sizes}},
   {"name": "embed", "type": "embed", "dataset": "sport", "inputs": {"model": "lstm"}},
   {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 8}},
   {"name": "infused", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "index"},
    "params": {"epochs": $INFUSED_EPOCHS, "batch_size": 16, "neighbours": 5, "exclude_self": true}}
 ]}
JSON
if [ "$NP" -gt 1 ]; then TRIBUTARY_BIN="$TRIBUTARY" bash launch/run.sh -n "$NP" --threads 1 --bind none -- run "$OUT/config.json" --progress none
else "$TRIBUTARY" run "$OUT/config.json" --progress none; fi
cat "$OUT/aggregate.md"

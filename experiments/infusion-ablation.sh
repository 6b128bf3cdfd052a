#!/usr/bin/env bash
# infusion-ablation.sh: issue 19 item 3 in one `tributary run` with a "repeat" block — BBC Sport (target) ← BBC
# (source), per (seed, fold). The source encoder, its embeddings and its index(es) run once (shared). Two row sets:
#
#   TABLE=ablation (default): bi-LSTM baseline ("lstm"), the continued-training control ("longer": the same
#     bi-LSTM trained EPOCHS + INFUSED_EPOCHS epochs), instance-infused bi-LSTM (λ = PENALTY) with LSH Forest
#     retrieval ("lsh") and with exact retrieval over the same source rows ("exact"), and with a deliberately weak
#     forest ("weak": L 4 trees, c 2 candidates per tree, so its answers are not exact) as a check that the
#     comparison can see a retrieval loss. Rows compared: infused vs baseline, infused vs control, exact vs LSH
#     (docs/results.md § Exact vs LSH retrieval over seeds × folds).
#   TABLE=table1: the paper's Table 1 rows with the control: "lstm", "control" (the same bi-LSTM — same seed, fold
#     and initialisation — trained EPOCHS + INFUSED_EPOCHS epochs: its first EPOCHS epochs are lstm's, the rest
#     are as many steps as the infused runs take), "infused" (λ = 0) and "penalty" (λ = PENALTY), both started
#     from lstm's model; paired rows infused vs lstm, infused vs control, penalty vs lstm, penalty vs control,
#     control vs lstm (docs/results.md § Table 1 at Table 3's sizes over seeds × folds (issue 19)).
#
#   experiments/infusion-ablation.sh [OUT]      (default out/infusion-ablation; writes OUT/config.json, runs it)
#
# Knobs (environment): TABLE (ablation), SEEDS ("0, 1, 2"), FOLDS (10: all folds of 10; or a list such as
# '"1/10", "2/10"'), LIMIT (300 BBC Sport documents; "all": every document), SOURCE_LIMIT (600 BBC documents;
# "all"), EPOCHS (6), INFUSED_EPOCHS (2), SOURCE_EPOCHS (EPOCHS), EMB (32), HID (16), CTX (16), MAXLEN (120),
# VOCAB (30000), MIN_COUNT (1), BATCH (16), SOURCE_BATCH (BATCH), PENALTY (1e-4), NP (1 rank), DATA
# (../shared/data), TRIBUTARY (.build/release/tributary), RUN_FLAGS (extra `tributary run` flags, e.g.
# "--one-rank-per-repetition" with NP=2: rank k runs repetitions r ≡ k mod 2, each a 1-rank run with the bits of
# NP=1). Table 3's sizes for BBC Sport ← BBC (docs/results.md gives the command): TABLE=table1 LIMIT=all
# SOURCE_LIMIT=all EMB=300 HID=128 CTX=50 MAXLEN=200 MIN_COUNT=2 EPOCHS=20 INFUSED_EPOCHS=10 SOURCE_BATCH=32.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/infusion-ablation}
SEEDS=${SEEDS:-"0, 1, 2"}; FOLDS=${FOLDS:-10}; LIMIT=${LIMIT:-300}; SOURCE_LIMIT=${SOURCE_LIMIT:-600}
EPOCHS=${EPOCHS:-6}; INFUSED_EPOCHS=${INFUSED_EPOCHS:-2}
SOURCE_EPOCHS=${SOURCE_EPOCHS:-$EPOCHS}; TABLE=${TABLE:-ablation}; PENALTY=${PENALTY:-1e-4}
EMB=${EMB:-32}; HID=${HID:-16}; CTX=${CTX:-16}; MAXLEN=${MAXLEN:-120}; VOCAB=${VOCAB:-30000}; NP=${NP:-1}
MIN_COUNT=${MIN_COUNT:-1}; BATCH=${BATCH:-16}; SOURCE_BATCH=${SOURCE_BATCH:-$BATCH}
DATA=${DATA:-${TRIBUTARY_SHARED_DATA:-../shared/data}}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
[ -x "$TRIBUTARY" ] || { echo "infusion-ablation.sh: no tributary at $TRIBUTARY; swift build -c release, or set TRIBUTARY" >&2; exit 2; }
case $FOLDS in *[!0-9]*) folds="[$FOLDS]" ;; *) folds=$FOLDS ;; esac
limit() { [ "$1" = all ] || printf ', "limit": %s' "$1"; }  # limit N → the dataset's "limit" entry ("all": none)
mkdir -p "$OUT"
data=$(cd "$DATA" && pwd)
model="\"embedding_size\": $EMB, \"hidden_size\": $HID, \"context_size\": $CTX, \"max_length\": $MAXLEN, \"vocab_size\": $VOCAB, \"min_count\": $MIN_COUNT"
sizes="$model, \"batch_size\": $BATCH"
infused="\"epochs\": $INFUSED_EPOCHS, \"batch_size\": $BATCH, \"neighbours\": 5"
datasets="\"sport\": {\"kind\": \"bbcsport\", \"data\": \"$data/bbcsport/bbcsport.tar.gz\"$(limit "$LIMIT")},
              \"bbc\": {\"kind\": \"bbc\", \"data\": \"$data/bbc/bbc.tar.gz\"$(limit "$SOURCE_LIMIT")}"
source="{\"name\": \"src\", \"type\": \"train-text\", \"dataset\": \"bbc\",
    \"params\": {\"epochs\": $SOURCE_EPOCHS, \"test_fraction\": 0.1, $model, \"batch_size\": $SOURCE_BATCH}},
   {\"name\": \"srcembed\", \"type\": \"embed\", \"dataset\": \"bbc\", \"inputs\": {\"model\": \"src\"}},
   {\"name\": \"srcindex\", \"type\": \"index\", \"inputs\": {\"embeddings\": \"srcembed\"}}"
case $TABLE in
ablation)
cat > "$OUT/config.json" <<JSON
{"out": ".", "title": "BBC Sport ← BBC: bi-LSTM, continued-training control, infused with LSH and with exact retrieval",
 "datasets": {$datasets},
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
   $source,
   {"name": "weakindex", "type": "index", "inputs": {"embeddings": "srcembed"}, "params": {"trees": 4, "candidates_per_tree": 2}},
   {"name": "lstm", "type": "train-text", "dataset": "sport", "params": {"epochs": $EPOCHS, $sizes}},
   {"name": "longer", "type": "train-text", "dataset": "sport",
    "params": {"epochs": $((EPOCHS + INFUSED_EPOCHS)), $sizes}},
   {"name": "lsh", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "srcindex"},
    "params": {$infused, "penalty": $PENALTY, "retrieval": "lsh"}},
   {"name": "exact", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "srcindex"},
    "params": {$infused, "penalty": $PENALTY, "retrieval": "exact"}},
   {"name": "weak", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "weakindex"},
    "params": {$infused, "penalty": $PENALTY, "retrieval": "lsh"}}
 ]}
JSON
;;
table1)
cat > "$OUT/config.json" <<JSON
{"out": ".", "title": "BBC Sport ← BBC (Table 1 with the continued-training control): bi-LSTM, control, infused, infused + penalty",
 "datasets": {$datasets},
 "repeat": {"seeds": [$SEEDS], "folds": $folds, "shared": ["src", "srcembed", "srcindex"],
            "compare": [{"method": "infused.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "infused.accuracy", "baseline": "control.accuracy"},
                        {"method": "penalty.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "penalty.accuracy", "baseline": "control.accuracy"},
                        {"method": "control.accuracy", "baseline": "lstm.accuracy"},
                        {"method": "infused.macro_f1", "baseline": "lstm.macro_f1"},
                        {"method": "penalty.macro_f1", "baseline": "lstm.macro_f1"}]},
 "stages": [
   $source,
   {"name": "lstm", "type": "train-text", "dataset": "sport", "params": {"epochs": $EPOCHS, $sizes}},
   {"name": "control", "type": "train-text", "dataset": "sport",
    "params": {"epochs": $((EPOCHS + INFUSED_EPOCHS)), $sizes}},
   {"name": "infused", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "srcindex"},
    "params": {$infused, "penalty": 0}},
   {"name": "penalty", "type": "train-infused", "dataset": "sport", "inputs": {"model": "lstm", "index": "srcindex"},
    "params": {$infused, "penalty": $PENALTY}}
 ]}
JSON
;;
*) echo "infusion-ablation.sh: TABLE must be ablation or table1, not '$TABLE'" >&2; exit 2 ;;
esac
if [ "$NP" -gt 1 ]; then TRIBUTARY_BIN="$TRIBUTARY" bash launch/run.sh -n "$NP" --threads 1 --bind none -- run "$OUT/config.json" --progress none ${RUN_FLAGS:-}
else "$TRIBUTARY" run "$OUT/config.json" --progress none ${RUN_FLAGS:-}; fi
cat "$OUT/aggregate.md"

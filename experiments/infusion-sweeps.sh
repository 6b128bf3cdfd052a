#!/usr/bin/env bash
# infusion-sweeps.sh: issue 19 item 3, the rest of the infusion ablations, in one `tributary run` with a "repeat"
# block — BBC Sport (target) ← BBC (source) at infusion-ablation.sh's reduced sizes. Per (seed, fold): the bi-LSTM
# baseline ("lstm"), the continued-training control ("longer": the same bi-LSTM for EPOCHS + INFUSED_EPOCHS
# epochs), and infused runs from "lstm" (INFUSED_EPOCHS more epochs, exact retrieval over the same 600 source rows
# so no forest rounding enters):
#   inf      the defaults: k 5, λ 1e-4, neighbours refreshed after every epoch, source vectors from BBC's own bi-LSTM
#   step     the same, neighbours refreshed before every step from the encoder after the previous step
#            (`refresh_unit: steps`)
#   tgtenc   the same, source vectors from the TARGET's encoder: BBC re-embedded with "lstm" ("tgtembed" →
#            "tgtindex", per repetition) instead of BBC's own bi-LSTM ("srcembed" → "srcindex", shared)
#   lam0, lam1e-2, lam1     λ = 0, 1e-2, 1 (inf is λ = 1e-4)
#   k1, k20                 k = 1, 20 (inf is k = 5)
# The aggregate (mean ± std, 95 % intervals, paired t and Wilcoxon, verdicts) compares every infused run with the
# bi-LSTM and with the control, and step and tgtenc with inf (docs/results.md § Refresh, source encoder, λ and k).
#
#   experiments/infusion-sweeps.sh [OUT]      (default out/infusion-sweeps; writes OUT/config.json, runs it)
#
# Knobs (environment): SEEDS ("0, 1, 2"), FOLDS (10: all folds of 10; or a list such as '"1/10", "2/10"'),
# LIMIT (300 BBC Sport documents), SOURCE_LIMIT (600 BBC documents), EPOCHS (6), INFUSED_EPOCHS (2), EMB (32),
# HID (16), CTX (16), MAXLEN (120), NP (1 rank), DATA (../shared/data), TRIBUTARY (.build/release/tributary),
# RUN_FLAGS (extra `tributary run` flags, e.g. "--one-rank-per-repetition" with NP=2: the shared stages run once on
# both ranks, then rank k runs repetitions r ≡ k mod 2 alone).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/infusion-sweeps}
SEEDS=${SEEDS:-"0, 1, 2"}; FOLDS=${FOLDS:-10}; LIMIT=${LIMIT:-300}; SOURCE_LIMIT=${SOURCE_LIMIT:-600}
EPOCHS=${EPOCHS:-6}; INFUSED_EPOCHS=${INFUSED_EPOCHS:-2}
EMB=${EMB:-32}; HID=${HID:-16}; CTX=${CTX:-16}; MAXLEN=${MAXLEN:-120}; NP=${NP:-1}
DATA=${DATA:-${TRIBUTARY_SHARED_DATA:-../shared/data}}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
[ -x "$TRIBUTARY" ] || { echo "infusion-sweeps.sh: no tributary at $TRIBUTARY; swift build -c release, or set TRIBUTARY" >&2; exit 2; }
case $FOLDS in *[!0-9]*) folds="[$FOLDS]" ;; *) folds=$FOLDS ;; esac
mkdir -p "$OUT"
data=$(cd "$DATA" && pwd)
sizes="\"embedding_size\": $EMB, \"hidden_size\": $HID, \"context_size\": $CTX, \"max_length\": $MAXLEN, \"batch_size\": 16"
infused="\"epochs\": $INFUSED_EPOCHS, \"batch_size\": 16, \"retrieval\": \"exact\""
methods="inf step tgtenc lam0 lam1e-2 lam1 k1 k20"
compare=""
for m in $methods; do
  compare+="{\"method\": \"$m.accuracy\", \"baseline\": \"lstm.accuracy\"}, {\"method\": \"$m.accuracy\", \"baseline\": \"longer.accuracy\"}, "
done
compare+="{\"method\": \"step.accuracy\", \"baseline\": \"inf.accuracy\"}, {\"method\": \"tgtenc.accuracy\", \"baseline\": \"inf.accuracy\"}, "
compare+="{\"method\": \"longer.accuracy\", \"baseline\": \"lstm.accuracy\"}"
stage() {  # name, params of a train-infused stage over index $3 (default srcindex)
  echo "{\"name\": \"$1\", \"type\": \"train-infused\", \"dataset\": \"sport\", \"inputs\": {\"model\": \"lstm\", \"index\": \"${3:-srcindex}\"}, \"params\": {$infused, $2}},"
}
cat > "$OUT/config.json" <<JSON
{"out": ".", "title": "BBC Sport ← BBC: refresh per step, source encoder, λ and k (infused vs bi-LSTM and vs continued training)",
 "datasets": {"sport": {"kind": "bbcsport", "data": "$data/bbcsport/bbcsport.tar.gz", "limit": $LIMIT},
              "bbc": {"kind": "bbc", "data": "$data/bbc/bbc.tar.gz", "limit": $SOURCE_LIMIT}},
 "repeat": {"seeds": [$SEEDS], "folds": $folds, "shared": ["src", "srcembed", "srcindex"], "compare": [$compare]},
 "stages": [
   {"name": "src", "type": "train-text", "dataset": "bbc",
    "params": {"epochs": $EPOCHS, "min_count": 1, "test_fraction": 0.1, $sizes}},
   {"name": "srcembed", "type": "embed", "dataset": "bbc", "inputs": {"model": "src"}},
   {"name": "srcindex", "type": "index", "inputs": {"embeddings": "srcembed"}},
   {"name": "lstm", "type": "train-text", "dataset": "sport", "params": {"epochs": $EPOCHS, "min_count": 1, $sizes}},
   {"name": "longer", "type": "train-text", "dataset": "sport",
    "params": {"epochs": $((EPOCHS + INFUSED_EPOCHS)), "min_count": 1, $sizes}},
   {"name": "tgtembed", "type": "embed", "dataset": "bbc", "params": {"classes": "corpus"}, "inputs": {"model": "lstm"}},
   {"name": "tgtindex", "type": "index", "inputs": {"embeddings": "tgtembed"}},
   $(stage inf '"neighbours": 5, "penalty": 1e-4')
   $(stage step '"neighbours": 5, "penalty": 1e-4, "refresh_unit": "steps"')
   $(stage tgtenc '"neighbours": 5, "penalty": 1e-4' tgtindex)
   $(stage lam0 '"neighbours": 5, "penalty": 0')
   $(stage lam1e-2 '"neighbours": 5, "penalty": 1e-2')
   $(stage lam1 '"neighbours": 5, "penalty": 1')
   $(stage k1 '"neighbours": 1, "penalty": 1e-4')
   $(stage k20 '"neighbours": 20, "penalty": 1e-4' | sed 's/,$//')
 ]}
JSON
if [ "$NP" -gt 1 ]; then TRIBUTARY_BIN="$TRIBUTARY" bash launch/run.sh -n "$NP" --threads 1 --bind none -- run "$OUT/config.json" --progress none ${RUN_FLAGS:-}
else "$TRIBUTARY" run "$OUT/config.json" --progress none ${RUN_FLAGS:-}; fi
cat "$OUT/aggregate.md"

#!/usr/bin/env bash
# python-smoke.sh: the artifacts read from Python (python/tributary_io.py, h5py + NumPy) give back what Tributary
# reported, and scikit-learn reproduces it.
#
#   Tests/smoke/python-smoke.sh [WORK_DIR]        (default: a new temporary folder, removed on success; see lib.sh)
#
# 1. `tributary run` of a small pipeline with -np 2: Fisher vectors of 400 Fashion-MNIST images → split → SVM
#    (early and late fusion) and the label-graph decoder; a bi-LSTM on a generated 3-class corpus → embed → index →
#    query and instance infusion.
# 2. Tests/python/test_tributary_io.py on its outputs (/usr/bin/python3 with python3-h5py, python3-numpy and
#    python3-sklearn): the models' weights reproduce scores.h5, scikit-learn's AP of those scores is eval.h5's,
#    a LinearSVC (LIBLINEAR's solver) trained on the stored training rows gets eval.h5's mAP within 0.02, the
#    text model's named tensors applied to the embeddings' test rows give model.h5's test accuracy, and a copy of
#    fv.h5 without its .parts folder is refused (MissingPartError), not read as zeros, every dataset and root
#    attribute of every HDF5 file of the run is listed in docs/artifacts.md, and every trainer's stored split is
#    a partition: annotate's train / test ids (and, with select_on validation, validation ⊂ train; so for train-text), train-text's
#    train / test (held-out fraction, and fold 2/3: train ∪ test = every document), train-infused's (= the
#    model's), train-paths' fine / coarse / test (= the manifest's rows, dresses dropped from coarse).
# 3. The job-array recipe (launch/slurm-array.sbatch): the same pipeline with its stage seeds replaced by a
#    "repeat" block over seeds 0 and 7 parses, names no missing input, lists its 2 repetitions in `status`, and
#    `run --aggregate` before any repetition is refused, naming `--repetition 0`.
# SKIP without dataset-fashion-mnist or python3-sklearn.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" python-smoke "${1:-}"
fmnist=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -f "$fmnist" ] || skip "$fmnist missing: apt-get install dataset-fashion-mnist, or run launch/install-deps.sh"
"$python" -c "import sklearn, h5py" 2>/dev/null || skip "$python lacks sklearn or h5py: apt-get install python3-sklearn python3-h5py"

corpus "$work/corpus.csv" 600 5
cat > "$work/pipeline.json" <<JSON
{
  "out": "$work/out",
  "datasets": {
    "fashion": {"kind": "fashion-mnist", "split": "train", "limit": 400, "subset_seed": 2},
    "texts": {"kind": "csv", "data": "$work/corpus.csv"}
  },
  "stages": [
    {"name": "fv", "type": "fisher", "dataset": "fashion",
     "params": {"pca_dims": 16, "components": 8, "sample_size": 5000, "iterations": 10, "chunk_size": 32, "seed": 0}},
    {"name": "split", "type": "split", "inputs": {"fv": "fv"}, "params": {"test_fraction": 0.3, "seed": 0}},
    {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"},
     "params": {"runs": ["svm-late-visual", "svm-early-visual"], "cost": 1.0}},
    {"name": "svm-select", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"},
     "params": {"runs": ["svm-early-visual"], "select_on": "validation", "svm_costs": [0.1, 1.0], "validation_fraction": 0.25}},
    {"name": "lstm", "type": "train-text", "dataset": "texts",
     "params": {"epochs": 1, "batch_size": 32, "max_length": 20, "embedding_size": 8, "hidden_size": 4, "learning_rate": 0.01,
                "context_size": 4, "test_fraction": 0.2, "seed": 0}},
    {"name": "lstm-fold", "type": "train-text", "dataset": "texts",
     "params": {"epochs": 1, "batch_size": 32, "max_length": 20, "embedding_size": 8, "hidden_size": 4, "learning_rate": 0.01,
                "context_size": 4, "fold": "2/3", "seed": 0}},
    {"name": "lstm-select", "type": "train-text", "dataset": "texts",
     "params": {"epochs": 3, "batch_size": 32, "max_length": 20, "embedding_size": 8, "hidden_size": 4, "context_size": 4,
                "test_fraction": 0.2, "seed": 0, "select_on": "validation", "learning_rates": [0.003, 0.03],
                "early_stopping_patience": 1, "validation_fraction": 0.25}},
    {"name": "embed", "type": "embed", "dataset": "texts", "inputs": {"model": "lstm"}},
    {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4, "seed": 0}},
    {"name": "query", "type": "query", "inputs": {"index": "index", "queries": "embed"},
     "params": {"neighbours": 3, "exclude_self": true}},
    {"name": "infused", "type": "train-infused", "dataset": "texts", "inputs": {"model": "lstm", "index": "index"},
     "params": {"epochs": 1, "batch_size": 32, "learning_rate": 0.01, "neighbours": 3, "exclude_self": true,
                "test_fraction": 0.2, "seed": 0}},
    {"name": "paths", "type": "train-paths", "dataset": "fashion", "inputs": {"fv": "fv", "manifest": "split"},
     "params": {"graph": "$root/data/label-graphs/fashion-mnist.graph",
                "fine_map": "$root/data/label-graphs/fashion-mnist.classes.csv",
                "coarse_map": "$root/data/label-graphs/fashion-coarse.classes.csv", "fine_fraction": 0.25,
                "method": "label-aug", "epochs": 2, "batch_size": 32, "learning_rate": 0.001, "seed": 0}}
  ]
}
JSON
say "-np 2 run → $work/out"
ranks 2 run "$work/pipeline.json" --progress none > "$work/run.log"
say "a repeat config (seeds 0 and 7) of the same pipeline: status lists the repetitions, --aggregate waits for them"
"$python" - "$work/pipeline.json" "$work/repeat.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["out"] = config["out"] + "-repeat"
for stage in config["stages"]:
    stage.get("params", {}).pop("seed", None)  # the repeat block sets every stage's seed
config["repeat"] = {"seeds": [0, 7]}
json.dump(config, open(sys.argv[2], "w"), indent=1)
PY
"$bin" status "$work/repeat.json" > "$work/repeat-status.log" || fail "status of the repeat config failed: $(cat "$work/repeat-status.log")"
grep -q "missing input" "$work/repeat-status.log" && fail "the repeat config names missing inputs: $(cat "$work/repeat-status.log")"
grep -q "2 repetitions" "$work/repeat-status.log" && grep -q "repetition 1 (seed 7, rep-seed7)" "$work/repeat-status.log" \
    || fail "status does not list the 2 repetitions: $(cat "$work/repeat-status.log")"
if "$bin" run "$work/repeat.json" --aggregate > "$work/repeat-aggregate.log" 2>&1; then fail "--aggregate before any repetition succeeded"; fi
grep -q -- "--repetition 0" "$work/repeat-aggregate.log" || fail "--aggregate does not name the missing repetitions: $(cat "$work/repeat-aggregate.log")"
say "Tests/python/test_tributary_io.py"
"$python" "$root/Tests/python/test_tributary_io.py" "$work/out" || fail "the Python reader checks failed (above)"
finish

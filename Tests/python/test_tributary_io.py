"""Checks python/tributary_io.py against the outputs of Tests/smoke/python-smoke.sh's pipeline (OUT given as argv[1]).

Each check recomputes a figure Tributary reported, from the files alone, and fails on a mismatch:
  1. scores.h5 raw scores = X_test · Wᵀ + b with the weights of models.h5 (early fusion and each late block);
  2. scikit-learn's average_precision_score of those scores = eval.h5's per-concept AP and mAP;
  3. scikit-learn's LinearSVC (LIBLINEAR -s 3, C = 1, bias feature 1) trained on the manifest's training rows
     reaches eval.h5's early-fusion mAP within 0.02 (another implementation of the same objective);
  4. the text model's named tensors (classifier.W, classifier.b) on the embeddings' test rows give model.h5's
     test accuracy, and the embeddings' split matches the model's;
  5. a copy of fv.h5 without its .parts folder raises MissingPartError;
  6. every dataset and root attribute of every HDF5 file of the run is documented in docs/artifacts.md;
  7. every trainer's stored split partitions its data: annotate (train / test; validation ⊂ train after
     select_on validation; the same for train-text with its chosen lr / epochs recorded), train-text (held-out fraction; fold 2/3: train ∪ test = every document, test ≈ N/3),
     train-infused (= its model's split), train-paths (fine / coarse / test against the manifest).
"""
import glob
import re
import os
import shutil
import sys
import tempfile

import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import tributary_io as tio  # noqa: E402

out = sys.argv[1]
failures = []


def check(ok, message):
    print(("ok   " if ok else "FAIL ") + message)
    if not ok:
        failures.append(message)


fv = tio.load_fisher_vectors(f"{out}/fv/fv.h5", manifest=f"{out}/split/images.csv")
ids, concepts, truth, raw = tio.load_scores(f"{out}/svm/scores.h5")
ev = tio.load_eval(f"{out}/svm/eval.h5")
check(ev.concepts == concepts, "eval.h5 and scores.h5 list the concepts in one order")
check(concepts == [c for c in fv.class_names if c in concepts], "… which is fv.h5's class_names order")
test_rows = np.array([fv.ids.index(i) for i in ids])
check(set(fv.split[test_rows]) == {"test"}, "scores.h5 holds exactly the manifest's test rows")
names = [fv.class_names[c] for c in fv.labels[test_rows]]
check(np.array_equal(truth, np.array([[n == c for c in concepts] for n in names])),
      "scores.h5 truth = the fv.h5 labels of the test rows")

# 1. Scores from the stored weights.
import h5py  # noqa: E402
with tio.open_artifact(f"{out}/svm/models.h5") as m:
    model_concepts = tio._text(m["concepts"][()])
    w_early, b_early = m["svm/early-visual/weights"][()], m["svm/early-visual/biases"][()]
    train_ids = tio._text(m["train_ids"][()])
check(model_concepts == concepts, "models.h5 lists the concepts in scores.h5's order")
check(train_ids == [i for i, part in zip(fv.ids, fv.split) if part == "train"],
      "models.h5 train_ids = the manifest's training rows, in fv.h5 order")
x_test = fv.X[test_rows]
early = x_test @ w_early.T + b_early
check(np.allclose(early, raw["svm-early-visual"], rtol=1e-4, atol=1e-4),
      f"svm-early-visual raw scores = X·Wᵀ + b (max |Δ| {np.abs(early - raw['svm-early-visual']).max():.2e})")

# 2. AP from those scores.
for run in ev.runs:
    ap = [average_precision_score(truth[:, k], raw[run][:, k]) for k in range(len(concepts))]
    check(np.allclose(ap, ev.per_concept[run]["ap"], atol=1e-9),
          f"{run}: scikit-learn AP per concept = eval.h5 ap (mAP {np.mean(ap):.4f} vs {ev.summary[run]['mAP']:.4f})")
    check(abs(np.mean(ap) - ev.summary[run]["mAP"]) < 1e-9, f"{run}: summary['mAP'] is the mean AP")

# 3. Another implementation of the same SVM.
train_rows = np.where(fv.split == "train")[0]
x_train = fv.X[train_rows]
y_train = np.array([fv.class_names[c] for c in fv.labels[train_rows]])
scores = np.zeros_like(early)
for k, concept in enumerate(concepts):
    svc = LinearSVC(loss="hinge", C=1.0, intercept_scaling=1.0, tol=1e-4, max_iter=20000)
    svc.fit(x_train, y_train == concept)
    scores[:, k] = svc.decision_function(x_test)
sk_map = np.mean([average_precision_score(truth[:, k], scores[:, k]) for k in range(len(concepts))])
check(abs(sk_map - ev.summary["svm-early-visual"]["mAP"]) < 0.02,
      f"scikit-learn LinearSVC on the training rows: mAP {sk_map:.4f} vs Tributary "
      f"{ev.summary['svm-early-visual']['mAP']:.4f}")

# 4. Text: named tensors and the stored split.
model = tio.load_model(f"{out}/lstm/model.h5")
emb = tio.load_embeddings(f"{out}/embed/embeddings.h5")
check(model.split is not None and emb.split is not None, "model.h5 and embeddings.h5 store the split")
check(set(np.array(emb.ids)[emb.split == "test"]) == set(model.split["test"]), "embeddings.h5 split = model.h5 split")
check(sum(v.size for v in model.tensors.values()) == model.parameters.size, "the named tensors tile the parameters")
w, b = model.tensors["classifier.W"], model.tensors["classifier.b"]
test = emb.split == "test"
predicted = np.argmax(emb.X[test] @ w + b, axis=1)
accuracy = float(np.mean(predicted == emb.labels[test]))
check(abs(accuracy - model.attrs["test_accuracy"]) < 1e-9,
      f"classifier.W/b on the test embeddings: accuracy {accuracy:.4f} = model.h5 test_accuracy "
      f"{model.attrs['test_accuracy']:.4f}")

for name in ("infused/infused.h5", "paths/model.h5"):
    m = tio.load_model(f"{out}/{name}")
    check(sum(v.size for v in m.tensors.values()) == m.parameters.size and len(m.tensors) > 2,
          f"{name}: {len(m.tensors)} named tensors tile the {m.parameters.size} parameters")

# 5. A moved master without its parts.
with tempfile.TemporaryDirectory() as tmp:
    shutil.copy(f"{out}/fv/fv.h5", tmp)
    try:
        tio.load_fisher_vectors(f"{tmp}/fv.h5")
        check(False, "fv.h5 without .parts is refused")
    except tio.MissingPartError as e:
        check("does not exist" in str(e) and "tributary pack" in str(e), f"fv.h5 without .parts is refused: {e}")

# 7. Every split, in the artifacts that depend on it.
def disjoint(*parts):
    seen = set()
    for p in parts:
        if seen & set(p):
            return False
        seen |= set(p)
    return True


manifest_train = [i for i, part in zip(fv.ids, fv.split) if part == "train"]
manifest_test = [i for i, part in zip(fv.ids, fv.split) if part == "test"]
am = tio.load_annotation_models(f"{out}/svm/models.h5")
check(am.train_ids == manifest_train and am.test_ids == manifest_test and am.validation_ids == [],
      f"models.h5: train_ids / test_ids = the manifest's {len(manifest_train)} / {len(manifest_test)} rows, no validation")
sel = tio.load_annotation_models(f"{out}/svm-select/models.h5")
check(sel.attrs.get("select_on") == "validation" and len(sel.validation_ids) > 0
      and set(sel.validation_ids) <= set(sel.train_ids) and disjoint(sel.train_ids, sel.test_ids)
      and set(sel.train_ids) | set(sel.test_ids) == set(fv.ids),
      f"select_on validation models.h5: {len(sel.validation_ids)} validation ids ⊂ train, validation ∩ test = ∅, "
      f"train ∪ test = all {len(fv.ids)} images")
frac = len(sel.validation_ids) / len(sel.train_ids)
check(abs(frac - 0.25) < 0.05, f"… the validation ids are {frac:.3f} of the training rows (validation_fraction 0.25)")

all_docs = set(emb.ids)
check(disjoint(model.split["train"], model.split["test"]) and set(model.split["train"]) | set(model.split["test"]) <= all_docs
      and len(model.split["test"]) > 0, f"lstm model.h5: train ({len(model.split['train'])}) ∩ test "
      f"({len(model.split['test'])}) = ∅, both documents of the corpus")
fold = tio.load_model(f"{out}/lstm-fold/model.h5")
n_test = len(fold.split["test"])
check(fold.attrs.get("split") == "fold(1, of: 3)" and disjoint(fold.split["train"], fold.split["test"])
      and set(fold.split["train"]) | set(fold.split["test"]) == all_docs and abs(n_test - len(all_docs) / 3) <= 3,
      f"fold 2/3 model.h5 ({fold.attrs.get('split')}): train ∪ test = all {len(all_docs)} documents, disjoint, "
      f"test {n_test} ≈ N/3")
chosen = tio.load_model(f"{out}/lstm-select/model.h5")
cs, ca = chosen.split, chosen.attrs
check(ca.get("select_on") == "validation" and set(cs["validation"]) <= set(cs["train"]) and disjoint(cs["validation"], cs["test"])
      and cs["test"] == model.split["test"] and list(ca.get("selection.learning_rates")) == [0.003, 0.03]
      and ca.get("train.learning_rate") == ca.get("selection.learning_rate") and ca.get("epochs") == ca.get("selection.epochs")
      and len(chosen.history["mean_loss"]) == ca.get("epochs"),
      f"select_on validation train-text model.h5: {len(cs['validation'])} validation ids ⊂ train ({len(cs['train'])}), "
      f"∩ test = ∅; chose lr {ca.get('selection.learning_rate')}, {ca.get('selection.epochs')} epochs of "
      f"{list(ca.get('selection.learning_rates'))} (scores {list(ca.get('selection.scores'))})")
infused = tio.load_model(f"{out}/infused/infused.h5")
check(infused.split == {"train": model.split["train"], "test": model.split["test"]},
      "infused.h5 split = the train-text model's split (train / test ids, same order)")
paths = tio.load_model(f"{out}/paths/model.h5")
ps = paths.split or {}
names = dict(zip(fv.ids, (fv.class_names[c] for c in fv.labels)))
left_out = set(manifest_train) - set(ps.get("train", []))
check(set(ps) == {"fine", "coarse", "train", "test"} and disjoint(ps["fine"], ps["coarse"], ps["test"])
      and sorted(ps["train"], key=fv.ids.index) == ps["train"] and set(ps["train"]) == set(ps["fine"]) | set(ps["coarse"])
      and set(ps["train"]) <= set(manifest_train) and set(ps["test"]) == set(manifest_test)
      and all(names[i] == "Dress" for i in left_out),
      f"paths model.h5: fine {len(ps.get('fine', []))} / coarse {len(ps.get('coarse', []))} / test {len(ps.get('test', []))} "
      f"disjoint; train = fine ∪ coarse ⊆ the manifest's train rows ({len(left_out)} left out, all dresses: the coarse "
      f"map drops them); test = the manifest's test rows")
fine_frac = len(ps.get("fine", [])) / max(1, len(ps.get("train", [])) + len(left_out))
check(abs(fine_frac - 0.25) < 0.05, f"… fine is {fine_frac:.3f} of the training rows (fine_fraction 0.25)")

# 6. docs/artifacts.md lists everything the files hold.
def documented(doc_path):
    """stage → (dataset patterns, attribute patterns) from the `## `file` — stage `name`` sections' tables."""
    sections, current = {}, None
    for line in open(doc_path, encoding="utf-8"):
        m = re.match(r"## `[^`]+` — stage `([^`]+)`", line)
        if m:
            current = sections.setdefault(m.group(1), ([], []))
            continue
        if line.startswith("## "):
            current = None
        if current is None or not line.startswith("| ") or line.startswith("| ---") or line.startswith("| object"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[2] if cells[0] == "root attributes" else cells[0])
        target = current[1] if cells[0] == "root attributes" else current[0]
        for n in names:
            pattern = re.escape(n).replace(r"\.\*", r"\..+")
            pattern = re.sub(r"<[^>]+>", ".+", pattern.replace(r"\<", "<").replace(r"\>", ">"))
            target.append(re.compile(pattern + "$"))
    return sections


docs = documented(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "artifacts.md"))
always = {"format", "stage", "version"}
for path in sorted(glob.glob(f"{out}/**/*.h5", recursive=True)):
    if ".parts" in path:
        continue
    with h5py.File(path, "r") as f:
        stage = f.attrs.get("stage")
        if stage not in docs:
            check(False, f"{path}: stage '{stage}' has no section in docs/artifacts.md")
            continue
        datasets, attributes = docs[stage]
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        missing = [n for n in names if not any(p.match(n) for p in datasets)]
        missing += [f"@{a}" for a in f.attrs if a not in always and not a.startswith("provenance.")
                    and not any(p.match(a) for p in attributes)]
        for key in ("descriptors", "pca", "gmm", "fisher_vectors", "annotations", "models", "scores", "model",
                    "embeddings", "index", "queries", "data.corpus"):
            value = f.attrs.get(key)
            if isinstance(value, str):
                where = os.path.join(os.path.dirname(path), value)
                check(os.path.exists(where), f"{os.path.relpath(path, out)}: @{key} = {value} exists relative to the file")
        check(f.attrs.get("provenance.ranks") == 2 and len(str(f.attrs.get("provenance.commit", ""))) >= 7,
              f"{os.path.relpath(path, out)}: provenance recorded (commit {f.attrs.get('provenance.commit')}, "
              f"ranks {f.attrs.get('provenance.ranks')})")
        check(not missing, f"{os.path.relpath(path, out)} ({stage}): every dataset and attribute is in docs/artifacts.md"
              + (f"; missing {missing}" if missing else ""))

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)

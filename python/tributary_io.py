"""Read Tributary's HDF5 artifacts from Python with h5py and NumPy only.

The layouts are documented in docs/artifacts.md; every function here names the file and the dataset when an
artifact is not what it expects, and refuses a file whose virtual datasets point at missing part files (h5py
would silently read zeros for them).

    import tributary_io as tio
    fv = tio.load_fisher_vectors("out/default/fashion-fv/fv.h5",
                                 manifest="out/default/fashion-split/images.csv")
    X, y, split = fv.X, fv.labels, fv.split                 # (N, D) float32, (N,) int, (N,) 'train'/'test'
    emb = tio.load_embeddings("out/default/packages-embed/embeddings.h5")
    model = tio.load_model("out/default/packages-lstm/model.h5")
    W, b = model.tensors["output.W"], model.tensors["output.b"]
    ev = tio.load_eval("out/default/fashion-svm/eval.h5")   # ev.summary["svm-early-visual"]["mAP"]
"""

import csv
import os
from dataclasses import dataclass, field

import h5py
import numpy as np

__all__ = ["ArtifactError", "MissingPartError", "open_artifact", "load_fisher_vectors", "load_embeddings",
           "load_model", "load_annotation_models", "load_eval", "load_scores", "FISHER_BLOCKS"]

# The visual blocks of fv.h5, in the order Tributary concatenates them for early fusion.
FISHER_BLOCKS = ["orh/1x1", "orh/2x2", "orh/1x3", "col/1x1", "col/2x2", "col/1x3"]


class ArtifactError(Exception):
    """A file is not the Tributary artifact asked for (wrong stage, missing or misshapen dataset)."""


class MissingPartError(ArtifactError):
    """A virtual dataset's part file is missing: its rows would read as zeros."""


def _text(values):
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def _check_parts(f, path):
    """Raises MissingPartError when a virtual dataset of `f` names a part file that does not exist."""
    folder = os.path.dirname(os.path.abspath(path))

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.is_virtual:
            for source in obj.virtual_sources():
                part = source.file_name
                if part == ".":
                    continue  # a source inside the same file
                full = part if os.path.isabs(part) else os.path.join(folder, part)
                if not os.path.exists(full):
                    raise MissingPartError(
                        f"{path}: dataset '{name}' reads rows from '{part}', which does not exist; its rows would "
                        f"read as zeros. Copy the '.parts' folder beside the file, or make a self-contained copy "
                        f"with `tributary pack {path} OUT.h5`.")
    f.visititems(visit)


def open_artifact(path, stage=None):
    """Opens a Tributary artifact read-only: checks the header (`format`, `stage`) and the part files."""
    if not os.path.exists(path):
        raise ArtifactError(f"{path}: no such file")
    f = h5py.File(path, "r")
    try:
        if f.attrs.get("format") != "tributary":
            raise ArtifactError(f"{path}: not a Tributary artifact (no format = 'tributary' attribute)")
        if stage is not None and f.attrs.get("stage") not in (stage if isinstance(stage, (list, tuple)) else [stage]):
            raise ArtifactError(f"{path}: written by stage '{f.attrs.get('stage')}', expected '{stage}'")
        _check_parts(f, path)
    except Exception:
        f.close()
        raise
    return f


def _dataset(f, path, name, shape=None):
    if name not in f:
        raise ArtifactError(f"{path}: dataset '{name}' is missing")
    d = f[name]
    if shape is not None and len(d.shape) != len(shape) or shape and any(
            s is not None and s != n for s, n in zip(shape, d.shape)):
        raise ArtifactError(f"{path}: dataset '{name}' has shape {d.shape}, expected {shape}")
    return d[()]


def _manifest_split(manifest, ids):
    """The `split` column of an images.csv (the `split` stage's output, or your own) for the rows `ids`."""
    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = {row["path"]: row["split"] for row in csv.DictReader(handle)}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise ArtifactError(f"{manifest}: no row for {len(missing)} image id(s) of the Fisher vectors, e.g. "
                            f"'{missing[0]}'; use the manifest of the same run")
    return np.array([rows[i] for i in ids])


@dataclass
class FisherVectors:
    X: np.ndarray                 # (N, D) float32: the blocks of `blocks`, concatenated in that order
    blocks: list                  # e.g. ["orh/1x1", "col/1x1"]
    block_columns: dict           # block → slice of columns of X
    ids: list                     # (N) image ids
    labels: np.ndarray            # (N) int class index into class_names (-1 when the dataset has none)
    class_names: list             # class names in the dataset's order (fv.h5 `class_names`)
    split: np.ndarray = None      # (N) 'train' / 'test' from the manifest, when given
    attrs: dict = field(default_factory=dict)


def load_fisher_vectors(path, blocks=None, manifest=None):
    """fv.h5 → FisherVectors. `blocks`: which of FISHER_BLOCKS (default all); `manifest`: an images.csv whose
    `split` column gives each row's part (train / test)."""
    with open_artifact(path, stage="encode") as f:
        ids = _text(_dataset(f, path, "ids"))
        n = len(ids)
        names = blocks or FISHER_BLOCKS
        parts, columns, start = [], {}, 0
        for b in names:
            x = np.asarray(_dataset(f, path, "fv/" + b, shape=(n, None)), dtype=np.float32)
            parts.append(x)
            columns[b] = slice(start, start + x.shape[1])
            start += x.shape[1]
        labels = np.asarray(f["labels"][()], dtype=np.int64) if "labels" in f else -np.ones(n, dtype=np.int64)
        classes = _text(f["class_names"][()]) if "class_names" in f else []
        attrs = dict(f.attrs)
    split = _manifest_split(manifest, ids) if manifest else None
    return FisherVectors(np.concatenate(parts, axis=1), list(names), columns, ids, labels, classes, split, attrs)


@dataclass
class Embeddings:
    X: np.ndarray                 # (N, M) float32 context vectors
    ids: list
    labels: np.ndarray            # (N) int class index into classes
    classes: list
    split: np.ndarray = None      # (N) 'train' / 'test' / 'unused' (the model's split), when stored
    attrs: dict = field(default_factory=dict)


def load_embeddings(path):
    """embeddings.h5 (`embed`) → Embeddings, with the split of the model that made them."""
    with open_artifact(path, stage="embed") as f:
        x = np.asarray(_dataset(f, path, "embeddings"), dtype=np.float32)
        n = x.shape[0]
        ids = _text(_dataset(f, path, "ids", shape=(n,)))
        labels = np.asarray(_dataset(f, path, "labels", shape=(n,)), dtype=np.int64)
        classes = _text(_dataset(f, path, "classes"))
        split = np.array(_text(_dataset(f, path, "split", shape=(n,)))) if "split" in f else None
        return Embeddings(x, ids, labels, classes, split, dict(f.attrs))


@dataclass
class Model:
    parameters: np.ndarray        # (P) float32, the flat vector
    tensors: dict                 # name → (rows, columns) float32 view into `parameters`
    attrs: dict
    classes: list = None
    vocabulary: list = None
    split: dict = None            # part → ids: {'train', 'test'} (train-text, train-infused); train-paths adds
                                  # 'fine' and 'coarse' (train = fine ∪ coarse); after select_on validation also
                                  # 'validation' (⊂ train; the choice in attrs 'selection.*'); None in older files
    history: dict = field(default_factory=dict)


def load_model(path):
    """model.h5 (train-text), infused.h5 (train-infused) or a train-paths model → Model with named tensors."""
    with open_artifact(path, stage=["train-text", "train-infused", "train-paths"]) as f:
        p = np.asarray(_dataset(f, path, "parameters"), dtype=np.float32)
        tensors = {}
        if "parameter_names" not in f:
            raise ArtifactError(f"{path}: no parameter_names (written by an older Tributary); retrain to get "
                                f"named tensors, or cut `parameters` by the layout in the model's source")
        names = _text(f["parameter_names"][()])
        offsets = f["parameter_offsets"][()]
        shapes = f["parameter_shapes"][()]
        nxt = 0
        for name, o, (r, c) in zip(names, offsets, shapes):
            if o != nxt or o + r * c > p.size:
                raise ArtifactError(f"{path}: tensor '{name}' at {o} with shape ({r}, {c}) does not tile parameters")
            tensors[name] = p[o:o + r * c].reshape(r, c)
            nxt = o + r * c
        if nxt != p.size:
            raise ArtifactError(f"{path}: the named tensors cover {nxt} of {p.size} parameters")
        classes = _text(f["classes"][()]) if "classes" in f else None
        vocabulary = _text(f["vocabulary"][()]) if "vocabulary" in f else None
        split = ({k[:-len("_ids")]: _text(f["split"][k][()]) for k in f["split"] if k.endswith("_ids")}
                 if "split" in f else None)
        history = {k: f["history"][k][()] for k in f["history"]} if "history" in f else {}
        return Model(p, tensors, dict(f.attrs), classes, vocabulary, split, history)


@dataclass
class AnnotationModels:
    concepts: list                # the K concepts, in the one class order
    weights: dict                 # 'svm/<block>' or 'slr/<block>' → (W (K, D_b) float32, b (K,) float32)
    train_ids: list               # the images the models were trained on
    validation_ids: list          # the training images held out to choose the costs (select_on validation), else []
    test_ids: list                # the images no model saw (scored by annotate predict)
    attrs: dict = field(default_factory=dict)


def load_annotation_models(path):
    """models.h5 (`annotate train`) → AnnotationModels: the linear models per block and the split they saw."""
    with open_artifact(path, stage="annotate train") as f:
        concepts = _text(_dataset(f, path, "concepts"))
        weights = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name.endswith("/weights") and name.split("/")[0] in ("svm", "slr"):
                block = name[:-len("/weights")]
                w = np.asarray(obj[()], dtype=np.float32)
                b = np.asarray(_dataset(f, path, block + "/biases", shape=(len(concepts),)), dtype=np.float32)
                if w.ndim != 2 or w.shape[0] != len(concepts):
                    raise ArtifactError(f"{path}: '{name}' has shape {w.shape} for {len(concepts)} concepts")
                weights[block] = (w, b)
        f.visititems(visit)
        ids = {k: _text(f[k][()]) if k in f else [] for k in ("train_ids", "validation_ids", "test_ids")}
        return AnnotationModels(concepts, weights, ids["train_ids"], ids["validation_ids"], ids["test_ids"], dict(f.attrs))


@dataclass
class Evaluation:
    concepts: list
    runs: list
    per_concept: dict             # run → {'ap': (K), 'eer': (K), 'auc': (K)}
    summary: dict                 # run → {'mAP': …, 'mean_EER': …, 'mean_AUC': …, 'F_ex': …, 'accuracy': …, 'macro_F1': …}


def load_eval(path):
    """eval.h5 (`annotate eval`) → Evaluation with labelled summaries."""
    with open_artifact(path, stage="annotate eval") as f:
        concepts = _text(_dataset(f, path, "concepts"))
        runs = _text(_dataset(f, path, "runs"))
        names = _text(_dataset(f, path, "summary_names"))
        per, summary = {}, {}
        for r in runs:
            per[r] = {m: _dataset(f, path, f"{r}/{m}", shape=(len(concepts),)) for m in ("ap", "eer", "auc")}
            summary[r] = dict(zip(names, _dataset(f, path, f"{r}/summary", shape=(len(names),)).tolist()))
        return Evaluation(concepts, runs, per, summary)


def load_scores(path):
    """scores.h5 (`annotate predict`) → (ids, concepts, truth (Q, K) bool, {run: raw scores (Q, K)})."""
    with open_artifact(path, stage="annotate predict") as f:
        ids = _text(_dataset(f, path, "ids"))
        concepts = _text(_dataset(f, path, "concepts"))
        truth = np.asarray(_dataset(f, path, "truth", shape=(len(ids), len(concepts)))) != 0
        runs = {r: _dataset(f, path, f"{r}/raw", shape=(len(ids), len(concepts))) for r in _text(f["runs"][()])}
        return ids, concepts, truth, runs

#!/usr/bin/env python3
"""seed-config.py CONFIG SEED: writes OUT_BASE/seed-SEED/config.json — CONFIG with every stage's and dataset's seed
set to SEED and "out" set to OUT_BASE/seed-SEED — and prints its path (launch/slurm-array.sbatch uses it).

Paths of the config are relative to its folder; the derived config lives elsewhere, so relative paths are made
absolute. Only the seed keys the config writes ("seed", "subset_seed") change: write "seed" in every stage whose
randomness should vary (a key a stage does not declare would be refused by `tributary run`).
"""
import json
import os
import sys

FILE_KEYS = {"data", "labels_csv", "graph", "fine_map", "coarse_map"}


def main(path, seed):
    base = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)

    def absolute(value):
        return value if not isinstance(value, str) or not value or os.path.isabs(value) else os.path.join(base, value)

    out = os.path.join(absolute(config["out"]), f"seed-{seed}")
    config["out"] = out
    for dataset in config.get("datasets", {}).values():
        for key in list(dataset):
            if key in ("seed", "subset_seed"):
                dataset[key] = seed
            elif key in FILE_KEYS and not (dataset.get("kind") == "tar" and key == "labels_csv"):
                dataset[key] = absolute(dataset[key])
    for stage in config.get("stages", []):
        params = stage.get("params", {})
        if "seed" in params:
            params["seed"] = seed
        for key in list(params):
            if key in FILE_KEYS:
                params[key] = absolute(params[key])
    os.makedirs(out, exist_ok=True)
    derived = os.path.join(out, "config.json")
    with open(derived, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=1)
    print(derived)


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: seed-config.py CONFIG SEED (SEED a non-negative integer)")
    main(sys.argv[1], int(sys.argv[2]))

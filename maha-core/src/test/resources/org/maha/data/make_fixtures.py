#!/usr/bin/env python3
# Writes kfold_cases.json: reference answers for org.maha.data.KFold and Mt19937.
# Needs the Debian packages python3-numpy and python3-sklearn (run with /usr/bin/python3, not a pyenv python).
# Deterministic: every value comes from seeded numpy legacy RandomState / scikit-learn KFold.
#   cd maha-core/src/test/resources/org/maha/data && /usr/bin/python3 make_fixtures.py
import json
import os

import numpy as np
import sklearn
from sklearn.model_selection import KFold

SEEDS = [0, 1, 42, 12345]


def kfold_case(n, k, seed):
    case = {"n": n, "k": k, "seed": seed}
    try:
        folds = KFold(n_splits=k, shuffle=True, random_state=seed).split(np.arange(n))
        case["held_out"] = [test.tolist() for _, test in folds]
    except ValueError as e:  # sklearn refuses k > n
        case["error"] = str(e)
    return case


def main():
    cases = []
    for seed in SEEDS:
        for n in range(1, 21):
            for k in (2, 3, 5, 10):
                cases.append(kfold_case(n, k, seed))
        for n in (60, 209, 391, 1000):
            for k in (5, 10):
                cases.append(kfold_case(n, k, seed))

    # Raw 32-bit MT19937 outputs of RandomState(seed) (legacy init_genrand seeding), including the
    # reference seed 5489 and the largest allowed seed 2**32 - 1; 700 draws cross one state regeneration (624).
    raw = []
    for seed in SEEDS + [5489, 2**32 - 1]:
        bits = np.random.RandomState(seed)._bit_generator.random_raw(700)
        raw.append({"seed": seed, "uint32": [int(v) for v in bits]})

    # RandomState(seed).shuffle(arange(n)) itself: the permutation KFold slices.
    perms = []
    for seed in SEEDS:
        for n in (1, 2, 7, 60, 209):
            p = np.arange(n)
            np.random.RandomState(seed).shuffle(p)
            perms.append({"n": n, "seed": seed, "perm": p.tolist()})

    out = {
        "_about": "KFold(n_splits=k, shuffle=True, random_state=seed).split(range(n)) held-out indices per fold "
                  "(as sklearn yields them: ascending), raw MT19937 draws and legacy shuffles. "
                  "Written by make_fixtures.py.",
        "versions": {"numpy": np.__version__, "sklearn": sklearn.__version__},
        "kfold": cases,
        "mt19937_raw": raw,
        "shuffle": perms,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kfold_cases.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()

"""The names the Images panel shows when base names repeat (``names.distinct_file_names``): MVTec AD numbers
every defect folder's images from 000.png. Checked against a brute force over every ending of every name.
A name's last part is what follows its last '/' (``base_file_name``: a backslash is no separator)."""

from __future__ import annotations

import itertools

from pixelproof.core.names import distinct_file_names

MVTEC = [
    "mvtec/plate/test/contamination/000.png",
    "mvtec/plate/test/dent/000.png",
    "mvtec/plate/test/dent/001.png",
    "mvtec/plate/test/good/000.png",
    "mvtec/plate/test/good/001.png",
    "mvtec/plate/train/good/000.png",
    "mvtec/plate/train/good/002.png",
]


def _brute(names: list[str]) -> dict[int, str]:
    """Each name whose last part repeats needs its shortest ending of whole parts no other name ends with;
    every name of its folder then shows as many parts as the most any name there needs."""
    parts = [[q for q in n.split("/") if q] for n in names]
    need = {}
    for i, p in enumerate(parts):
        if sum(q[-1:] == p[-1:] for q in parts) == 1:
            continue
        for k in range(min(2, len(p)), len(p) + 1):
            if not any(j != i and q[-k:] == p[-k:] for j, q in enumerate(parts)):
                break
        folder = tuple(p[:-1])
        need[folder] = max(need.get(folder, 1), k)
    return {
        i: "/".join(p[-need[tuple(p[:-1])] :]) for i, p in enumerate(parts) if need.get(tuple(p[:-1]), 1) > 1
    }


def test_mvtec_names_are_told_apart_by_their_folders() -> None:
    got = distinct_file_names(dict(enumerate(MVTEC)))
    assert got == {
        0: "contamination/000.png",
        1: "dent/000.png",
        2: "dent/001.png",
        3: "test/good/000.png",
        4: "test/good/001.png",
        5: "train/good/000.png",
        6: "train/good/002.png",
    }
    assert distinct_file_names({1: "a/x.png", 2: "b/y.png"}) == {}  # base names alone tell them apart


def test_every_small_set_of_names_matches_the_brute_force() -> None:
    pool = [
        "x.png",
        "a/x.png",
        "b/x.png",
        "a/b/x.png",
        "b/a/x.png",
        "c\\a\\x.png",
        "a/y.png",
        "y.png",
        "b/z.png",
    ]
    for n in range(2, 5):
        for names in itertools.combinations(pool, n):
            assert distinct_file_names(dict(enumerate(names))) == _brute(list(names)), names

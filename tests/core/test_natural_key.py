"""``core.paths.natural_key``: names in the order a file browser lists them."""

from __future__ import annotations

import random

from pixelproof.core.paths import natural_key


def test_numbers_sort_as_numbers_and_case_is_ignored() -> None:
    want = [
        "IMG1.png",
        "img1.png",
        "img2.png",
        "img02b.png",
        "img10.png",
        "img10_2.png",
        "img10_10.png",
        "imgA",
    ]
    names = want[:]
    random.Random(3).shuffle(names)
    assert sorted(names, key=natural_key) == want


def test_text_and_numbers_never_compare_with_each_other() -> None:
    names = ["10", "a", "a1", "1a", "", "a1b2", "a1b", "٣"]  # a leading digit, none, a non-ASCII digit
    assert sorted(names, key=natural_key) == ["", "1a", "10", "a", "a1", "a1b", "a1b2", "٣"]

"""``python -m bench pictures`` prints "same pairs: yes" when the pairing agrees with its brute-force
reference, so that reference must itself find every pair: checked here against a plain scan of every pair,
in blocks of a few rows (the triangle each block starts at) and for a sample of rows, on hashes with the
bench's planted pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bench import pictures


def plain_scan(h: np.ndarray, bits: int) -> set[tuple[int, int, int]]:
    out = set()
    for i, j in itertools.combinations(range(len(h)), 2):
        d = bin(int(h[i]) ^ int(h[j])).count("1")
        if d <= bits:
            out.add((i, j, d))
    return out


@pytest.mark.parametrize("bits", [6, 10, 12])
def test_the_benchs_brute_force_finds_every_pair(monkeypatch: pytest.MonkeyPatch, bits: int) -> None:
    h, planted = pictures.random_hashes(300, 60, seed=bits)
    for i, j, d in planted:  # planted where and as far apart as it says
        assert bin(int(h[i]) ^ int(h[j])).count("1") == d
    monkeypatch.setattr(pictures, "BLOCK", 7 * 300)  # 7 rows a block: many blocks, an uneven last one
    want = plain_scan(h, bits)
    assert {p for p in planted if p[2] <= bits} <= want
    assert pictures.brute_pairs(h, bits) == want
    rows = np.array([0, 5, 17, 150, 299])
    touching = {p for p in want if p[0] in rows or p[1] in rows}
    assert pictures.brute_pairs(h, bits, rows) == touching

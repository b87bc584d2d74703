"""Ties of an image-table column broken as W and ``pixelproof qa`` rank the images: of two rows of one Dice,
the one with more objects missed, extra or of the wrong class is the worse (``qa_tables.tie_before``)."""

from __future__ import annotations

from pixelproof.core.qa_tables import problem_key, tie_before

ONE = {"dice": 0.0, "hd95": 5.0, "fn": 1, "fp": 0, "wrong_class": 0}
THREE = {"dice": 0.0, "hd95": 5.0, "fn": 1, "fp": 2, "wrong_class": 0}


def test_more_problem_objects_sort_worse_in_the_worst_first_direction() -> None:
    assert tie_before("dice", THREE, ONE) is True  # Dice ascending is worst first: three first
    assert tie_before("dice", ONE, THREE) is False
    assert tie_before("hd95", THREE, ONE) is False  # HD95 descending is worst first: three first there
    assert tie_before("dice", ONE, dict(ONE)) is None  # a tie still: file order decides
    assert tie_before("", THREE, ONE) is None  # not a metric column
    assert sorted([ONE, THREE], key=problem_key) == [THREE, ONE]  # W's and qa's order, the same

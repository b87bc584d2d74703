"""Ties of an image-table column broken as W and ``pixelproof qa`` rank the images: of two rows of one Dice,
the one with more objects missed, extra or of the wrong class is the worse (``qa_tables.tie_before``)."""

from __future__ import annotations

from pixelproof.core.qa_tables import tie_before, worst_order

ONE = {"dice": 0.0, "hd95": 5.0, "fn": 1, "fp": 0, "wrong_class": 0}
THREE = {"dice": 0.0, "hd95": 5.0, "fn": 1, "fp": 2, "wrong_class": 0}


def test_more_problem_objects_sort_worse_in_the_worst_first_direction() -> None:
    assert tie_before("dice", THREE, ONE) is True  # Dice ascending is worst first: three first
    assert tie_before("dice", ONE, THREE) is False
    assert tie_before("hd95", THREE, ONE) is False  # HD95 descending is worst first: three first there
    assert tie_before("dice", ONE, dict(ONE)) is None  # a tie still: file order decides
    assert tie_before("", THREE, ONE) is None  # not a metric column
    assert sorted([ONE, THREE], key=worst_order) == [THREE, ONE]  # W's and qa's order, the same


def test_table_and_w_break_a_tie_of_value_and_problems_by_one_rule() -> None:
    """Rows of one Dice and one count of problem objects: the table fell back to its row order (image id)
    and W to file name, so ``b.png`` (id 1) and ``a.png`` (id 2) went in two orders. Both go by file name,
    then image id (``tie_key``), in the column's worst-first direction."""
    from functools import cmp_to_key

    b1 = {**ONE, "file_name": "b.png", "image_id": 1}
    a2 = {**ONE, "file_name": "a.png", "image_id": 2}
    a3 = {**ONE, "file_name": "a.png", "image_id": 3}  # one name twice (two folders' 000.png): by id
    worse = {**THREE, "file_name": "z.png", "image_id": 4}
    assert tie_before("dice", a2, b1) is True and tie_before("dice", b1, a2) is False
    assert tie_before("hd95", a2, b1) is False  # descending is worst first there: a.png still first
    assert tie_before("dice", a2, a3) is True
    rows = [b1, worse, a3, a2]

    def ascending(x: dict, y: dict) -> int:  # the table's lessThan on a Dice column (all one value)
        before = tie_before("dice", x, y)
        return 0 if before is None else -1 if before else 1

    table = sorted(rows, key=cmp_to_key(ascending))
    walk = sorted(rows, key=worst_order)
    assert [r["image_id"] for r in table] == [r["image_id"] for r in walk] == [4, 2, 3, 1]

"""``wording.skipped_counts``: what a read left out, said as the import report and ``convert`` say it."""

from __future__ import annotations

from pixelproof.core.wording import skipped_counts


def test_one_of_a_plural_kind_is_said_in_the_singular_many_stay_plural() -> None:
    assert skipped_counts({"files": 1}) == "1 file"  # "1 files" read as a typo
    assert skipped_counts({"boxes": 1, "categories": 1, "masks": 2}) == "1 box, 1 category, 2 masks"
    assert skipped_counts({"files": 3, "invalid": 1, "point": 1}) == "3 files, 1 invalid, 1 point"
    assert skipped_counts({}) == ""

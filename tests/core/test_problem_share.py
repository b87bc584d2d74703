"""How `qa` and its HTML page say how many images scored have a problem: plainly, not "3 images with a
problem ... (0 of 3 images had none)"."""

from __future__ import annotations

import pytest

from pixelproof.core.report_cards import problem_share, worst_heading


@pytest.mark.parametrize(
    ("with_problem", "scored", "said"),
    [
        (7, 10, "7 of 10 images scored have a problem"),
        (1, 10, "1 of 10 images scored has a problem"),
        (3, 3, "all 3 images scored have a problem"),
        (1, 1, "the image scored has a problem"),
    ],
)
def test_the_share_of_images_with_a_problem_reads_plainly(with_problem: int, scored: int, said: str) -> None:
    assert problem_share(with_problem, scored) == said


def test_the_html_heading_names_the_others_only_when_there_are_some() -> None:
    every = worst_heading(3, 3, 3)
    assert "All 3 images scored have a problem.</p>" in every and "other" not in every and "none" not in every
    some = worst_heading(7, 10, 7)
    assert (
        "7 of 10 images scored have a problem. The other 3 images: Dice 1 in every class and every " in some
    )

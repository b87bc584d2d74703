"""``pixelproof qa``'s printed worst images and its HTML page's worst-image cards order images tied on
mean Dice and problem objects by the review view's rule (``qa_tables.worst_order``: most problem objects,
then file name, then image id), as its Images table and W do. They went in pair order (a streamed heap,
a stable sort), so a lead saw ``q.png`` first in the terminal and ``a.png`` first at W."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import run_qa
from pixelproof.core.qa_tables import has_problem, worst_order

# file names not in id order: ids 1..24; 24 images so the 20 cards keep the right ones of the tie
NAMES = [f"{c}.png" for c in "qhcwxaomdtkrbvenluifgjps"]
TWO_MISSED = 5  # "x.png": two objects missed, worse than the tie at Dice 0
PERFECT = 7  # "o.png": the candidate's disc is the reference's, no problem


def _disc(cy: int, cx: int, r: int = 6) -> np.ndarray:
    y, x = np.mgrid[:32, :32]
    return (y - cy) ** 2 + (x - cx) ** 2 <= r**2


def _project(path: Path, reference: bool) -> Path:
    p = Project()
    p.add_category(Category(1, "spot"))
    k = 0
    for image_id, name in enumerate(NAMES, start=1):
        p.add_image(ImageRecord(image_id, name, 32, 32))
        discs = [_disc(10, 10)] + ([_disc(22, 22)] if image_id == TWO_MISSED else [])
        if not reference and image_id != PERFECT:
            discs = []  # every other image: its objects missed, Dice 0
        for m in discs:
            k += 1
            p.add_annotation(Annotation(k, image_id, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return _project(tmp_path / "ref.json", True), _project(tmp_path / "cand.json", False)


def test_the_printed_list_and_the_cards_go_in_the_review_views_order(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pixelproof.core.coco import load_project

    ref, cand = pair
    result = run_qa(load_project(ref), load_project(cand))
    expected = [r["file_name"] for r in sorted(filter(has_problem, result.image_table()), key=worst_order)]
    assert expected[0] == "x.png" and expected[1:4] == ["a.png", "b.png", "c.png"]
    assert [r["file_name"] for r in result.worst_images()] == expected[:20]  # in memory (the app's)

    page_path = tmp_path / "qa.html"
    assert main(["qa", str(ref), str(cand), "--html", str(page_path)]) == 0
    out = capsys.readouterr().out
    printed = re.findall(r"^  (\S+\.png) +Dice", out, re.M)
    assert printed == expected[:10], out
    cards = re.findall(r"<figcaption><bdi>([^<]+)</bdi><br>", page_path.read_text())
    assert cards == expected[:20]  # streamed: the heap keeps the 20 first of the tie by the same rule

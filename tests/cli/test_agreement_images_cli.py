"""``pixelproof agreement`` names the images where the annotators differ, worst first: its printed summary
and HTML page gave only means, so a lead had to dig through the JSON to find which image to look at."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from tests.core.teams_data import H, W, make_project


def _box(bbox: list[float]) -> np.ndarray:
    m = np.zeros((H, W), bool)
    x, y, w, h = (int(v) for v in bbox)
    m[y : y + h, x : x + w] = True
    return m


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    return 2 * float((a & b).sum()) / float(a.sum() + b.sum())


def _two_annotators(tmp_path: Path) -> tuple[Path, Path, dict[str, float]]:
    """ann and bob on four images: the first alike, a moved box, a missed mask, a box called otherwise.
    Returns both paths and each differing image's mean Dice over its classes, worked out here."""
    ann = make_project(tmp_path, 4, name="ann.json")
    bob = copy.deepcopy(ann)
    bob.path = tmp_path / "bob.json"
    box2 = next(a for a in bob.annotations_of(2) if a.segmentation is None)
    drawn = list(box2.bbox)
    moved = [drawn[0] + 10, *drawn[1:]]
    bob.annotations[box2.id].bbox = moved
    bob.annotations[box2.id].area = moved[2] * moved[3]
    disc3 = next(a for a in bob.annotations_of(3) if a.segmentation is not None)
    bob.remove_annotation(disc3.id)
    box4 = next(a for a in bob.annotations_of(4) if a.segmentation is None)
    bob.annotations[box4.id].category_id = 1 if box4.category_id != 1 else 2
    save_project(ann)
    save_project(bob)
    want = {
        "images/img002.png": (1.0 + _dice(_box(drawn), _box(moved))) / 2,  # its disc alike, its box moved
        "images/img003.png": (0.0 + 1.0) / 2,  # the disc missed, the box alike
        "images/img004.png": (1.0 + 0.0 + 0.0) / 3,  # the disc alike; the box's class on each side: 0 each
    }
    return ann.path, bob.path, want  # type: ignore[return-value]


def test_agreement_prints_and_pages_the_images_where_annotators_differ_worst_first(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    ann, bob, want = _two_annotators(tmp_path)
    page = tmp_path / "agreement.html"
    assert main(["agreement", str(ann), str(bob), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    worst_first = sorted(want, key=want.get)  # type: ignore[arg-type]
    lines = [line for line in out.splitlines() if "img00" in line]
    assert [re.search(r"images/img00\d\.png", line).group(0) for line in lines] == worst_first, out  # type: ignore[union-attr]
    for line, name in zip(lines, worst_first, strict=True):
        assert f"Dice {want[name]:.3f}" in line and "ann / bob" in line
    assert "1 object unmatched" in lines[worst_first.index("images/img003.png")]
    assert "2 objects unmatched" in lines[worst_first.index("images/img002.png")]
    text = page.read_text()
    assert "Images where the annotators differ" in text
    section = text[text.index("Images where the annotators differ") :]
    at = [section.index(name) for name in worst_first]
    assert at == sorted(at) and "img001" not in section
    assert f"{want['images/img004.png']:.4f}" in section


def test_agreement_says_when_every_image_agrees(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ann = make_project(tmp_path, 2, name="ann.json")
    bob = copy.deepcopy(ann)
    bob.path = tmp_path / "bob.json"
    save_project(ann)
    save_project(bob)
    assert main(["agreement", str(ann.path), str(bob.path)]) == 0
    assert "no image where the annotators differ" in capsys.readouterr().out


def test_images_both_left_empty_are_printed_as_agreement_not_n_a(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Two annotators who both left their one shared image empty got Dice n/a: it is agreement (1)."""
    ann = make_project(tmp_path, 1, name="ann.json")
    for a in list(ann.annotations.values()):
        ann.remove_annotation(a.id)
    bob = copy.deepcopy(ann)
    bob.path = tmp_path / "bob.json"
    save_project(ann)
    save_project(bob)
    assert main(["agreement", str(ann.path), str(bob.path), "--html", str(tmp_path / "a.html")]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("ann / bob"))
    assert row.split()[3:6] == ["1", "1.000", "1.000"]  # images, dice, iou
    assert "1 image a pair both left empty: counted as agreement (Dice = IoU = 1)" in out
    assert "n_both_empty" in (tmp_path / "a.html").read_text()

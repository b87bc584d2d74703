"""A figure reads the same in the printed summary and on the ``--html`` page: the page wrote a distance of
1000 or more with one decimal (1414.2 against the terminal's 1414.2136) and an image card's Dice with three
(``Dice 0.983`` beside the terminal's ``Dice 0.9831``). JSON and CSV keep figures unrounded."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

SIZES = {1: (1500, 1500), 2: (100, 100)}  # a large image: distances over 1000 px


def square(image: int, y0: int, y1: int, x0: int, x1: int) -> tuple[int, int, np.ndarray]:
    """An object of class 1 (``part``) on the large image, of class 2 (``dot``) on the small one."""
    h, w = SIZES[image]
    m = np.zeros((h, w), dtype=bool)
    m[y0:y1, x0:x1] = True
    return image, image, m


def project(path: Path, drawn: list[tuple[int, int, np.ndarray]]) -> Path:
    p = Project()
    p.add_image(ImageRecord(1, "large.png", *reversed(SIZES[1])))
    p.add_image(ImageRecord(2, "small.png", *reversed(SIZES[2])))
    p.add_category(Category(1, "part"))
    p.add_category(Category(2, "dot"))
    for k, (image, category, m) in enumerate(drawn, start=1):
        p.add_annotation(Annotation(k, image, category, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    return path


def test_console_and_html_round_figures_alike(tmp_path: Path, capsys) -> None:
    ref = project(tmp_path / "ref.json", [square(1, 100, 300, 100, 300), square(2, 10, 40, 10, 40)])
    cand = project(tmp_path / "cand.json", [square(1, 1100, 1300, 1100, 1300), square(2, 11, 40, 10, 40)])
    page, report = tmp_path / "qa.html", tmp_path / "qa.json"
    capsys.readouterr()
    assert main(["qa", str(ref), str(cand), "--html", str(page), "--json", str(report)]) == 0
    out, html = capsys.readouterr().out, page.read_text(encoding="utf-8")
    part = next(r for r in json.loads(report.read_text())["per_class"] if r["category"] == "part")
    assert part["hd95"] > 1000
    hd95 = f"{part['hd95']:.4f}"
    assert any(line.startswith("part") and f"{hd95} px" in line for line in out.splitlines()), out
    assert f"{hd95} px" in html  # the page's per-class table: the same digits
    small = re.search(r"small\.png\s+Dice (\S+)", out)
    assert small and small.group(1) == "0.9831", out  # 2 x 870 / (900 + 870)
    assert f"Dice {small.group(1)}" in html  # the image card's caption

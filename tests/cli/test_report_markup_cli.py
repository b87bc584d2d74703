"""Names in HTML reports are text (issue: hostile names): markup shows as written, and a right-to-left
override in a name, a file name or a path cannot reverse the figures printed after it - each such text is
isolated in a ``<bdi>`` element."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE, left open on purpose
CATEGORIES = [
    "<script>alert(1)</script>",
    'x" onmouseover="alert(1)',
    "a</td><td>b",
    "R&D",
    f"{RLO}cat",
    "two\nlines",
]
FILE = f"{RLO}<img src=x onerror=alert(1)> #1?.png"


class Parsed(HTMLParser):
    """Tags, attributes and the text of every ``<bdi>``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.isolated: list[str] = []
        self._bdi: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        self.attrs += [k for k, _ in attrs]
        if tag == "bdi":
            self._bdi = []

    def handle_endtag(self, tag) -> None:  # type: ignore[no-untyped-def]
        if tag == "bdi" and self._bdi is not None:
            self.isolated.append("".join(self._bdi))
            self._bdi = None

    def handle_data(self, data) -> None:  # type: ignore[no-untyped-def]
        if self._bdi is not None:
            self._bdi.append(data)


def hostile_project(path: Path, shift: int) -> Path:
    """Every category twice on one image (lint finds duplicates), shifted by ``shift`` px."""
    p = Project()
    p.add_image(ImageRecord(1, FILE, 40, 30))
    for i, name in enumerate(CATEGORIES, start=1):
        p.add_category(Category(i, name))
        m = np.zeros((30, 40), dtype=bool)
        m[5 + shift : 20, 5:25] = True
        for k in (0, 1):
            p.add_annotation(Annotation(2 * i - k, 1, i, masks.bbox(m), masks.encode(m), float(m.sum())))
    Image.fromarray(np.full((30, 40, 3), 100, np.uint8)).save(path.parent / FILE)
    save_project(p, path)
    return path


def check(report: Path, *texts: str) -> None:
    parsed = Parsed(report.read_text(encoding="utf-8"))
    assert "script" not in parsed.tags and not [a for a in parsed.attrs if a.startswith("on")]
    for text in texts:
        assert text in parsed.isolated, text


def test_qa_lint_and_agreement_html_show_names_as_isolated_text(tmp_path: Path) -> None:
    folder = tmp_path / f"{RLO}work"
    folder.mkdir()
    ref, cand = hostile_project(folder / "ref.json", 0), hostile_project(folder / "cand.json", 2)
    assert main(["qa", str(ref), str(cand), "--html", str(tmp_path / "qa.html")]) == 0
    check(tmp_path / "qa.html", *CATEGORIES, FILE, str(ref), str(cand))
    assert main(["lint", str(cand), "--html", str(tmp_path / "lint.html")]) == 1
    check(tmp_path / "lint.html", *CATEGORIES, FILE, str(cand))
    rater = folder / f"{RLO}bob.json"
    shutil.copy(cand, rater)
    assert main(["agreement", str(ref), str(rater), "--html", str(tmp_path / "agreement.html")]) == 0
    check(tmp_path / "agreement.html", *CATEGORIES, "ref", rater.stem)

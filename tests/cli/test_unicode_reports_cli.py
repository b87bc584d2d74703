"""Reports for Japanese and Hebrew names: CSVs open in Excel as UTF-8 (a BOM first: without it a Japanese
Windows Excel reads them as Shift_JIS, 画像 and 猫 as mojibake), HTML escapes a class named like markup, and
a format's own CSVs (Open Images) stay as that format's tools write them (issue: Japanese and Israeli
labeling teams)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord

NAMES = ["猫", "חתול", "<script>alert(1)</script>"]
IMAGE = "画像_001.png"


def _project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    Image.fromarray(np.zeros((40, 60, 3), np.uint8)).save(folder / IMAGE)
    p = new_project(NAMES)
    p.add_image(ImageRecord(1, IMAGE, 60, 40))
    for k in (1, 2, 3):
        poly = [[5.0 + 15 * k, 5.0, 15.0 + 15 * k, 5.0, 15.0 + 15 * k, 20.0]]
        p.add_annotation(Annotation(k, 1, k, [5.0 + 15 * k, 5.0, 10.0, 15.0], poly, 75.0))
    save_project(p, folder / "project.json")
    return folder / "project.json"


def _excel_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]  # Excel's sign of UTF-8
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_qa_and_lint_csvs_start_with_a_bom_and_keep_the_names(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    qa = ["qa", str(project), str(project), "--csv", str(tmp_path / "qa.csv")]
    assert main([*qa, "--images-csv", str(tmp_path / "images.csv"), "--html", str(tmp_path / "qa.html")]) == 0
    rows = _excel_rows(tmp_path / "qa.csv")
    assert {r["file_name"] for r in rows} == {IMAGE} and {r["category"] for r in rows} >= set(NAMES)
    assert {r["file_name"] for r in _excel_rows(tmp_path / "images.csv")} == {IMAGE}
    page = (tmp_path / "qa.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "חתול" in page
    assert main(["lint", str(project), "--csv", str(tmp_path / "lint.csv")]) in (0, 1)
    lint_csv = (tmp_path / "lint.csv").read_bytes()
    assert lint_csv.startswith(b"\xef\xbb\xbfkind,")


def test_open_images_csvs_have_no_bom(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    assert main(["convert", str(project), str(tmp_path / "oi"), "--to", "openimages"]) == 0
    tables = list((tmp_path / "oi").rglob("*.csv"))
    assert tables and not any(t.read_bytes().startswith(b"\xef\xbb\xbf") for t in tables)

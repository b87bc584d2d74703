"""A COCO export listed an image whose file is incomplete (cut short, written over behind a readable header)
without a word, as if whole: a training run met it first. It is listed at the size the project records (the
frame its objects were drawn on, not the header's) and named in one warning with why (its end marker is
missing) - the same line from ``convert`` and from File > Export (both ``Format.write``'s warnings)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.interop.formats import FORMATS


def _dataset(work: Path) -> Path:
    work.mkdir()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(work / "good.png")
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (9, 9, 9)).save(buf, "PNG")
    (work / "bad.png").write_bytes(buf.getvalue()[:70] + b"\x00garbage" * 20)  # header whole, data not
    doc = {
        "images": [
            {"id": 1, "file_name": "good.png", "width": 64, "height": 48},
            {"id": 2, "file_name": "bad.png", "width": 100, "height": 80},  # recorded, not the header's
        ],
        "categories": [{"id": 1, "name": "car"}],
        "annotations": [
            {"id": 1, "image_id": 2, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0,
             "segmentation": [[1, 1, 6, 1, 6, 6, 1, 6]]},
        ],
    }  # fmt: skip
    (work / "p.json").write_text(json.dumps(doc))
    return work / "p.json"


def _sizes(out: Path) -> dict[str, tuple[int, int]]:
    return {
        Path(i["file_name"]).name: (i["width"], i["height"]) for i in json.loads(out.read_text())["images"]
    }


def _said(lines: list[str], bad: Path) -> list[str]:
    return [w for w in lines if "whose file is incomplete" in w and str(bad) in w]


def test_convert_names_the_damaged_image_and_keeps_the_recorded_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _dataset(tmp_path / "work")
    out = tmp_path / "out.json"
    assert main(["convert", str(project), str(out), "--to", "coco"]) == 0
    err = capsys.readouterr().err
    bad = tmp_path / "work" / "bad.png"
    (line,) = _said(err.splitlines(), bad)
    assert "(written at the recorded 100x80)" in line and "good.png" not in line
    assert _sizes(out) == {"good.png": (64, 48), "bad.png": (100, 80)}


def test_the_export_the_app_runs_says_it_the_same_way(tmp_path: Path) -> None:
    """File > Export runs ``Format.write`` (``ui.interop_dialogs.run_export``) and shows its warnings."""
    project = load_project(_dataset(tmp_path / "work"))
    out = tmp_path / "out.json"
    warnings = FORMATS["coco"].write(project, out)
    bad = tmp_path / "work" / "bad.png"
    assert len(_said(warnings, bad)) == 1
    assert _sizes(out)["bad.png"] == (100, 80)


def test_a_jpeg_cut_short_is_named_and_one_padded_after_its_end_is_not(tmp_path: Path) -> None:
    from pixelproof.interop.declared_sizes import damaged_image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(buf, "JPEG")
    whole = buf.getvalue()
    (tmp_path / "cut.jpg").write_bytes(whole[: len(whole) * 2 // 3])
    (tmp_path / "padded.jpg").write_bytes(whole + b"\x00" * 1000)  # some cameras pad past the EOI
    (tmp_path / "whole.jpg").write_bytes(whole)
    said = damaged_image(tmp_path / "cut.jpg")
    assert said is not None and "cut.jpg" in said and "JPEG" in said and "end marker" in said
    assert damaged_image(tmp_path / "padded.jpg") is None
    assert damaged_image(tmp_path / "whole.jpg") is None
    assert damaged_image(tmp_path / "missing.png") is None

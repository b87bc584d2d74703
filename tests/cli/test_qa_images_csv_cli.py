"""``pixelproof qa --images-csv``: the list of images to relabel, one row per image. ``--csv`` has one row
per image and class, so a reviewer wanting "the bad images" had to group it. The rows are checked here
against the JSON's per-image-and-class rows, worked out apart from the code that writes them."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.demo import install_demo


def test_images_csv_has_one_row_per_image_with_the_json_figures(tmp_path: Path, capsys) -> None:
    demo = install_demo(tmp_path / "demo")
    out = tmp_path / "out"
    out.mkdir()
    args = ["qa", str(demo.parent / "reference.json"), str(demo)]
    args += ["--json", str(out / "qa.json"), "--images-csv", str(out / "images.csv")]
    capsys.readouterr()
    assert main(args) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "qa.json").read_text())
    with open(out / "images.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_image: dict[int, list[dict]] = {}
    for r in data["per_image"]:
        by_image.setdefault(r["image_id"], []).append(r)
    assert [int(r["image_id"]) for r in rows] == list(by_image)  # one row per image, in image order
    problems = 0
    for row in rows:
        classes = by_image[int(row["image_id"])]
        assert row["file_name"] == classes[0]["file_name"]
        assert int(row["n_classes"]) == len(classes)
        for name in ("dice", "iou"):  # a mean over the image's classes, n/a ones left out
            values = [c[name] for c in classes if c[name] is not None]
            want = math.fsum(values) / len(values) if values else None
            assert (float(row[name]) if row[name] else None) == want
        for name in ("tp", "fp", "fn", "wrong_class"):  # summed
            assert int(row[name]) == sum(c[name] for c in classes)
        # PQ pooled over the image's objects: sum of matched IoU over TP + FP/2 + FN/2, never a class mean
        tp, fp, fn = (sum(c[k] for c in classes) for k in ("tp", "fp", "fn"))
        matched = math.fsum(c["sq"] * c["tp"] for c in classes if c["tp"])
        if tp + fp + fn:
            assert float(row["pq"]) == pytest.approx(matched / (tp + 0.5 * fp + 0.5 * fn))
        else:
            assert row["pq"] == ""
        dice = float(row["dice"]) if row["dice"] else None
        bad = (dice is not None and dice < 1) or sum(int(row[k]) for k in ("fp", "fn", "wrong_class")) > 0
        assert row["problem"] == str(bad)
        problems += bad
    assert 0 < problems < len(rows)  # the demo has perfect and n/a images too
    assert f"{problems} images with a problem" in printed


def test_images_csv_alone_writes_the_file(tmp_path: Path) -> None:
    """The only report asked for: the rows are still spooled beside it and written, then the spool goes."""
    demo = install_demo(tmp_path / "demo")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "bad.csv"
    assert main(["qa", str(demo.parent / "reference.json"), str(demo), "--images-csv", str(target)]) == 0
    with open(target, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10 and rows[0]["file_name"] == "images/coins.png"
    assert sorted(p.name for p in out.iterdir()) == ["bad.csv"]

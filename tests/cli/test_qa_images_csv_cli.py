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
    with open(out / "images.csv", newline="", encoding="utf-8-sig") as fh:
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
    assert f"{problems} of {len(rows)} images scored have a problem" in printed


def test_images_csv_alone_writes_the_file(tmp_path: Path) -> None:
    """The only report asked for: the rows are still spooled beside it and written, then the spool goes."""
    demo = install_demo(tmp_path / "demo")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "bad.csv"
    assert main(["qa", str(demo.parent / "reference.json"), str(demo), "--images-csv", str(target)]) == 0
    with open(target, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10 and rows[0]["file_name"] == "images/coins.png"
    assert sorted(p.name for p in out.iterdir()) == ["bad.csv"]


def test_json_images_are_the_images_csv_rows_with_reasons(tmp_path: Path, capsys) -> None:
    """The JSON's ``per_image`` is one row per image and class; ``images`` is one per image, the
    ``--images-csv`` rows (same names, same figures), a null figure with its ``<field>_reason``."""
    demo = install_demo(tmp_path / "demo")
    out = tmp_path / "out"
    out.mkdir()
    args = ["qa", str(demo.parent / "reference.json"), str(demo)]
    assert main([*args, "--json", str(out / "qa.json"), "--images-csv", str(out / "images.csv")]) == 0
    data = json.loads((out / "qa.json").read_text())
    with open(out / "images.csv", newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
        fh.seek(0)
        rows = list(csv.DictReader(fh))
    images = data["images"]
    assert len(images) == len(rows) == 10 < len(data["per_image"])  # per_image: per image and class
    nulls = 0
    for got, row in zip(images, rows, strict=True):
        reasons = {k for k in header if k.endswith("_reason") and not row[k]}
        assert [k for k in header if k not in reasons] == list(got)  # the CSV's names, in its order
        for name, value in got.items():
            if name.endswith("_reason"):
                assert value and value == row[name]
            elif value is None:
                assert row[name] == ""
                if f"{name}_reason" in header:  # a figure (not a decision never made): says why
                    assert got[f"{name}_reason"]
                    nulls += 1
            elif isinstance(value, float):
                assert float(row[name]) == value
            else:
                assert row[name] == str(value)
    assert nulls  # the demo's n/a images say why
    both = next(r for r in images if r["n_both_empty"] == r["n_classes"])
    assert (both["dice"], both["dice_reason"]) == (None, "both empty in every class")

    # without --images-csv the rows are spooled for the JSON alone, then the spool goes
    alone = tmp_path / "alone"
    alone.mkdir()
    assert main([*args, "--json", str(alone / "qa.json")]) == 0
    assert json.loads((alone / "qa.json").read_text())["images"] == images
    assert sorted(p.name for p in alone.iterdir()) == ["qa.json"]


def test_both_empty_rows_are_said_as_counted_under_both_empty_as_one(tmp_path: Path, capsys) -> None:
    """``--both-empty-as-one`` counts a both-empty row as Dice = IoU = 1; the summary line still called
    those rows n/a."""
    demo = install_demo(tmp_path / "demo")
    args = ["qa", str(demo.parent / "reference.json"), str(demo)]
    capsys.readouterr()
    reports = ["--json", str(tmp_path / "qa.json"), "--html", str(tmp_path / "qa.html")]
    assert main([*args, "--both-empty-as-one", *reports]) == 0
    as_one = capsys.readouterr().out
    n = json.loads((tmp_path / "qa.json").read_text())["summary"]["n_both_empty"]
    assert n > 0
    assert f"both empty, counted as Dice = IoU = 1: {n} rows;" in as_one and "n/a (both" not in as_one
    page = (tmp_path / "qa.html").read_text(encoding="utf-8")
    assert f"both empty, counted as Dice = IoU = 1: {n} rows;" in page
    assert main(args) == 0
    assert f"n/a (both empty): {n} rows;" in capsys.readouterr().out  # without the flag: n/a, as before

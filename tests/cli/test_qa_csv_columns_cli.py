"""``pixelproof qa --csv`` and ``--class-csv`` have the same columns on every run: a notebook that reads
``dice_reason`` or concatenates the tables of two runs must not depend on whether some row of this run
happened to be n/a. The columns used to be the keys the rows had, so a run where every figure was
measured had no reason column at all, and another run put them in another order."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from tests.core.test_metrics_topology import crack

SHAPE = (40, 320)


def project(path: Path, drawn: list[tuple[int, np.ndarray]]) -> Path:
    """Two images, one class ``crack``, one object per (image id, mask) in ``drawn``."""
    p = Project()
    p.add_image(ImageRecord(1, "a.png", SHAPE[1], SHAPE[0]))
    p.add_image(ImageRecord(2, "b.png", SHAPE[1], SHAPE[0]))
    p.add_category(Category(1, "crack"))
    for k, (image, m) in enumerate(drawn, start=1):
        p.add_annotation(Annotation(k, image, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    return path


def headers(
    tmp_path: Path, name: str, candidate: list[tuple[int, np.ndarray]]
) -> tuple[list[str], list[str]]:
    ref = project(tmp_path / "ref.json", [(1, crack(4, 10)), (2, crack(4, 20))])
    cand = project(tmp_path / f"{name}.json", candidate)
    rows, classes = tmp_path / f"{name}_rows.csv", tmp_path / f"{name}_classes.csv"
    assert main(["qa", str(ref), str(cand), "--csv", str(rows), "--class-csv", str(classes)]) == 0
    out = []
    for path in (rows, classes):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            out.append(next(csv.reader(fh)))
    return out[0], out[1]


def test_csv_columns_do_not_depend_on_which_figures_are_null(tmp_path: Path, capsys) -> None:
    measured = headers(tmp_path, "shifted", [(1, crack(4, 11)), (2, crack(4, 21))])  # no figure n/a
    missed = headers(tmp_path, "missed", [(1, crack(4, 11))])  # b.png missed: distances ∞, precision n/a
    assert measured == missed
    rows, classes = measured
    for table in (rows, classes):
        for name in ("dice", "iou", "hd95", "assd", "nsd", "boundary_iou", "cldice", "precision", "pq"):
            assert table[table.index(name) + 1] == f"{name}_reason"  # each figure's reason right after it
        assert len(table) == len(set(table))
    assert rows[:3] == ["file_name", "image_id", "category"] and classes[0] == "category"


def images_table(tmp_path: Path, name: str, candidate: list[tuple[int, np.ndarray]]) -> list[list[str]]:
    ref = project(tmp_path / "ref.json", [(1, crack(4, 10)), (2, crack(4, 20))])
    cand = project(tmp_path / f"{name}.json", candidate)
    images = tmp_path / f"{name}_images.csv"
    assert main(["qa", str(ref), str(cand), "--images-csv", str(images)]) == 0
    with open(images, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def test_images_csv_columns_say_why_a_cell_is_empty_and_do_not_depend_on_the_data(tmp_path: Path) -> None:
    """``--images-csv`` had no reason column: an empty precision cell could be n/a for want of a candidate
    object or a figure never written. Same rule as ``--csv``: every nullable figure, then its reason."""
    measured = images_table(tmp_path, "shifted", [(1, crack(4, 11)), (2, crack(4, 21))])
    missed = images_table(tmp_path, "missed", [(1, crack(4, 11))])  # b.png: no candidate object
    header = measured[0]
    assert missed[0] == header and len(header) == len(set(header))
    for name in ("dice", "iou", "pq", "precision", "recall", "hd95", "nsd", "cldice", "tp", "fp"):
        assert header[header.index(name) + 1] == f"{name}_reason"
    assert "file_name_reason" not in header and "n_classes_reason" not in header
    a, b = (dict(zip(header, row, strict=True)) for row in missed[1:])
    assert (a["file_name"], b["file_name"]) == ("a.png", "b.png")
    assert a["precision"] and a["precision_reason"] == ""  # measured: the reason cell empty
    assert b["precision"] == "" and b["precision_reason"] == "no candidate object"
    assert float(b["pq"]) == 0.0 and b["pq_reason"] == ""  # a miss: PQ 0, measured
    assert b["sq"] == "" and b["sq_reason"] == "no object matched"
    assert float(b["dice"]) == 0.0 and b["dice_reason"] == ""

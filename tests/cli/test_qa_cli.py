"""``pixelproof qa``: exit codes, summary on stdout, JSON/CSV/HTML reports."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def disc(cy, cx, r, shape=(48, 64)):
    y, x = np.mgrid[: shape[0], : shape[1]]
    return (y - cy) ** 2 + (x - cx) ** 2 <= r**2


def project(objs, path):
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 64, 48))
    p.add_image(ImageRecord(2, "b.png", 64, 48))
    p.add_category(Category(1, "cat"))
    p.add_category(Category(2, "dog"))
    for k, (img, cid, m) in enumerate(objs, start=1):
        p.add_annotation(Annotation(k, img, cid, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    return path


@pytest.fixture
def pair(tmp_path):
    ref = project([(1, 1, disc(20, 20, 8)), (2, 2, disc(24, 30, 10))], tmp_path / "ref.json")
    cand = project([(1, 1, disc(20, 22, 8))], tmp_path / "cand.json")
    return ref, cand


def test_qa_writes_reports_and_prints_summary(pair, tmp_path, capsys):
    ref, cand = pair
    out_json, out_csv, out_html = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.html"
    code = main(
        ["qa", str(ref), str(cand), "--json", str(out_json), "--csv", str(out_csv), "--html", str(out_html)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "cat" in out and "dog" in out and "(all)" in out
    data = json.loads(out_json.read_text())
    assert {"summary", "per_class", "per_image", "per_object", "unmatched_images"} <= set(data)
    row = next(r for r in data["per_image"] if r["file_name"] == "a.png" and r["category"] == "cat")
    for key in ("iou", "dice", "hd", "hd95", "assd", "masd", "nsd", "boundary_iou", "tp", "fp", "fn"):
        assert isinstance(row[key], int | float), key
    for key in ("precision", "recall", "f1", "pq", "sq", "rq"):
        assert key in row
    dog = next(r for r in data["per_image"] if r["file_name"] == "b.png" and r["category"] == "dog")
    assert dog["hd"] is None and dog["hd_reason"] == "one mask empty" and dog["dice"] == 0
    both = next(r for r in data["per_image"] if r["file_name"] == "a.png" and r["category"] == "dog")
    assert both["dice"] is None and both["dice_reason"] == "both empty"
    fn = [o for o in data["per_object"] if o["status"] == "fn"]
    assert len(fn) == 1 and fn[0]["category"] == "dog" and fn[0]["bbox"]
    assert data["summary"]["fn"] == 1 and data["summary"]["tp"] == 1
    assert data["summary"]["hd_inf_replaced"] == 1
    assert not math.isnan(data["summary"]["dice"])
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig")))
    assert len(rows) == len(data["per_image"]) and rows[0]["file_name"]
    page = out_html.read_text()
    assert "<svg" in page and "data:image/png;base64," in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "∞ (one mask empty)" in page or "one mask empty" in page


def test_qa_options_change_matching(pair, tmp_path):
    ref, cand = pair
    out = tmp_path / "r.json"
    assert main(["qa", str(ref), str(cand), "--iou-threshold", "0.9", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["summary"]["tp"] == 0 and data["options"]["iou_threshold"] == 0.9
    assert main(["qa", str(ref), str(cand), "--nsd-tau", "0", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["options"]["nsd_tau"] == 0


def test_qa_errors_are_one_line_each_and_exit_non_zero(pair, tmp_path, capsys):
    ref, cand = pair
    assert main(["qa", str(tmp_path / "missing.json"), str(cand)]) == 1
    err = capsys.readouterr().err
    assert "missing.json" in err and len(err.strip().splitlines()) == 1
    assert main(["qa", str(ref), str(tmp_path / "nope.json")]) == 1
    assert main(["qa", str(ref), str(cand), "--iou-threshold", "1.5"]) == 2
    other = Project()
    other.add_image(ImageRecord(1, "zzz.png", 64, 48))
    save_project(other, tmp_path / "other.json")
    assert main(["qa", str(ref), str(tmp_path / "other.json")]) == 1
    assert "no image" in capsys.readouterr().err


def test_an_unreadable_dataset_folder_given_as_the_candidate_says_why_and_the_order(tmp_path, capsys) -> None:
    """The candidate is read as the reference is (a folder too); ``qa project.json mvtec_folder/`` (the
    order swapped, as an engineer coming from tools that take the prediction first types it) names the
    folder, why it is no candidate, and the command with the order turned round."""
    ref = project([(1, 1, disc(20, 20, 8))], tmp_path / "cand.json")
    folder = tmp_path / "my plate"
    (folder / "ground_truth").mkdir(parents=True)
    assert main(["qa", str(ref), str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder}: no images found as MVTec AD" in err
    assert f"pixelproof qa '{folder}' {ref}" in err
    assert main(["qa", str(tmp_path / "other"), str(folder)]) == 1
    err = capsys.readouterr().err
    assert "other: no such file or folder" in err and "pixelproof qa '" not in err

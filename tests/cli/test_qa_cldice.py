"""``pixelproof qa`` reports clDice per image and class, in the means, the CSVs and the HTML page."""

from __future__ import annotations

import csv
import json

import numpy as np

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from tests.core.test_metrics_topology import crack, oracle, vessel

SHAPE = (160, 320)


def canvas(m: np.ndarray) -> np.ndarray:
    out = np.zeros(SHAPE, dtype=bool)
    out[: m.shape[0], : m.shape[1]] = m
    return out


def project(objs, path):
    p = Project()
    p.add_image(ImageRecord(1, "a.png", SHAPE[1], SHAPE[0]))
    p.add_image(ImageRecord(2, "b.png", SHAPE[1], SHAPE[0]))
    for cid, name in enumerate(("crack", "vessel", "blob"), start=1):
        p.add_category(Category(cid, name))
    for k, (img, cid, m) in enumerate(objs, start=1):
        p.add_annotation(Annotation(k, img, cid, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p, path)
    return path


def test_qa_reports_cldice(tmp_path, capsys) -> None:
    blob = np.zeros(SHAPE, dtype=bool)
    blob[60:140, 200:300] = True  # 80 px deep: no thin structure
    ref_crack, cand_crack = canvas(crack(4, 10)), canvas(crack(4, 11))
    ref_vessel, cand_vessel = canvas(vessel()), canvas(vessel(gap=(40, 70)))
    ref = project(
        [(1, 1, ref_crack), (1, 3, blob), (2, 2, ref_vessel), (2, 1, ref_crack)], tmp_path / "ref.json"
    )
    cand = project([(1, 1, cand_crack), (1, 3, blob), (2, 2, cand_vessel)], tmp_path / "cand.json")
    out, out_csv, images_csv = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "i.csv"
    args = [
        "qa",
        str(ref),
        str(cand),
        "--json",
        str(out),
        "--csv",
        str(out_csv),
        "--html",
        str(tmp_path / "r.html"),
    ]
    assert main([*args, "--images-csv", str(images_csv)]) == 0
    assert "cldice" in capsys.readouterr().out
    data = json.loads(out.read_text())
    rows = {(r["file_name"], r["category"]): r for r in data["per_image"]}
    a_crack = rows["a.png", "crack"]
    assert a_crack["dice"] == 0.75 and a_crack["cldice"] == oracle(cand_crack, ref_crack) == 1.0
    b_vessel = rows["b.png", "vessel"]
    assert b_vessel["cldice"] == oracle(cand_vessel, ref_vessel) < 0.95
    assert rows["b.png", "crack"]["cldice"] == 0.0  # the candidate missed it: one mask empty, as Dice
    assert rows["a.png", "vessel"]["cldice"] is None
    assert rows["a.png", "vessel"]["cldice_reason"] == "both empty"
    assert rows["a.png", "blob"]["cldice"] is None
    assert rows["a.png", "blob"]["cldice_reason"].startswith("not computed: not a thin structure (a 79 x 79")
    per_class = {c["category"]: c for c in data["per_class"]}
    assert per_class["crack"]["cldice"] == 0.5  # 1.0 and 0.0 (one empty) averaged
    assert per_class["blob"]["cldice"] is None  # no values: n/a
    assert data["summary"]["cldice"] == (1.0 + 0.0 + b_vessel["cldice"]) / 3
    assert "cldice" in data["conventions"]
    assert all("cldice" not in o for o in data["per_object"])  # image x class rows only
    with out_csv.open(encoding="utf-8-sig") as fh:
        by_key = {(r["file_name"], r["category"]): r for r in csv.DictReader(fh)}
    assert float(by_key["a.png", "crack"]["cldice"]) == 1.0
    with images_csv.open(encoding="utf-8-sig") as fh:
        images = {r["file_name"]: r for r in csv.DictReader(fh)}
    assert float(images["a.png"]["cldice"]) == 1.0  # mean over a.png's classes with a value: the crack
    assert "clDice" in (tmp_path / "r.html").read_text() or "cldice" in (tmp_path / "r.html").read_text()


def test_boxes_have_no_cldice_and_say_why(tmp_path) -> None:
    """A box is a filled rectangle, not a drawn structure: a class row with a box (on either side) is not
    thinned (every 20 x 20 box of a box project was, a fifth of its QA run), its reason says so; a mask row
    of the same images still has its clDice."""
    ref_crack, cand_crack = canvas(crack(4, 10)), canvas(crack(4, 11))
    ref, cand = (
        project([(1, 1, ref_crack)], tmp_path / "ref.json"),
        project([(1, 1, cand_crack)], tmp_path / "cand.json"),
    )
    for path, x in ((ref, 200), (cand, 203)):  # a 20 x 20 box of class "vessel" on each side
        doc = json.loads(path.read_text())
        box = {"id": 9, "image_id": 1, "category_id": 2, "bbox": [x, 20, 20, 20], "area": 400, "iscrowd": 0}
        doc["annotations"].append({**box, "segmentation": []})
        path.write_text(json.dumps(doc))
    out = tmp_path / "r.json"
    assert main(["qa", str(ref), str(cand), "--json", str(out)]) == 0
    rows = {(r["file_name"], r["category"]): r for r in json.loads(out.read_text())["per_image"]}
    assert rows["a.png", "vessel"]["dice"] > 0.8
    assert rows["a.png", "vessel"]["cldice"] is None
    assert rows["a.png", "vessel"]["cldice_reason"].startswith("not computed: boxes have no centreline")
    assert rows["a.png", "crack"]["cldice"] == 1.0


def test_a_blob_missed_has_no_cldice_of_0(tmp_path) -> None:
    """clDice is measured on thin structures only: a blob class drawn on both sides is n/a (not a thin
    structure), and so is its row where one side left it out (it was 0, as for a crack missed, so the
    class's mean clDice, and the summary's, read 0.0000 from the misses alone). A box missed likewise."""
    blob = np.zeros(SHAPE, dtype=bool)
    blob[60:140, 200:300] = True  # 80 px deep: no thin structure
    ref_crack = canvas(crack(4, 10))
    ref = project([(1, 3, blob), (2, 3, blob), (2, 1, ref_crack)], tmp_path / "ref.json")
    cand = project([(1, 3, blob)], tmp_path / "cand.json")  # the blob and the crack of b.png missed
    for path, image in ((ref, 1), (ref, 2), (cand, 1)):  # a 20 x 20 box of class "vessel": missed on b.png
        doc = json.loads(path.read_text())
        box = {"image_id": image, "category_id": 2, "bbox": [20, 20, 20, 20], "area": 400, "iscrowd": 0}
        doc["annotations"].append({**box, "id": 10 + image, "segmentation": []})
        path.write_text(json.dumps(doc))
    out = tmp_path / "r.json"
    assert main(["qa", str(ref), str(cand), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    rows = {(r["file_name"], r["category"]): r for r in data["per_image"]}
    missed = rows["b.png", "blob"]
    assert missed["status"] == "candidate empty" and missed["dice"] == 0.0
    assert missed["cldice"] is None
    assert missed["cldice_reason"].startswith("not computed: not a thin structure (a 79 x 79")
    assert rows["b.png", "vessel"]["cldice"] is None
    assert rows["b.png", "vessel"]["cldice_reason"].startswith("not computed: boxes have no centreline")
    assert rows["b.png", "crack"]["cldice"] == 0.0  # a thin structure missed: 0, as Dice
    per_class = {r["category"]: r for r in data["per_class"]}
    assert per_class["blob"]["cldice"] is None and per_class["vessel"]["cldice"] is None
    assert data["summary"]["cldice"] == 0.0  # the crack's miss alone

"""`pixelproof qa` on a real model's predictions: yolo11n.onnx pre-labels LabelMe's example pictures
(`pixelproof prelabel`), then QA scores them against LabelMe's own COCO export. The report's COCO AP must
equal pycocotools' COCOeval on the same two files (ids paired by file name and class name, as QA pairs
them), and the terminal, JSON and HTML outputs say it."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from tests.core.test_qa_ap import FIXTURE, STAT_NAMES, check_pr_curve, cocoeval, reference_data


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_qa_of_yolo_predictions_gives_cocoeval_ap(capsys, tmp_path, shared_fixtures, shared_models):
    ref = reference_data(shared_fixtures)
    ref_file = tmp_path / "ref" / "annotations.json"
    shutil.copytree((shared_fixtures / FIXTURE).parent / "JPEGImages", tmp_path / "ref" / "JPEGImages")
    ref_file.write_text(json.dumps(ref))
    work = tmp_path / "pred"
    work.mkdir()
    project = new_project([])
    for im in ref["images"]:
        name = Path(im["file_name"]).name
        shutil.copy(tmp_path / "ref" / im["file_name"], work / name)
        project.add_image(ImageRecord(im["id"], name, im["width"], im["height"]))
    save_project(project, work / "project.json")
    pred = work / "pred.json"
    code, _, err = _run(
        capsys, "prelabel", work / "project.json", "--backend", "yolo-onnx", "--model",
        shared_models / "yolo11n.onnx", "--score-threshold", "0.05", "--map", "couch=sofa", "-o", pred,
    )  # fmt: skip
    assert code == 0, err
    report, page = tmp_path / "qa.json", tmp_path / "qa.html"
    table = tmp_path / "classes.csv"
    code, out, err = _run(
        capsys, "qa", ref_file, pred, "--json", report, "--html", page, "--class-csv", table
    )
    assert code == 0, err
    data = json.loads(report.read_text())
    ap = data["ap"]
    assert ap["computed"] and ap["segm"] is None, ap  # boxes only: no mask AP

    # COCOeval on the same files, the predictions' ids put in the reference's terms
    cand = json.loads(pred.read_text())
    image_ids = {Path(im["file_name"]).name: im["id"] for im in ref["images"]}
    cat_ids = {c["name"]: c["id"] for c in ref["categories"]}
    new_ids = {c["id"]: cat_ids.get(c["name"], 1000 + c["id"]) for c in cand["categories"]}
    old_images = {im["id"]: image_ids[Path(im["file_name"]).name] for im in cand["images"]}
    for a in cand["annotations"]:
        a["image_id"], a["category_id"] = old_images[a["image_id"]], new_ids[a["category_id"]]
    cand["images"] = ref["images"]
    cand["categories"] = [{"id": i, "name": n} for n, i in cat_ids.items()]
    cand_file = tmp_path / "cand_coco.json"
    cand_file.write_text(json.dumps(cand))
    ev = cocoeval(ref_file, cand_file, "bbox")
    assert ev.stats[0] > 0.1  # the model finds the people
    for name, want in zip(STAT_NAMES, ev.stats, strict=True):
        got = ap["bbox"]["summary"][name]
        assert (got is None) == (want == -1) and (got is None or abs(got - want) < 1e-6), (name, got, want)
    by_name = {r["category"]: r for r in ap["bbox"]["per_class"]}
    for k, cat_id in enumerate(ev.params.catIds):  # each class's PR curve and the scores along it
        name = next(n for n, i in cat_ids.items() if i == cat_id)
        check_pr_curve(ev, k, by_name.get(name, {}), ap["recall_points"])

    # what the terminal and the HTML report say
    assert f"COCO AP, boxes (bbox): AP {ap['bbox']['summary']['AP']:.3f}" in out, out
    person = next(r for r in ap["bbox"]["per_class"] if r["category"] == "person")
    assert any(line.startswith("person") and f"{person['AP']:.3f}" in line for line in out.splitlines()), out
    assert "confusion matrix (rows: reference, columns: candidate" in out
    text = page.read_text()
    assert "COCO AP, boxes (bbox)" in text and "Confusion matrix" in text
    # the page draws each class's precision-recall curve at IoU 0.50: its points are the JSON's curve
    curves = re.findall(r'<polyline data-category="([^"]*)" data-iou="0.5" points="([^"]*)"', text)
    drawn = {html.unescape(c): pts for c, pts in curves}
    with_refs = [r for r in ap["bbox"]["per_class"] if r["pr_curve"] is not None]
    assert with_refs and set(drawn) == {r["category"] for r in with_refs}, drawn
    for r in with_refs:
        xy = [tuple(map(float, p.split(","))) for p in drawn[r["category"]].split()]
        precision = r["pr_curve"]["precision"][0]
        assert len(xy) == len(ap["recall_points"]) == len(precision)
        (x0, _), (x1, _) = xy[0], xy[-1]
        y_top = min(y for y, p in zip((y for _, y in xy), precision, strict=True) if p == max(precision))
        for (x, y), rc, p in zip(xy, ap["recall_points"], precision, strict=True):
            assert abs((x - x0) / (x1 - x0) - rc) < 0.01  # recall across
            assert y >= y_top and (p < max(precision)) == (y > y_top)  # precision up, one scale
    assert "score ≥" in text  # the scores along the curve, to pick a threshold
    labels = data["confusion"]["labels"]
    matrix = data["confusion"]["matrix"]
    assert labels[-1] == "background" and len(matrix) == len(labels)
    missed = sum(r[-1] for r in matrix[:-1])
    assert missed == sum(1 for r in data["per_object"] if r["status"] == "fn" and r.get("cand_id") is None)

    # the per-class CSV: one row per class and the (all) row, QA's counts and COCO AP (null: empty cell)
    with table.open(newline="", encoding="utf-8-sig") as fh:
        rows = {r["category"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {*(c["category"] for c in data["per_class"]), "(all)"}, rows.keys()
    for c, a in zip(data["per_class"], ap["bbox"]["per_class"], strict=True):
        row = rows[c["category"]]
        assert [int(row[k]) for k in ("tp", "fp", "fn")] == [c["tp"], c["fp"], c["fn"]]
        for name in STAT_NAMES:
            assert row[f"bbox_{name}"] == ("" if a[name] is None else repr(a[name])), (c["category"], name)
        assert int(row["n_reference"]) == a["n_reference"]
    assert float(rows["(all)"]["bbox_AP"]) == ap["bbox"]["summary"]["AP"]
    assert int(rows["(all)"]["fp"]) == data["summary"]["fp"]
    assert not any(k.startswith("segm_") for k in next(iter(rows.values())))  # boxes only: no mask AP


def test_class_csv_leaves_the_per_unit_means_to_the_json(tmp_path):
    """A class whose images are partly in mm and partly in px has no single mean (null, mixed units) and
    its per-unit means under by_unit: a nested table, no CSV cell; no AP without scores."""
    from pixelproof.core.report_ap import write_class_csv

    by_unit = {"mm": {"hd95": 2.4, "n_rows": 3}, "px": {"hd95": 7.0, "n_rows": 1}}
    cat = {"category": "cat", "hd95": None, "hd95_reason": "mixed units (mm and px): see by_unit", "tp": 4}
    data = {
        "per_class": [{**cat, "by_unit": by_unit}],
        "summary": {**cat, "category": "ignored", "by_unit": by_unit},
        "ap": {"computed": False, "reason": "the candidate's objects carry no scores"},
    }
    out = tmp_path / "classes.csv"
    write_class_csv(data, out)
    with out.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["category"] for r in rows] == ["cat", "(all)"]
    assert rows[0]["hd95"] == "" and rows[0]["hd95_reason"].startswith("mixed units") and rows[0]["tp"] == "4"
    assert "by_unit" not in rows[0] and not any("{" in v for r in rows for v in r.values())

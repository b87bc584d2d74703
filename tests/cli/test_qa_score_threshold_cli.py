"""`qa --score-threshold S`: a model's precision, recall and F1 at the score it would be deployed at. The
candidate objects scoring under S are left out of QA's matching (and of its per-class figures); AP is
threshold-free and stays computed on every scored object. Checked against sklearn's
precision_recall_fscore_support on the matched pairs the test builds itself (boxes laid out so each
candidate can only be the match of the reference box it shifts by a pixel)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord

CLASSES = ("cat", "dog")


def _projects(tmp_path):  # type: ignore[no-untyped-def]
    """Reference and candidate on 3 images of 5x5 cells: a cell holds a reference box, a candidate box
    shifted by one pixel (a true positive), both, or neither. Returns the files and, per class, the
    (reference?, candidate?, its score or None, the id both sides give it) of every object or pair the
    matching must find."""
    rng = np.random.default_rng(7)
    ref, cand = new_project(list(CLASSES)), new_project(list(CLASSES))
    truth: dict[str, list[tuple[bool, bool, float | None, int]]] = {c: [] for c in CLASSES}
    next_id = 1
    for image_id in (1, 2, 3):
        for p in (ref, cand):
            p.add_image(ImageRecord(image_id, f"im{image_id}.png", 100, 100))
        for cell in range(25):
            x, y = 20 * (cell % 5) + 3, 20 * (cell // 5) + 3
            kind = int(rng.integers(0, 4))  # 0 empty, 1 reference only, 2 candidate only, 3 both
            cat = int(rng.integers(1, 3))
            score = round(float(rng.random()), 3)
            if kind == 3 and cell == 7:
                score = None  # a hand-drawn object of the candidate: no score, never left out
            if kind in (1, 3):
                ref.add_annotation(Annotation(next_id, image_id, cat, [x, y, 12.0, 12.0]))
            if kind in (2, 3):
                a = Annotation(next_id, image_id, cat, [x + 1, y, 12.0, 12.0])
                a.score = score
                cand.add_annotation(a)
            next_id += 1
            if kind:
                truth[CLASSES[cat - 1]].append((kind != 2, kind != 1, score, next_id - 1))
    save_project(ref, tmp_path / "ref.json")
    save_project(cand, tmp_path / "cand.json")
    return tmp_path / "ref.json", tmp_path / "cand.json", truth


def _qa(capsys, tmp_path, ref, cand, *flags) -> dict:  # type: ignore[no-untyped-def]
    out = tmp_path / f"qa{'_'.join(flags)}.json"
    code = main(["qa", str(ref), str(cand), "--json", str(out), *flags])
    said = capsys.readouterr()
    assert code == 0, said.err
    return json.loads(out.read_text())


@pytest.mark.parametrize("threshold", [0.25, 0.6])
def test_precision_recall_f1_at_a_score_threshold(capsys, tmp_path, threshold) -> None:
    ref, cand, truth = _projects(tmp_path)
    everything = _qa(capsys, tmp_path, ref, cand)
    data = _qa(capsys, tmp_path, ref, cand, "--score-threshold", str(threshold))
    assert (
        data["options"]["score_threshold"] == threshold and everything["options"]["score_threshold"] is None
    )
    by_class = {c["category"]: c for c in data["per_class"]}
    for name, objects in truth.items():
        kept = [has_cand and (score is None or score >= threshold) for _, has_cand, score, _ in objects]
        y_true = [int(o[0]) for o, k in zip(objects, kept, strict=True) if o[0] or k]
        y_pred = [int(k) for o, k in zip(objects, kept, strict=True) if o[0] or k]
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_true, y_pred, average="binary", zero_division=0
        )
        assert 0 < sum(y_pred) < sum(o[1] for o in objects)  # some left out, some kept
        got = by_class[name]
        assert got["precision"] == pytest.approx(precision) and got["recall"] == pytest.approx(recall), name
        assert got["f1"] == pytest.approx(f1), name
    # AP is threshold-free: the same on every scored object, whatever S
    assert data["ap"] == everything["ap"]
    scores = [o["score"] for o in data["per_object"] if o["cand_id"] is not None and o["score"] is not None]
    assert scores and min(scores) >= threshold  # the objects it left out are in no row
    below = sum(o[2] is not None and o[2] < threshold for c in truth.values() for o in c if o[1])
    assert data["options"]["below_score_threshold"] == below > 0


@pytest.mark.parametrize("threshold", [None, 0.5])
def test_objects_csv_lists_every_match_miss_and_extra(capsys, tmp_path, threshold) -> None:
    """False positives could not be taken to a spreadsheet for relabelling (fp rows were only in the
    JSON's per_object): --objects-csv F writes one row per matched, missed and extra object."""
    ref, cand, truth = _projects(tmp_path)
    table = tmp_path / "objects.csv"
    flags = [] if threshold is None else ["--score-threshold", str(threshold)]
    code = main(["qa", str(ref), str(cand), "--objects-csv", str(table), *flags])
    assert code == 0, capsys.readouterr().err
    with table.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:8] == [
        "file_name",
        "status",
        "category",
        "cand_category",
        "ref_id",
        "cand_id",
        "iou",
        "score",
    ]
    want = set()
    for name, objects in truth.items():
        for has_ref, has_cand, score, i in objects:
            kept = has_cand and (threshold is None or score is None or score >= threshold)
            status = "match" if has_ref and kept else "fn" if has_ref else "fp" if kept else None
            if status is not None:
                shown = "" if status == "fn" or score is None else str(score)
                want.add((status, name, str(i) if has_ref else "", str(i) if kept else "", shown))
    got = {(r["status"], r["category"], r["ref_id"], r["cand_id"], r["score"]) for r in rows}
    assert got == want and len(rows) == len(want)
    assert {r["status"] for r in rows} == {"match", "fn", "fp"}
    for r in rows:  # a pair is two 12 px boxes a pixel apart; a miss or an extra is no pair
        assert float(r["iou"]) == pytest.approx(132 / 156 if r["status"] == "match" else 0.0), r
        assert r["file_name"].startswith("im") and r["file_name"].endswith(".png")


def test_the_html_report_says_its_precision_and_recall_are_at_the_score_threshold(capsys, tmp_path) -> None:
    """The terminal said 'score threshold S: N candidate object(s) ... left out', the HTML report showed
    the same precision and recall without a word of S: read beside a run without it, its figures looked
    like the model's at every detection. It now says it as the terminal does (and nothing without S)."""
    ref, cand, _ = _projects(tmp_path)
    pages = {}
    for flags in ([], ["--score-threshold", "0.6"]):
        page = tmp_path / f"report{len(flags)}.html"
        assert main(["qa", str(ref), str(cand), "--html", str(page), *flags]) == 0
        pages[bool(flags)] = page.read_text(encoding="utf-8")
    said = capsys.readouterr().out
    line = next(t for t in said.splitlines() if t.startswith("score threshold 0.6:"))
    assert line in pages[True] and "score threshold" not in pages[False]

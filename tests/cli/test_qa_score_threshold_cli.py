"""`qa --score-threshold S`: a model's precision, recall and F1 at the score it would be deployed at. The
candidate objects scoring under S are left out of QA's matching (and of its per-class figures); AP is
threshold-free and stays computed on every scored object. Checked against sklearn's
precision_recall_fscore_support on the matched pairs the test builds itself (boxes laid out so each
candidate can only be the match of the reference box it shifts by a pixel)."""

from __future__ import annotations

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
    (reference?, candidate?, its score or None) of every object or pair the matching must find."""
    rng = np.random.default_rng(7)
    ref, cand = new_project(list(CLASSES)), new_project(list(CLASSES))
    truth: dict[str, list[tuple[bool, bool, float | None]]] = {c: [] for c in CLASSES}
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
                truth[CLASSES[cat - 1]].append((kind != 2, kind != 1, score))
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
        kept = [has_cand and (score is None or score >= threshold) for _, has_cand, score in objects]
        y_true = [int(has_ref) for (has_ref, _, _), k in zip(objects, kept, strict=True) if has_ref or k]
        y_pred = [int(k) for (has_ref, _, _), k in zip(objects, kept, strict=True) if has_ref or k]
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_true, y_pred, average="binary", zero_division=0
        )
        assert 0 < sum(y_pred) < sum(has_cand for _, has_cand, _ in objects)  # some left out, some kept
        got = by_class[name]
        assert got["precision"] == pytest.approx(precision) and got["recall"] == pytest.approx(recall), name
        assert got["f1"] == pytest.approx(f1), name
    # AP is threshold-free: the same on every scored object, whatever S
    assert data["ap"] == everything["ap"]
    scores = [o["score"] for o in data["per_object"] if o["cand_id"] is not None and o["score"] is not None]
    assert scores and min(scores) >= threshold  # the objects it left out are in no row
    below = sum(s is not None and s < threshold for c in truth.values() for _, has, s in c if has)
    assert data["options"]["below_score_threshold"] == below > 0

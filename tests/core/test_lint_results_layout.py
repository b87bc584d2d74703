"""A results file written another way than COCO's: boxes as corners, class ids counted from 0, images
given by file name. Every entry is valid, so each was read as written and linted into noise (810
``partial_box`` on a 300-image project, or one ``wrong_class`` per prediction) with no word of why."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pixelproof.core.lint import PredictionsError, parse_predictions
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def labelled(images: int = 6) -> tuple[Project, list[dict]]:
    """A project of 3 labelled squares per image and a model's right results for it (COCO layout)."""
    rng = random.Random(3)
    p = Project()
    for c, name in enumerate(("circle", "square", "triangle"), start=1):
        p.add_category(Category(c, name))
    results = []
    for iid in range(1, images + 1):
        p.add_image(ImageRecord(iid, f"train/img_{iid:03d}.png", 160, 120))
        for k in range(3):
            box = [5.0 + 50 * k, float(rng.randint(5, 80)), 30.0, 30.0]
            cid = rng.randint(1, 3)
            p.add_annotation(Annotation(len(p.annotations) + 1, iid, cid, box, None, 900.0))
            results.append(
                {"image_id": iid, "category_id": cid, "bbox": [box[0] + 1, *box[1:]], "score": 0.9}
            )
    return p, results


def test_right_results_are_read() -> None:
    p, results = labelled()
    preds, problems = parse_predictions(results, p)
    assert problems == [] and sum(map(len, preds.values())) == 18


def test_corner_boxes_are_refused_with_what_to_write() -> None:
    p, results = labelled()
    for r in results:
        x, y, w, h = r["bbox"]
        r["bbox"] = [x, y, x + w, y + h]
    with pytest.raises(PredictionsError) as e:
        parse_predictions(results, p, where="r.json")
    (message,) = e.value.problems
    assert message.startswith("r.json: the boxes look like corners [x1, y1, x2, y2]")
    assert "of 18 predictions scoring 0.5 or more on labelled images, 18 lie on a label" in message
    assert "width = x2 - x1" in message


def test_class_ids_counted_from_0_are_refused_naming_the_projects_ids() -> None:
    p, results = labelled()
    for r in results:
        r["category_id"] -= 1  # class 0 is left out as unknown, the others read as their neighbour
    with pytest.raises(PredictionsError) as e:
        parse_predictions(results, p, where="r.json")
    (message,) = e.value.problems
    assert "the category ids look shifted by one (counted from 0?)" in message
    assert "with +1 added to category_id and 0 as written" in message
    assert "(1 circle, 2 square, 3 triangle)" in message


def test_a_few_swapped_classes_are_label_errors_not_a_shifted_file() -> None:
    p, results = labelled()
    for r in results[:4]:
        r["category_id"] = r["category_id"] % 3 + 1
    preds, problems = parse_predictions(results, p)
    assert problems == [] and sum(map(len, preds.values())) == 18


def test_images_given_by_file_name_base_name_or_stem() -> None:
    """Ultralytics writes the file's stem as the image id when it is not a number."""
    p, results = labelled(images=3)
    names = {1: "train/img_001.png", 2: "img_002.png", 3: "img_003"}
    for r in results:
        r["image_id"] = names[r["image_id"]]
    results.append({"image_id": "nowhere.png", "category_id": 1, "bbox": [1, 1, 5, 5], "score": 0.9})
    preds, problems = parse_predictions(results, p, where="r.json")
    assert [len(preds[i]) for i in (1, 2, 3)] == [3, 3, 3]
    assert problems == [
        "r.json[9].image_id: 'nowhere.png' is neither an image id nor the file name of one image of "
        "the project"
    ]


def test_a_name_two_images_share_names_neither() -> None:
    p, results = labelled(images=2)
    p.add_image(ImageRecord(3, "val/img_001.png", 160, 120))  # the same base name in another folder
    results = [{**results[0], "image_id": "img_001.png"}, {**results[0], "image_id": "val/img_001.png"}]
    preds, problems = parse_predictions(results, p)
    assert [len(preds[i]) for i in (1, 3)] == [0, 1]
    assert problems and problems[0].startswith("predictions[0].image_id: 'img_001.png' is neither")


def _random_boxes(rng: np.random.Generator, n: int, like: np.ndarray | None = None) -> np.ndarray:
    """[x, y, w, h] boxes on a small field (many overlap), some of no or negative size, some copies of
    ``like``'s (IoU 1, and equal best IoUs among copied labels: ties)."""
    boxes = np.c_[rng.integers(0, 60, (n, 2)), rng.integers(-2, 25, (n, 2))].astype(float)
    boxes[:, :2] += rng.choice([0.0, 0.5], (n, 2))
    if like is not None and len(like) and n:
        k = rng.integers(0, n + 1)
        boxes[:k] = like[rng.integers(0, len(like), k)]
    return boxes


def test_layout_check_best_ious_equal_every_pairs_on_random_boxes() -> None:
    """The best IoU of each prediction and its label (first of equal ones) are those of the former table of
    every prediction against every label (bench's ``dense_best_ious``): a pair whose boxes overlap but
    that went unmeasured would lower a best IoU or move its label."""
    from bench.crowded import dense_best_ious

    from pixelproof.core.lint.prediction_checks import _best_ious

    rng = np.random.default_rng(11)
    for _ in range(200):
        labels = _random_boxes(rng, int(rng.integers(1, 40)))
        labels[rng.integers(0, len(labels), len(labels) // 3)] = labels[0]  # copies: ties
        preds = _random_boxes(rng, int(rng.integers(0, 40)), like=labels)
        best, arg = _best_ious(preds, labels)
        want_best, want_arg = dense_best_ious(preds, labels)
        assert np.array_equal(best, want_best)
        assert np.array_equal(arg[want_best > 0], want_arg[want_best > 0])
        assert not arg[want_best == 0].any()  # as argmax of a row of zeros


def test_layout_check_measures_only_overlapping_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crowded image's predictions against its labels: IoUs are measured for the pairs whose boxes
    overlap, not for every pair (5,000 x 10,000 twice was 1.3 s of a 3.8 s lint)."""
    from pixelproof.core.lint import prediction_checks

    rng = np.random.default_rng(5)
    grid = np.array([(x, y) for x in range(0, 400, 20) for y in range(0, 400, 20)], dtype=float)
    labels = np.c_[grid, np.full((len(grid), 2), 12.0)]
    preds = labels + rng.uniform(-3, 3, labels.shape)
    measured: list[int] = []
    box_ious = prediction_checks.metrics_overlap.box_ious

    def counted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        measured.append(len(a))
        return box_ious(a, b)

    monkeypatch.setattr(prediction_checks.metrics_overlap, "box_ious", counted)
    best, _ = prediction_checks._best_ious(preds, labels)
    overlapping = sum(
        min(p[0] + p[2], q[0] + q[2]) > max(p[0], q[0]) and min(p[1] + p[3], q[1] + q[3]) > max(p[1], q[1])
        for p in preds
        for q in labels
    )
    assert sum(measured) == overlapping < len(preds) * len(labels) / 50
    assert (best > 0).all()  # each lies on its label

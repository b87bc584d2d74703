"""Lint with a model, on real photos and a real detector (yolo11n.onnx):

- ObjectLab figures equal cleanlab's own ``cleanlab.object_detection.rank`` (cleanlab >= 2.9, a test-only
  dependency) to 1e-6: image scores, the three pooled subscores and every per-box subscore;
- planted errors (one per box kind) are found as their kind and outrank everything on the clean labels;
- the first pass split over "workers" (pickled, merged in another order) gives the serial result.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.labels import SKIPPED_OVERLAPPING
from pixelproof.core.lint import (
    LintOptions,
    collect,
    dataset_figures,
    finish,
    image_works,
    lint_project,
    parse_rules,
)
from pixelproof.core.lint.checks import Context
from pixelproof.core.lint.classes import empty_classes
from pixelproof.core.lint.fixes import fingerprint, stamp
from pixelproof.core.lint.problems import KINDS, sort_key
from pixelproof.core.model import Annotation, Project
from tests.core.lint_scenes import PREDICTION_SCORE, box_scene

rank = pytest.importorskip("cleanlab.object_detection.rank")


@pytest.fixture(scope="module")
def scene(shared_fixtures: Path, shared_models: Path, tmp_path_factory: pytest.TempPathFactory):
    model = shared_models / "yolo11n.onnx"
    if not model.is_file():
        pytest.skip(f"{model} not found")
    pytest.importorskip("onnxruntime")
    return box_scene(tmp_path_factory.mktemp("boxes"), shared_fixtures / "labelme", model)


def fresh(scene) -> tuple[Project, dict[int, list[Annotation]]]:
    return pickle.loads(pickle.dumps(scene))


def move(a: Annotation, x: float, y: float, w: float, h: float) -> None:
    a.bbox, a.area = [float(x), float(y), float(w), float(h)], float(w * h)


def plant(project: Project) -> dict[str, tuple[int, int | None]]:
    """One error of each box kind on the clean labels; kind -> (image id, annotation id or None)."""
    by = {
        (project.images[a.image_id].file_name, project.categories[a.category_id].name): a.id
        for a in project.annotations.values()
    }

    def label(file: str, name: str) -> Annotation:
        return project.annotations[by[(file, name)]]

    planted = plant_model_kinds(project, label)
    planted.update(plant_rule_kinds(project, label, planted["bad_location"][1]))
    return planted


def plant_model_kinds(project: Project, label: Callable[[str, str], Annotation]) -> dict[str, tuple]:
    """The kinds ObjectLab finds: a removed label, a shrunk, a grown, a shifted box, a swapped class."""
    A = project.annotations
    cat = {c.name: c.id for c in project.categories.values()}
    planted: dict[str, tuple[int, int | None]] = {}
    moto = label("ski/motorcycle.png", "motorcycle")
    project.remove_annotation(moto.id)
    planted["missing_object"] = (moto.image_id, None)
    cup = label("ski/coffee.png", "cup")
    x, y, w, h = cup.bbox
    move(cup, x + w / 4, y + h / 4, w / 2, h / 2)
    planted["partial_box"] = (cup.image_id, cup.id)
    buses = sorted(
        (a for a in A.values() if project.categories[a.category_id].name == "bus"), key=lambda a: a.bbox[0]
    )
    bus = buses[0]  # the one at the left edge
    x, y, w, h = bus.bbox
    move(bus, 0, y - 0.4 * h, w * 1.8, h * 1.8)
    planted["oversized_box"] = (bus.image_id, bus.id)
    persons = sorted(
        (
            a
            for a in A.values()
            if project.images[a.image_id].file_name == "voc/2011_000003.jpg"
            and a.category_id == cat["person"]
        ),
        key=lambda a: a.bbox[0],
    )
    right = persons[-1]
    x, y, w, h = right.bbox
    move(right, x - 60, y, w, h)
    planted["bad_location"] = (right.image_id, right.id)
    bottle = label("voc/2011_000003.jpg", "bottle")
    bottle.category_id = cat["cup"]
    planted["wrong_class"] = (bottle.image_id, bottle.id)
    return planted


def plant_rule_kinds(
    project: Project, label: Callable[[str, str], Annotation], shifted: int | None
) -> dict[str, tuple]:
    """The kinds rules find, on other objects than the model kinds' (``shifted``: the moved person)."""
    A = project.annotations
    cat = {c.name: c.id for c in project.categories.values()}
    planted: dict[str, tuple[int, int | None]] = {}
    left = min(
        (
            a
            for a in A.values()
            if project.images[a.image_id].file_name == "voc/2011_000003.jpg"
            and a.category_id == cat["person"]
            and a.id != shifted
        ),
        key=lambda a: a.bbox[0],
    )
    nid = project.next_annotation_id()
    x, y, w, h = left.bbox
    project.add_annotation(Annotation(nid, left.image_id, left.category_id, [x + 1, y, w, h], None, w * h))
    planted["duplicate"] = (left.image_id, nid)
    small = min(
        (a for a in A.values() if project.images[a.image_id].file_name == "voc/2011_000006.jpg"),
        key=lambda a: a.area,
    )
    project.add_annotation(
        Annotation(nid + 1, small.image_id, cat["dog"], list(small.bbox), None, small.area)
    )
    planted["class_conflict"] = (small.image_id, nid + 1)
    other = next(a for a in A.values() if project.images[a.image_id].file_name == "voc/2011_000025.jpg")
    project.add_annotation(Annotation(nid + 2, other.image_id, cat["person"], [300, 300, 1, 1], None, 1.0))
    planted["tiny"] = (other.image_id, nid + 2)
    bowls = sorted((a for a in A.values() if a.category_id == cat["bowl"]), key=lambda a: a.bbox[1])
    x, y, w, h = bowls[-1].bbox
    move(bowls[-1], x - 40, y - 30, 120, 80)
    planted["box_too_large"] = (bowls[-1].image_id, bowls[-1].id)
    x, y, w, h = bowls[0].bbox
    move(bowls[0], x, project.images[bowls[0].image_id].height - h, w, h)
    planted["touches_border"] = (bowls[0].image_id, bowls[0].id)
    ball = label("ski/astronaut.png", "sports ball")
    x, y, w, h = ball.bbox
    move(ball, 400, y, w, h)
    planted["out_of_bounds"] = (ball.image_id, ball.id)
    seated = max(
        (
            a
            for a in A.values()
            if project.images[a.image_id].file_name == "voc/2011_000006.jpg"
            and a.category_id == cat["person"]
        ),
        key=lambda a: a.bbox[0] - 1000 * (a.bbox[2] < 60),
    )
    x, y, w, h = seated.bbox
    seated.segmentation = [[x, y, x + w, y, x + w, y + h, x, y + h]]
    planted["kind_not_allowed"] = (seated.image_id, seated.id)
    cat_label = label("ski/chelsea.png", "cat")
    project.remove_annotation(cat_label.id)
    project.set_image_status(cat_label.image_id, "done")
    planted["unlabeled_image"] = (cat_label.image_id, None)
    return planted


RULES = {
    "thresholds": {"confident": 0.5},  # yolo11n rarely scores 0.95
    "default": {"kinds": ["box"]},
    "classes": {"bowl": {"max_area": "2%", "border": False}},
}


# ------------------------------------------------------------------------------------------------
# cleanlab


def cleanlab_inputs(project: Project, predictions: dict[int, list[Annotation]]):
    """Our labels and predictions in cleanlab's format (class indices, xyxy, predictions grouped by
    class), and per image the order in which cleanlab lists the predictions."""
    index = {cid: k for k, cid in enumerate(sorted(project.categories))}
    labels, preds, orders = [], [], []
    for iid in sorted(project.images):
        anns = sorted((a for a in project.annotations_of(iid) if not a.iscrowd), key=lambda a: a.id)
        labels.append(
            {
                "bboxes": np.array([[x, y, x + w, y + h] for x, y, w, h in (a.bbox for a in anns)]).reshape(
                    -1, 4
                ),
                "labels": np.array([index[a.category_id] for a in anns], dtype=int),
            }
        )
        ps = predictions[iid]
        cls = np.array([index[p.category_id] for p in ps], dtype=int)
        rows = np.array(
            [[p.bbox[0], p.bbox[1], p.bbox[0] + p.bbox[2], p.bbox[1] + p.bbox[3], p.score] for p in ps]
        ).reshape(-1, 5)
        preds.append([rows[cls == k] for k in range(len(index))])
        orders.append(np.argsort(cls, kind="stable"))
    return labels, preds, orders


def compare_with_cleanlab(project: Project, predictions, high: float, monkeypatch) -> int:
    monkeypatch.setattr(rank, "HIGH_PROBABILITY_THRESHOLD", high)
    labels, preds, orders = cleanlab_inputs(project, predictions)
    theirs = rank.get_label_quality_scores(labels, preds, verbose=False)
    over = rank.compute_overlooked_box_scores(
        labels=labels, predictions=preds, high_probability_threshold=high
    )
    bad = rank.compute_badloc_box_scores(labels=labels, predictions=preds)
    swap = rank.compute_swap_box_scores(labels=labels, predictions=preds, high_probability_threshold=high)
    pooled = {
        name: rank.pool_box_scores_per_image(v) for name, v in (("over", over), ("bad", bad), ("swap", swap))
    }
    rules = parse_rules({"thresholds": {"confident": high}})
    result = lint_project(project, rules, predictions)
    compared = 0
    for n, iid in enumerate(sorted(project.images)):
        ours = result.image_scores[iid]
        assert ours.score == pytest.approx(theirs[n], abs=1e-6)
        assert ours.overlooked_image == pytest.approx(pooled["over"][n], abs=1e-6)
        assert ours.badloc_image == pytest.approx(pooled["bad"][n], abs=1e-6)
        assert ours.swap_image == pytest.approx(pooled["swap"][n], abs=1e-6)
        np.testing.assert_allclose(ours.overlooked[orders[n]], over[n], atol=1e-6)  # NaN where theirs are
        np.testing.assert_allclose(ours.badloc, bad[n], atol=1e-6)
        np.testing.assert_allclose(ours.swap, swap[n], atol=1e-6)
        compared += len(bad[n]) + len(over[n])
    return compared


@pytest.mark.parametrize("high", [0.95, 0.5])
def test_objectlab_equals_cleanlab_on_real_detections(scene, high: float, monkeypatch) -> None:
    """Clean labels and the same labels with planted errors; cleanlab's default confident threshold and
    0.5 (where yolo11n's detections are confident, so overlooked and swapped boxes are scored too)."""
    clean = fresh(scene)
    assert compare_with_cleanlab(*clean, high, monkeypatch) > 50
    project, predictions = fresh(scene)
    plant(project)
    compare_with_cleanlab(project, predictions, high, monkeypatch)
    result = lint_project(project, parse_rules({"thresholds": {"confident": high}}), predictions)
    scores = [s for s in result.image_scores.values()]
    if high == 0.5:  # the planted errors are visible to ObjectLab: not every subscore is trivial
        assert any(not np.isnan(s.overlooked).all() for s in scores)
        assert any((s.swap < 1).any() for s in scores)
        assert any((s.badloc < 0.6).any() for s in scores)


# ------------------------------------------------------------------------------------------------
# planted errors


def test_planted_box_errors_are_found_as_their_kind_and_ranked_first(scene) -> None:
    project, predictions = fresh(scene)
    before = len(project.annotations)
    planted = plant(project)
    result = lint_project(project, parse_rules(RULES), predictions)
    assert len(project.annotations) == before + 3 - 2  # lint added nothing (planting: +3 -2)
    planted_objects = {v for v in planted.values()}
    found = {}
    for kind, (iid, aid) in planted.items():
        hits = [p for p in result.problems if p.kind == kind and p.image_id == iid and p.annotation_id == aid]
        assert hits, f"{kind} not found on image {iid} annotation {aid}"
        found[kind] = hits[0]
    involved = {(iid, aid) for iid, aid in planted_objects if aid is not None}
    clean = [
        p
        for p in result.problems
        if (p.image_id, p.annotation_id) not in planted_objects and (p.image_id, p.related_id) not in involved
    ]
    assert max((p.score for p in clean), default=0.0) < 0.5  # no clean label is flagged
    assert min(p.score for p in found.values()) > max((p.score for p in clean), default=0.0)
    # the fixes say what to do
    assert found["missing_object"].fix["action"] == "add"
    assert (
        found["missing_object"].fix["annotation"]["category_id"] == project.category_by_name("motorcycle").id
    )
    assert found["wrong_class"].fix == {
        "action": "set_category",
        "annotation_id": planted["wrong_class"][1],
        "category_id": project.category_by_name("bottle").id,
        "category": "bottle",
        "expects": fingerprint(project.annotations[planted["wrong_class"][1]]),
    }
    assert found["partial_box"].fix["action"] == "set_bbox"
    dup = planted["duplicate"][1]
    assert found["duplicate"].fix == {
        "action": "delete",
        "annotation_id": dup,
        "expects": fingerprint(project.annotations[dup]),
    }
    assert found["unlabeled_image"].fix == {
        "action": "set_image_status",
        "image_id": planted["unlabeled_image"][0],
        "status": "todo",
    }


def test_kinds_and_min_score_select_what_is_listed(scene) -> None:
    project, predictions = fresh(scene)
    plant(project)
    rules = parse_rules(RULES)
    everything = lint_project(project, rules, predictions)
    some = lint_project(project, rules, predictions, LintOptions(frozenset({"partial_box", "tiny"}), 0.6))
    expected = [p.key for p in everything.problems if p.kind in ("partial_box", "tiny") and p.score >= 0.6]
    assert [p.key for p in some.problems] == expected and expected
    no_model = lint_project(project, rules)
    assert not {p.kind for p in no_model.problems} & {"missing_object", "partial_box", "wrong_class"}
    assert no_model.predictions is None and not no_model.image_scores


def test_first_pass_on_workers_gives_the_serial_result(scene) -> None:
    """Images linted in two separate batches (pickled as a process pool would), facts merged in another
    order: same problems, same ObjectLab scores as one serial run."""
    project, predictions = fresh(scene)
    plant(project)
    rules = parse_rules(RULES)
    serial = lint_project(project, rules, predictions)
    predicted = frozenset(p.category_id for preds in predictions.values() for p in preds)
    ctx = Context.make({cid: c.name for cid, c in project.categories.items()}, rules, None, predicted)
    works = image_works(project, predictions)
    batches = [pickle.dumps(works[0::2]), pickle.dumps(works[1::2])]
    facts = []
    for blob in reversed(batches):
        facts += [
            pickle.loads(pickle.dumps(collect(w, pickle.loads(pickle.dumps(ctx)))))
            for w in pickle.loads(blob)
        ]
    figures = dataset_figures(facts)
    problems, scores = [], {}
    for f in facts:
        found, s = finish(f, figures, ctx)
        for p in found:
            stamp(p.fix, project.annotations)  # as lint_project does
        problems += found
        scores[f.image_id] = s
    problems += empty_classes(project, KINDS)  # the project's own, as lint_project adds them
    problems.sort(key=sort_key)
    assert [p.to_dict() for p in problems] == [p.to_dict() for p in serial.problems]
    for iid, s in serial.image_scores.items():
        assert scores[iid].score == s.score


# ------------------------------------------------------------------------------------------------
# unsupported_label


def test_a_label_no_prediction_supports_is_found_and_ranked_below_the_evidenced(scene, monkeypatch) -> None:
    """A 3x250 px `person` sliver on an empty wall (a class under `outlier_min_objects`, so no statistic
    sees it) where yolo11n sees nothing: ObjectLab, as cleanlab computes it, calls it well located (badloc
    1.0) and not swapped, and nothing was flagged. It is now an `unsupported_label`, listed, but below
    every planted error the model gives evidence for; no clean label is one."""
    project, predictions = fresh(scene)
    clean = lint_project(project, parse_rules(RULES), predictions)
    assert not [p for p in clean.problems if p.kind == "unsupported_label"]
    planted = plant(project)
    image = next(i for i in project.images.values() if i.file_name == "voc/2011_000003.jpg")
    person = project.category_by_name("person").id
    sliver = Annotation(900, image.id, person, [20.0, 40.0, 3.0, 250.0], None, 750.0)
    project.add_annotation(sliver)
    result = lint_project(project, parse_rules(RULES), predictions)
    found = {p.annotation_id: p for p in result.problems if p.kind == "unsupported_label"}
    assert sliver.id in found and found[sliver.id].fix is None
    best = max(p.score for p in predictions[image.id])
    assert found[sliver.id].score == pytest.approx(0.6 * best) and found[sliver.id].score >= 0.5  # listed
    model_kinds = {"missing_object", "partial_box", "oversized_box", "bad_location", "wrong_class"}
    evidenced = [
        p
        for p in result.problems
        if p.kind in model_kinds and (p.image_id, p.annotation_id) == planted[p.kind]
    ]
    assert len(evidenced) == len(model_kinds)
    assert max(p.score for p in found.values()) < min(p.score for p in evidenced)
    assert set(found) <= {sliver.id, planted["tiny"][1]}  # the planted 1-px person has no support either
    # cleanlab's own figures: every label found so is well located (badloc 1.0) and the sliver is not
    # swapped: ObjectLab cannot list them
    monkeypatch.setattr(rank, "HIGH_PROBABILITY_THRESHOLD", 0.5)
    labels, preds, _ = cleanlab_inputs(project, predictions)
    bad = rank.compute_badloc_box_scores(labels=labels, predictions=preds)
    swap = rank.compute_swap_box_scores(labels=labels, predictions=preds, high_probability_threshold=0.5)
    for p in found.values():
        n = sorted(project.images).index(p.image_id)
        row = sorted(a.id for a in project.annotations_of(p.image_id) if not a.iscrowd).index(p.annotation_id)
        assert bad[n][row] == 1.0
        if p.annotation_id == sliver.id:
            assert swap[n][row] > 0.99


# ------------------------------------------------------------------------------------------------
# pending predictions made skipping the labelled objects


def test_pending_predictions_made_skipping_labelled_objects_do_not_judge_the_labels(
    scene, shared_models
) -> None:
    """`prelabel` skips by default the predictions repeating a label: `lint --predictions pending` then
    judged each label against the leftovers, its own prediction gone, and listed a bus "shifted from the
    object the model sees (box IoU 0.03)" at 0.97 and persons no prediction supports, none of which the
    model's full predictions show. The predictions now record the skipping, and lint leaves out the kinds
    that need a label's own prediction; those it still judges (missing_object, wrong_class) are the full
    run's."""
    from pixelproof.core.lint import pending_predictions
    from pixelproof.core.lint.predictions import BLIND_WHEN_SKIPPED
    from pixelproof.inference.apply import prelabel_project
    from pixelproof.inference.registry import get_backend

    project, predictions = fresh(scene)
    plant(project)
    full = lint_project(project, parse_rules(RULES), predictions)
    backend = get_backend("yolo-onnx")
    backend.configure(model_path=str(shared_models / "yolo11n.onnx"), score_threshold=PREDICTION_SCORE)
    kept = pickle.loads(pickle.dumps(project))
    assert prelabel_project(project, backend, only_existing=True, skip_existing=0.5).skipped > 0
    result = lint_project(project, parse_rules(RULES), pending_predictions(project)[0])
    assert result.options["predictions_skipped_overlapping"] == 0.5
    assert result.options["images_skipped_overlapping"] > 0  # (the kinds are left out on those images)
    assert not [p for p in result.problems if p.kind in BLIND_WHEN_SKIPPED]
    judged = {p.key for p in result.problems if p.kind in ("missing_object", "wrong_class")}
    assert judged and judged <= {p.key for p in full.problems}
    # pre-labeled keeping them all: every kind is judged, as with the model's own predictions
    prelabel_project(kept, backend, only_existing=True, skip_existing=None)
    result = lint_project(kept, parse_rules(RULES), pending_predictions(kept)[0])
    assert result.options["predictions_skipped_overlapping"] is None
    assert set(BLIND_WHEN_SKIPPED) <= set(result.options["kinds"])


def test_predictions_skipping_repeats_on_some_images_leave_the_other_images_judged(
    scene, shared_models
) -> None:
    """One pending prediction marked as pre-labeled skipping repeats left out partial_box, oversized_box,
    bad_location, ... for the whole project, also on images whose predictions came from a run keeping
    them all. They are now left out on the marked images only, and the note says on how many."""
    from pixelproof.core.lint import pending_predictions
    from pixelproof.core.lint.predictions import BLIND_WHEN_SKIPPED, skipped_note
    from pixelproof.inference.apply import prelabel_project
    from pixelproof.inference.registry import get_backend

    project, predictions = fresh(scene)
    plant(project)
    full = lint_project(project, parse_rules(RULES), predictions)
    blind = {p.image_id for p in full.problems if p.kind in BLIND_WHEN_SKIPPED}
    assert blind
    backend = get_backend("yolo-onnx")
    backend.configure(model_path=str(shared_models / "yolo11n.onnx"), score_threshold=PREDICTION_SCORE)
    keeping = [im for im in project.images.values() if im.id in blind]
    skipping = [im for im in project.images.values() if im.id not in blind]
    prelabel_project(project, backend, keeping, only_existing=True, skip_existing=None)
    assert prelabel_project(project, backend, skipping, only_existing=True, skip_existing=0.5).skipped > 0
    result = lint_project(project, parse_rules(RULES), pending_predictions(project)[0])
    judged = {(p.kind, p.image_id, p.annotation_id) for p in result.problems if p.kind in BLIND_WHEN_SKIPPED}
    expected = {(p.kind, p.image_id, p.annotation_id) for p in full.problems if p.kind in BLIND_WHEN_SKIPPED}
    assert judged and judged <= expected and {i for _, i, _ in judged} <= blind
    marked = {
        im.id
        for im in skipping
        if any(SKIPPED_OVERLAPPING in a.app_extra for a in project.annotations_of(im.id))
    }
    assert marked and result.options["images_skipped_overlapping"] == len(marked)
    assert f"on {len(marked)} images" in skipped_note(
        result.options["predictions_skipped_overlapping"], len(marked)
    )

"""QA after an edit scores again only the images the edit touched (``run_qa(cache=...)``, the review view's
refresh), and its result - every table, mean, count, AP, the confusion matrix, volumes, problems and the
JSON report - is the one a run from nothing gives. What every image depends on scores them all again."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import masks, qa_batch
from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo
from pixelproof.core.edits import (
    AddAnnotations,
    AddCategory,
    RemoveAnnotations,
    ReplaceAnnotations,
    ReplaceCategory,
    ReviewDecision,
)
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Category, Project
from pixelproof.core.qa import QAOptions, QAResult, run_qa
from pixelproof.core.qa_cache import ScoreCache
from pixelproof.core.report import to_dict
from pixelproof.interop.references import load_reference
from tests.core.test_qa_volumes import box_volume, volume_project


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The candidate image ids ``score_image`` is called for, in order (every QA task calls it)."""
    calls: list[int] = []
    real = qa_batch.score_image

    def counting(pair, *args, **kw):  # type: ignore[no-untyped-def]
        calls.append(pair.cand.id)
        return real(pair, *args, **kw)

    monkeypatch.setattr(qa_batch, "score_image", counting)
    return calls


@pytest.fixture
def demo(tmp_path: Path) -> tuple:
    project_file = install_demo(tmp_path / "demo")
    candidate = load_project(project_file)
    return load_reference(project_file.parent / "reference.json", candidate), candidate


def report(result: QAResult) -> str:
    """Everything a run gives, as text (NaN compares equal as text)."""
    data = to_dict(result, "reference.json", "project.json")
    data["image_table"] = result.image_table()
    data["worst_images"] = result.worst_images()
    data["confusion_images"] = sorted(result.confusion_images.items())
    data["pairs"] = [(p.file_name, p.ref.id, p.cand.id) for p in result.pairs]
    data["images_scored"] = result.images_scored
    return json.dumps(data, sort_keys=True, default=repr)


def refresh(reference, candidate: Project, cache: ScoreCache, scored: list[int], options=None) -> tuple:  # type: ignore[no-untyped-def]
    """A run with ``cache`` on a snapshot (as the view scores one), checked against a run from nothing: its
    result and the images it scored."""
    scored.clear()
    result = run_qa(reference, candidate.snapshot(), options, cache=cache)
    calls = list(scored)
    assert report(result) == report(run_qa(reference, candidate.snapshot(), options))
    return result, calls


def test_an_edit_scores_that_image_again_and_the_result_is_a_full_runs(demo, scored) -> None:
    reference, cand = demo
    cache = ScoreCache()
    first, calls = refresh(reference, cand, cache, scored)
    assert sorted(calls) == sorted(cand.images) and (cache.scored, cache.reused) == (10, 0)
    coins = cand.image_by_file_name("images/coins.png").id
    RemoveAnnotations([next(iter(cand.annotations_of(coins))).id]).apply(cand)
    result, calls = refresh(reference, cand, cache, scored)
    assert calls == [coins] and (cache.scored, cache.reused) == (1, 9)
    row = next(r for r in result.image_table() if r["image_id"] == coins)
    before = next(r for r in first.image_table() if r["image_id"] == coins)
    assert (row["fn"], row["tp"]) == (before["fn"] + 1, before["tp"] - 1)  # the edit shows
    assert result.summary()["fn"] == first.summary()["fn"] + 1


def test_moving_a_polygon_relabelling_and_undoing_score_one_image_each(demo, scored) -> None:
    reference, cand = demo
    cache = ScoreCache()
    refresh(reference, cand, cache, scored)
    coffee = cand.image_by_file_name("images/coffee.jpg").id
    cup = next(iter(cand.annotations_of(coffee)))
    moved = clone(cup)
    moved.segmentation = [[v + 12 if k % 2 == 0 else v for k, v in enumerate(p)] for p in cup.segmentation]
    moved.bbox = [cup.bbox[0] + 12, *cup.bbox[1:]]
    edit = ReplaceAnnotations([moved])
    edit.apply(cand)
    moved_result, calls = refresh(reference, cand, cache, scored)
    assert calls == [coffee]
    edit.revert(cand)  # undo: the object as it was, scored again
    result, calls = refresh(reference, cand, cache, scored)
    assert calls == [coffee] and report(result) != report(moved_result)
    chelsea = cand.image_by_file_name("images/chelsea.jpg").id
    relabelled = clone(next(iter(cand.annotations_of(chelsea))))
    relabelled.category_id = next(k for k, c in cand.categories.items() if c.name == "cup")  # a used class
    ReplaceAnnotations([relabelled]).apply(cand)
    result, calls = refresh(reference, cand, cache, scored)
    assert calls == [chelsea]
    assert any(r.status == "wrong_class" and r.image_id == chelsea for r in result.per_object)


def test_a_decision_rescores_its_image_for_the_object_rows(demo, scored) -> None:
    """Decisions change no figure but are in the object rows and image_reviews of the reports."""
    reference, cand = demo
    cache = ScoreCache()
    refresh(reference, cand, cache, scored)
    coins = cand.image_by_file_name("images/coins.png").id
    first = min(a.id for a in cand.annotations_of(coins))
    ReviewDecision(cand, coins, "rejected", "rim", [first]).apply(cand)
    cell = cand.image_by_file_name("images/cell.png").id
    ReviewDecision(cand, cell, "accepted", "fine").apply(cand)
    result, calls = refresh(reference, cand, cache, scored)
    assert sorted(calls) == sorted([coins, cell])
    row = next(r for r in result.per_object if r.cand_id == first)
    assert (row.review, row.note) == ("rejected", "rim")
    assert {"file_name": "images/cell.png", "image_id": cell, "review": "accepted", "note": "fine"} in (
        result.image_reviews
    )


def test_a_colour_keeps_every_score_and_a_rename_scores_all(demo, scored) -> None:
    reference, cand = demo
    cache = ScoreCache()
    refresh(reference, cand, cache, scored)
    ReplaceCategory(replace(cand.categories[1], color="#123456")).apply(cand)
    _, calls = refresh(reference, cand, cache, scored)
    assert calls == [] and (cache.scored, cache.reused) == (0, 10)
    ReplaceCategory(replace(cand.categories[1], name="coins")).apply(cand)
    result, calls = refresh(reference, cand, cache, scored)
    assert sorted(calls) == sorted(cand.images) and "coins" in result.categories


def test_a_class_drawn_for_the_first_time_scores_every_image(demo, scored) -> None:
    """Every image has a row per class scored: a class drawn for the first time must be in all of them."""
    reference, cand = demo
    cache = ScoreCache()
    AddCategory(Category(99, "dog")).apply(cand)
    refresh(reference, cand, cache, scored)
    m = np.zeros((300, 451), bool)
    m[10:40, 10:60] = True
    chelsea = cand.image_by_file_name("images/chelsea.jpg").id
    AddAnnotations([Annotation(500, chelsea, 99, masks.bbox(m), masks.encode(m), float(m.sum()))]).apply(cand)
    result, calls = refresh(reference, cand, cache, scored)
    assert sorted(calls) == sorted(cand.images) and "dog" in result.categories
    assert {r.image_id for r in result.per_image if r.category == "dog"} == set(cand.images)


def test_other_settings_or_another_reference_score_every_image(demo, scored, tmp_path: Path) -> None:
    reference, cand = demo
    cache = ScoreCache()
    refresh(reference, cand, cache, scored)
    strict = QAOptions(iou_threshold=0.7)
    assert len(refresh(reference, cand, cache, scored, strict)[1]) == 10
    assert refresh(reference, cand, cache, scored, QAOptions(iou_threshold=0.7))[1] == []  # equal settings
    tau = QAOptions(iou_threshold=0.7, nsd_tau_by_class={"coin": 4.0})
    assert len(refresh(reference, cand, cache, scored, tau)[1]) == 10
    again = load_reference(tmp_path / "demo" / "reference.json", cand)  # the file read again
    assert len(refresh(again, cand, cache, scored, tau)[1]) == 10


def test_a_changed_image_record_scores_that_pair_again(demo, scored) -> None:
    """A pixel spacing given to one image changes its distances' unit: that pair only."""
    reference, cand = demo
    cache = ScoreCache()
    refresh(reference, cand, cache, scored)
    coins = cand.image_by_file_name("images/coins.png")
    cand.images[coins.id] = replace(coins, extra={**coins.extra, "pixel_spacing": [0.5, 0.5]})
    result, calls = refresh(reference, cand, cache, scored)
    assert calls == [coins.id]
    assert next(r for r in result.image_table() if r["image_id"] == coins.id)["unit"] == "mm"


def test_a_pair_that_cannot_be_scored_is_tried_again(demo, scored) -> None:
    reference, cand = demo
    coins = cand.image_by_file_name("images/coins.png").id
    broken = clone(next(iter(cand.annotations_of(coins))))
    broken.segmentation = {"size": [303, 384], "counts": "not RLE at all ))"}
    ReplaceAnnotations([broken]).apply(cand)
    cache = ScoreCache()
    for _ in range(2):
        result, _calls = refresh(reference, cand, cache, scored)
        assert any(p.startswith("images/coins.png: could not be scored") for p in result.problems)
    assert (cache.scored, cache.reused) == (1, 9)  # not kept as a failure: tried again


def test_a_copy_is_filled_without_touching_the_original(demo, scored) -> None:
    """A background run fills a copy; the view's cache stays as it was until it takes the copy."""
    reference, cand = demo
    cache = ScoreCache()
    refresh(reference, cand, cache, scored)
    coins = cand.image_by_file_name("images/coins.png").id
    RemoveAnnotations([next(iter(cand.annotations_of(coins))).id]).apply(cand)
    other = cache.copy()
    assert refresh(reference, cand, other, scored)[1] == [coins]
    assert refresh(reference, cand, other, scored)[1] == []
    assert refresh(reference, cand, cache, scored)[1] == [coins]  # it still held the score before the edit


def test_the_executor_is_made_for_the_pairs_to_score(demo) -> None:
    """A refresh that scores one pair asks for an executor of one (no worker processes for 500 images);
    one that scores none asks for none."""
    from pixelproof.core.batch import SerialExecutor

    reference, cand = demo
    sizes: list[int] = []

    def executor_for(n: int) -> SerialExecutor:
        sizes.append(n)
        return SerialExecutor()

    cache = ScoreCache()
    run_qa(reference, cand.snapshot(), executor=executor_for, cache=cache)
    run_qa(reference, cand.snapshot(), executor=executor_for, cache=cache)
    coins = cand.image_by_file_name("images/coins.png").id
    RemoveAnnotations([next(iter(cand.annotations_of(coins))).id]).apply(cand)
    run_qa(reference, cand.snapshot(), executor=executor_for, cache=cache)
    assert sizes == [10, 1]


def test_a_volume_refreshed_after_one_slice_is_edited_is_the_full_runs(scored) -> None:
    """The 3D rows are made again from every slice's masks, the kept slices' with the new one's; a
    reference slice the candidate lacks is still counted as missed."""
    names = [f"ct.nii.gz#z={k:03d}" for k in range(10)]
    positions = [2.5 * k for k in range(10)]
    reference = volume_project(names, box_volume(2, 7), positions)
    cand = volume_project(names[:9], box_volume(3, 8), positions[:9])
    cache = ScoreCache()
    first, _ = refresh(reference, cand, cache, scored)
    assert first.per_volume and first.unmatched_reference == ["ct.nii.gz#z=009"]
    RemoveAnnotations([6]).apply(cand)  # slice z=005's object (image 6)
    result, calls = refresh(reference, cand, cache, scored)
    assert calls == [6]
    assert result.per_volume[0].value("dice") < first.per_volume[0].value("dice")


def test_reference_images_the_candidate_lacks_are_counted_once(demo, scored, monkeypatch) -> None:
    """Their objects count as missed in every run; a refresh takes the counts kept, not decoding them."""
    from pixelproof.core import qa_unmatched

    reference, whole = demo
    lacking = {"images/coins.png", "images/cell.png"}
    cand = whole.snapshot(image_ids=[i for i, im in whole.images.items() if im.file_name not in lacking])
    counted: list[int] = []
    real = qa_unmatched._missed
    monkeypatch.setattr(qa_unmatched, "_missed", lambda p, image: counted.append(image.id) or real(p, image))
    cache = ScoreCache()
    first = run_qa(reference, cand.snapshot(), cache=cache)
    assert len(counted) == 2 and sorted(first.unmatched_reference) == sorted(lacking)
    assert sum(c.fn for c in first.missed.values()) > 0
    chelsea = cand.image_by_file_name("images/chelsea.jpg").id
    RemoveAnnotations([next(iter(cand.annotations_of(chelsea))).id]).apply(cand)
    counted.clear()
    _, calls = refresh(reference, cand, cache, scored)  # checked against a full run
    assert calls == [chelsea] and len(counted) == 2  # the full run's two, none of the refresh's

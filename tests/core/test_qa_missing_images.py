"""A reference image the candidate lacks: pycocotools' ``COCOeval`` takes its images from the ground truth,
so every reference object on an image without detections is missed. QA's AP (summary, per class, the
precision-recall curves) must equal COCOeval's on such a candidate, and QA's object counts (``fn``,
recall, F1, PQ) and confusion matrix must count those objects as missed too: the same figures as a
candidate holding the image with nothing on it."""

from __future__ import annotations

import json
import math

from pixelproof.core import coco
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import QAResult, run_qa
from pixelproof.core.qa_tables import StreamedRows
from pixelproof.core.wording import plural
from tests.core.test_qa_ap import candidate_data, check_against_cocoeval, reference_data


def _without_images(data: dict, gone: set[int]) -> dict:
    return {
        **data,
        "images": [im for im in data["images"] if im["id"] not in gone],
        "annotations": [a for a in data["annotations"] if a["image_id"] not in gone],
    }


def _lacking_candidate(shared_fixtures) -> tuple[dict, dict, set[int]]:
    ref = reference_data(shared_fixtures)
    cand, _ = candidate_data(ref, seed=2)
    ids = sorted(im["id"] for im in ref["images"])
    gone = {ids[0], ids[-1]}
    assert any(a["image_id"] in gone for a in ref["annotations"])
    return ref, cand, gone


def test_ap_counts_the_objects_of_a_reference_image_the_candidate_lacks_as_missed(tmp_path, shared_fixtures):
    ref, cand, gone = _lacking_candidate(shared_fixtures)
    result = check_against_cocoeval(tmp_path, ref, _without_images(cand, gone))
    assert len(result.unmatched_reference) == len(gone)


def test_object_counts_and_confusion_count_a_lacking_image_as_an_empty_one(tmp_path, shared_fixtures):
    """Lacking an image scores as holding it with no objects, for every object figure and AP; the pixel
    figures (Dice, IoU...) stay over the image pairs scored."""
    ref, cand, gone = _lacking_candidate(shared_fixtures)
    empty = {**cand, "annotations": [a for a in cand["annotations"] if a["image_id"] not in gone]}
    files = {}
    for name, data in (("ref", ref), ("lacking", _without_images(cand, gone)), ("empty", empty)):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(data))
    reference = coco.load_project(files["ref"])
    lacking = run_qa(reference, coco.load_project(files["lacking"]))
    held = run_qa(reference, coco.load_project(files["empty"]))
    fields = ("tp", "fp", "fn", "wrong_class", "precision", "recall", "f1", "pq", "rq", "sq")
    missed = sum(1 for a in ref["annotations"] if a["image_id"] in gone and not a["iscrowd"])
    for got, want in [
        (lacking.summary(), held.summary()),
        *zip(lacking.per_class(), held.per_class(), strict=True),
    ]:
        for f in fields:
            assert got[f] == want[f] or (math.isnan(got[f]) and math.isnan(want[f])), (f, got, want)
    s = lacking.summary()
    assert s["unmatched_reference_objects"] == missed > 0, s
    assert s["images"] == held.summary()["images"] - len(gone)
    assert lacking.confusion == held.confusion
    assert lacking.ap == held.ap
    with StreamedRows() as rows:  # the CLI's way: the same counts without the rows
        streamed = run_qa(reference, coco.load_project(files["lacking"]), stream=rows)
        for got, want in [
            (streamed.summary(), s),
            *zip(streamed.per_class(), lacking.per_class(), strict=True),
        ]:
            assert all(got[f] == want[f] or (math.isnan(got[f]) and math.isnan(want[f])) for f in fields)


def test_the_html_report_says_the_lacking_images_objects_count_as_missed(tmp_path, shared_fixtures):
    from pixelproof.core.report import to_dict, write_html
    from pixelproof.core.report_ap import missed_note

    ref, cand, gone = _lacking_candidate(shared_fixtures)
    for name, data in (("ref", ref), ("cand", _without_images(cand, gone))):
        (tmp_path / f"{name}.json").write_text(json.dumps(data))
    result = run_qa(coco.load_project(tmp_path / "ref.json"), coco.load_project(tmp_path / "cand.json"))
    data = to_dict(result, "ref.json", "cand.json")
    n = data["summary"]["unmatched_reference_objects"]
    assert n > 0 and f" {plural(n, 'reference object')} counted as missed" in missed_note(data["summary"])
    write_html(data, tmp_path / "qa.html", result)
    assert missed_note(data["summary"]) in (tmp_path / "qa.html").read_text()


def _slide_reference(lacking: bool) -> tuple[Project, Project]:
    """A reference of two slides, the second holding a tissue mask over the pixel limit decoded at once
    (stored cropped at its ``rle_origin``, as the loader wants one this big); the candidate lacks it or
    holds it empty."""
    from pixelproof.core.limits import RLE_ORIGIN

    side, mask = 100_000, 20_000

    def slides(ids: list[int]) -> Project:
        p = Project(categories={1: Category(1, "tissue")})
        for i in ids:
            p.add_image(ImageRecord(i, f"s{i}.tif", side, side))
        return p

    ref = slides([1, 2])
    ref.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 5.0, 5.0]))
    rle = {"size": [mask, mask], "counts": [0, 1, mask * mask - 2, 1]}  # its corners: every column
    big = Annotation(2, 2, 1, [0.0, 0.0, float(mask), float(mask)], rle, area=2.0)
    big.app_extra[RLE_ORIGIN] = [0, 0]
    ref.add_annotation(big)
    cand = slides([1] if lacking else [1, 2])
    cand.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 5.0, 5.0], score=0.9))
    return ref, cand


def test_an_object_that_cannot_be_decoded_on_a_lacking_image_is_said_not_raised():
    """An object QA cannot decode (a mask over the pixel limit) on a reference image the candidate lacks
    raised out of ``run_qa``: ``pixelproof qa`` ended in a traceback, the review view's run failed. It is
    said as for a pair that cannot be scored, naming the image, and the rest is scored."""
    held = run_qa(*_slide_reference(lacking=False))
    assert any(p.startswith("s2.tif: could not be scored: LimitError") for p in held.problems), held.problems
    result = run_qa(*_slide_reference(lacking=True))
    assert any(p.startswith("s2.tif: could not be") and "LimitError" in p for p in result.problems), (
        result.problems
    )
    s, h = result.summary(), held.summary()
    assert (s["tp"], s["fn"], s["unmatched_reference_objects"]) == (h["tp"], h["fn"], 0) == (1, 0, 0)


def test_the_void_regions_of_lacking_images_are_not_kept_with_the_result():
    """Counting a lacking image's objects as missed kept its void mask (KITTI's DontCare boxes, a full
    image of bytes) in the result's reference for as long as the result lived (the review view's whole
    session): a candidate lacking most of a dataset held gigabytes. A lacking image now holds no more
    memory after the run than the same image held empty by the candidate."""
    import gc
    import tracemalloc

    images = 16

    def project(ids: list[int], objects: bool) -> Project:
        p = Project(categories={1: Category(1, "car"), 2: Category(2, "DontCare", app_extra={"void": True})})
        for i in ids:
            p.add_image(ImageRecord(i, f"im{i}.png", 1000, 1000))
            if objects:
                p.add_annotation(Annotation(2 * i, i, 1, [10.0, 10.0, 50.0, 50.0]))
                p.add_annotation(Annotation(2 * i + 1, i, 2, [500.0, 500.0, 80.0, 80.0]))
        return p

    def retained(candidate_ids: list[int]) -> tuple[int, QAResult]:
        reference, candidate = project(list(range(1, images + 1)), True), project(candidate_ids, False)
        gc.collect()
        tracemalloc.start()
        try:
            result = run_qa(reference, candidate)
            gc.collect()
            return tracemalloc.get_traced_memory()[0], result
        finally:
            tracemalloc.stop()

    held, held_result = retained(list(range(1, images + 1)))
    lacking, lacking_result = retained([1])
    assert lacking_result.summary()["fn"] == held_result.summary()["fn"] == images
    assert lacking < held + 2_000_000, (lacking, held)  # 16 void masks of 1,000,000 bytes were 16 MB more

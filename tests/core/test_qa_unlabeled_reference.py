"""QA scores a candidate only where the reference has labelled: a reference image with no objects that is
not marked Done or Reviewed (in a project that marks images so) was never looked at, so a candidate's
object there is no false alarm and an empty candidate no agreement. An image both left empty after a
check agrees; a false alarm on a reference image checked and found empty is a false positive."""

from __future__ import annotations

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.qa import run_qa

NAMES = ["defect.png", "good.png", "good2.png", "unseen.png"]


def _project(boxes: dict[str, list[float]], statuses: dict[str, str]) -> Project:
    project = new_project(["pore"])
    for i, name in enumerate(NAMES, start=1):
        project.add_image(ImageRecord(i, name, 50, 40))
    for name, box in boxes.items():
        image = project.image_by_file_name(name)
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, box, None, box[2] * box[3])
        )
    for name, status in statuses.items():
        project.set_image_status(project.image_by_file_name(name).id, status)
    return project


DEFECT = [10.0, 10.0, 6.0, 6.0]
ALARM = [30.0, 20.0, 5.0, 5.0]


def test_unlabelled_reference_image_is_not_scored_and_is_named() -> None:
    ref = _project(
        {"defect.png": DEFECT}, {"defect.png": "done", "good.png": "done", "good2.png": "reviewed"}
    )
    cand = _project({"defect.png": DEFECT, "good.png": ALARM, "unseen.png": ALARM}, {})
    result = run_qa(ref, cand)
    summary = result.summary()
    assert (summary["tp"], summary["fp"], summary["fn"]) == (1, 1, 0)  # the alarm on good.png only
    assert summary["images"] == 3
    assert {r.file_name for r in result.per_image} == {"defect.png", "good.png", "good2.png"}
    both_empty = [r for r in result.per_image if r.file_name == "good2.png"]
    assert len(both_empty) == 1 and both_empty[0].comparison.both_empty
    note = [p for p in result.problems if "unseen.png" in p]
    assert len(note) == 1 and "not labelled" in note[0], result.problems


def test_reference_without_marks_scores_every_image() -> None:
    ref = _project({"defect.png": DEFECT}, {})
    cand = _project({"defect.png": DEFECT, "good.png": ALARM, "unseen.png": ALARM}, {})
    summary = run_qa(ref, cand).summary()
    assert (summary["tp"], summary["fp"], summary["images"]) == (1, 2, 4)

"""A reference's objects pending review (a model's proposals nobody accepted, consensus objects) are no
ground truth, and neither are those a reviewer rejected, as exports and lint take them: QA scores against
the reference's labels only, says so in its problems, and does not score a reference image the rejections
leave wrong (every object rejected, or the image rejected as a whole). The candidate's objects are scored
as before, pending or not: a model's predictions against a reference is what QA is for."""

from __future__ import annotations

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.qa import run_qa

NAMES = ["a.png", "b.png", "c.png"]
DEFECT = [10.0, 10.0, 6.0, 6.0]
ALARM = [30.0, 20.0, 5.0, 5.0]
MODEL = "model:detector"


def _project(
    objects: dict[str, list[tuple[list[float], dict[str, str]]]], statuses: dict[str, str]
) -> Project:
    project = new_project(["pore"])
    for i, name in enumerate(NAMES, start=1):
        project.add_image(ImageRecord(i, name, 50, 40))
    for name, drawn in objects.items():
        image = project.image_by_file_name(name)
        for box, fields in drawn:
            ann = Annotation(project.next_annotation_id(), image.id, 1, box, None, box[2] * box[3])
            for key, value in fields.items():
                setattr(ann, key, value)
            project.add_annotation(ann)
    for name, status in statuses.items():
        project.set_image_status(project.image_by_file_name(name).id, status)
    return project


PENDING = {"source": MODEL, "review": "pending"}
CONSENSUS = {"source": "consensus:staple", "review": "pending"}
REJECTED = {"review": "rejected"}
CANDIDATE = {name: [(DEFECT, PENDING), (ALARM, PENDING)] for name in NAMES}  # a model's predictions


def _counts(reference: Project) -> tuple[int, int, int, int]:
    s = run_qa(reference, _project(CANDIDATE, {})).summary()
    return s["tp"], s["fp"], s["fn"], s["images"]


def test_pending_reference_objects_are_no_ground_truth() -> None:
    done = {name: "done" for name in NAMES}
    ref = _project(
        {"a.png": [(DEFECT, {}), (ALARM, PENDING)], "b.png": [(DEFECT, {}), (ALARM, CONSENSUS)]}, done
    )
    drawn_only = _project({"a.png": [(DEFECT, {})], "b.png": [(DEFECT, {})]}, done)
    assert _counts(ref) == _counts(drawn_only) == (2, 4, 0, 3)  # the candidate's pending objects scored
    result = run_qa(ref, _project(CANDIDATE, {}))
    note = [p for p in result.problems if "pending" in p]
    assert len(note) == 1 and note[0].startswith("2 reference objects pending review"), result.problems
    assert "a.png" in note[0] and "b.png" in note[0]
    assert not any(a.review == "pending" for a in result.reference.project.annotations.values())  # as drawn
    assert len(ref.annotations) == 4  # the reference itself is left as it was


def test_an_image_of_pending_objects_only_is_not_labelled() -> None:
    """No image marked: the one holding only a model's proposals was not labelled by anyone (as exports),
    and a model having pre-labelled the reference, neither was the empty one it found nothing on."""
    ref = _project({"a.png": [(DEFECT, {})], "b.png": [(DEFECT, PENDING)]}, {})
    result = run_qa(ref, _project(CANDIDATE, {}))
    assert {r.file_name for r in result.per_image} == {"a.png"}
    note = [p for p in result.problems if "b.png" in p and "c.png" in p and "not labelled yet" in p]
    assert len(note) == 1, result.problems


def test_rejected_reference_objects_are_no_ground_truth() -> None:
    done = {name: "done" for name in NAMES}
    ref = _project({"a.png": [(DEFECT, {}), (ALARM, REJECTED)], "b.png": [(DEFECT, REJECTED)]}, done)
    ref.app["image_review"] = {"3": {"review": "rejected", "note": "a pore missed"}}
    result = run_qa(ref, _project(CANDIDATE, {}))
    assert {r.file_name for r in result.per_image} == {"a.png"}  # b.png: every object rejected; c.png: whole
    s = result.summary()
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)
    objects = [p for p in result.problems if p.startswith("2 reference objects rejected in review")]
    assert len(objects) == 1 and "a.png" in objects[0] and "b.png" in objects[0], result.problems
    images = [p for p in result.problems if "b.png" in p and "c.png" in p and "not scored" in p]
    assert len(images) == 1 and images[0].startswith("2 reference images"), result.problems

"""Objects a reviewer rejected (review ``rejected``: the review view's Reject Object) are labels the reviewer
said are wrong: every export leaves them out unless told ``rejected="keep"`` (a team that reviews a
labeller's work and exports it for training would otherwise train on them). An image whose every object was
rejected, or that the reviewer rejected as a whole (a missed object has no object to reject), is left out
too, Done or Reviewed: written without them it would say nothing is there. Label Studio does not propose a
rejected model object again as a prediction. The project itself keeps them."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord, Project
from pixelproof.interop.formats import FORMATS
from tests.interop.test_pending_export import MODEL, _out, _read_back, _square, _write
from tests.interop.test_unlabeled_export import FORMAT_NAMES


def _project(tmp_path: Path) -> Project:
    """``labelled.png`` (a pore drawn by hand, Done); ``mixed.png`` (one by hand, and a model's object a
    reviewer rejected, Done); ``rejected.png`` (only a labeller's object the reviewer rejected, Done);
    ``whole.png`` (an accepted object, the image rejected as a whole, Reviewed)."""
    src = tmp_path / "src"
    src.mkdir(parents=True)
    project = new_project(["pore"])
    for i, name in enumerate(["labelled.png", "mixed.png", "rejected.png", "whole.png"], start=1):
        Image.fromarray(np.full((40, 60), 100 + i, dtype=np.uint8)).save(src / name)
        project.add_image(ImageRecord(i, name, 60, 40))
        project.set_image_status(i, "done")
    project.add_annotation(_square(1, 1, 4.0, 8.0))
    project.add_annotation(_square(2, 2, 4.0, 8.0))
    project.add_annotation(_square(3, 2, 30.0, 12.0, score=0.8, source=MODEL, review="rejected"))
    project.add_annotation(_square(4, 3, 20.0, 10.0, review="rejected", note="not a pore"))
    project.add_annotation(_square(5, 4, 40.0, 8.0, review="accepted"))
    project.set_image_status(4, "reviewed")
    project.app["image_review"] = {"4": {"review": "rejected", "note": "a pore missed", "updated": "t0"}}
    project.path = src / "project.json"
    return project


def _write_to(tmp_path: Path, fmt: str, project: Project, name: str, **opts: object) -> Path:
    out = _out(tmp_path, fmt, name)
    _write(fmt, project, out, **opts)
    return out


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_rejected_objects_are_left_out_and_named(tmp_path: Path, fmt: str) -> None:
    project = _project(tmp_path)
    before = copy.deepcopy(project)
    out = _out(tmp_path, fmt, "out")
    warnings = _write(fmt, project, out)
    assert project == before  # the project keeps them
    got = _read_back(fmt, out)
    # the same writer on the project with the rejected objects and the images they leave wrong deleted by
    # hand
    by_hand = copy.deepcopy(project)
    for ann_id in (3, 4):
        by_hand.remove_annotation(ann_id)
    for image_id in (3, 4):
        by_hand.remove_image(image_id)
    assert got == _read_back(fmt, _write_to(tmp_path, fmt, by_hand, "by_hand"))
    assert set(got) == {"labelled", "mixed"}
    assert not any(r[2] for r in got["mixed"])  # Label Studio: no prediction proposed again
    (note,) = [w for w in warnings if "rejected" in w]
    assert "2 rejected objects left out" in note and "mixed.png" in note and 'with rejected="keep"' in note
    assert "2 images left out" in note and "rejected.png" in note and "whole.png" in note
    assert not [w for w in warnings if "not labelled yet" in w], warnings


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_rejected_keep_writes_them_as_labels(tmp_path: Path, fmt: str) -> None:
    """``rejected="keep"``: written as exports wrote them before, as labels (Label Studio: in the task's
    annotation, not as a prediction): the same files as a project whose objects were accepted, review
    aside; COCO keeps ``pixelproof.review`` so PixelProof reads them back rejected."""
    project = _project(tmp_path)
    warnings = _write(fmt, project, _out(tmp_path, fmt, "keep"), rejected="keep")
    assert not [w for w in warnings if "rejected" in w], warnings
    got = _read_back(fmt, _out(tmp_path, fmt, "keep"))
    assert set(got) == {"labelled", "mixed", "rejected", "whole"}
    accepted = copy.deepcopy(project)
    for ann_id in (3, 4):
        accepted.annotations[ann_id].review = "accepted"
    del accepted.app["image_review"]
    as_labels = _read_back(fmt, _write_to(tmp_path, fmt, accepted, "accepted"))
    if fmt == "coco":
        assert [r[1] for r in got["mixed"]] == [None, "rejected"]
        assert [r[1] for r in got["rejected"]] == ["rejected"]
    assert not any(r[2] and r[1] != "rejected" for v in got.values() for r in v)  # no prediction proposed
    strip = {k: [r[0] for r in v] for k, v in got.items()}
    assert strip == {k: [r[0] for r in v] for k, v in as_labels.items()}


def test_coco_keep_reads_back_the_decisions(tmp_path: Path) -> None:
    """A COCO export with ``rejected="keep"`` is the project's review as PixelProof reads it back: each
    object's decision and note, and the whole-image decision."""
    project = _project(tmp_path)
    out = tmp_path / "keep.json"
    FORMATS["coco"].write(project, out, rejected="keep")
    back = FORMATS["coco"].read(out).project
    by_name = {im.file_name.rsplit("/", 1)[-1]: im.id for im in back.images.values()}
    (obj,) = back.annotations_of(by_name["rejected.png"])
    assert (obj.review, obj.note) == ("rejected", "not a pore")
    assert back.app["image_review"][str(by_name["whole.png"])]["review"] == "rejected"


def test_pending_and_rejected_are_two_choices(tmp_path: Path) -> None:
    """``pending`` and ``rejected`` decide apart: proposals written as labels (``pending="keep"``) still
    leave out what a reviewer rejected; an image holding a pending and a rejected object is left out as
    rejected (once, not as not labelled yet too); one whose pending object is written stays."""
    project = _project(tmp_path)
    project.add_annotation(_square(6, 3, 40.0, 8.0, score=0.5, source=MODEL, review="pending"))
    project.set_image_status(3, "todo")
    yolo = FORMATS["yolo"]
    left = yolo.left_out(project)
    assert (left.objects, left.images, left.rejected, left.rejected_images) == ([6], [], [3, 4], [3, 4])
    left = yolo.left_out(project, pending="keep")
    assert (left.objects, left.images, left.rejected, left.rejected_images) == ([], [], [3, 4], [4])
    left = yolo.left_out(project, rejected="keep")
    assert (left.objects, left.images, left.rejected, left.rejected_images) == ([6], [], [], [])
    out = tmp_path / "yolo"
    yolo.write(project, out, images="copy", pending="keep")
    assert len((out / "labels" / "train" / "rejected.txt").read_text().splitlines()) == 1  # the pending one
    assert not (out / "labels" / "train" / "whole.txt").exists()


def test_an_image_rejected_with_nothing_in_it_is_left_out(tmp_path: Path) -> None:
    """A reviewer who rejects an image without objects (the labeller marked it Done, empty; the reviewer
    sees a pore) says it is not empty: it is left out, not written as a checked negative."""
    project = _project(tmp_path)
    project.remove_annotation(5)
    warnings = FORMATS["yolo"].write(project, tmp_path / "yolo", images="copy")
    assert not (tmp_path / "yolo" / "labels" / "train" / "whole.txt").exists()
    assert any("whole.png" in w and "rejected" in w for w in warnings), warnings
    FORMATS["yolo"].write(project, tmp_path / "keep", images="copy", rejected="keep")
    assert (tmp_path / "keep" / "labels" / "train" / "whole.txt").read_text() == ""


def test_an_unknown_choice_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(ValueError, match="rejected"):
        FORMATS["coco"].write(project, tmp_path / "out.json", rejected="drop")
    assert not (tmp_path / "out.json").exists()


def test_convert_counts_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pixelproof.cli import main
    from pixelproof.core.coco import save_project

    project = _project(tmp_path)
    save_project(project, project.path)
    out = tmp_path / "yolo"
    assert main(["convert", str(project.path), str(out), "--from", "coco", "--to", "yolo"]) == 0
    captured = capsys.readouterr()
    assert f"{out}: 2 images, 2 annotations" in captured.out
    assert "2 rejected objects left out" in captured.err
    keep = tmp_path / "yolo_keep"
    args = ["convert", str(project.path), str(keep), "--from", "coco", "--to", "yolo", "--rejected", "keep"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert f"{keep}: 4 images, 5 annotations" in captured.out and "rejected" not in captured.err

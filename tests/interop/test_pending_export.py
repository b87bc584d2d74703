"""Objects still pending review (a model's predictions not accepted yet, consensus objects, a split class's
objects) are proposals, not labels: every export leaves them out unless told ``pending="keep"`` (a team that
pre-labels and exports before reviewing would otherwise train on the model's own guesses), and an image
whose only objects they are is not labelled yet. A format that holds a model's proposals as such (Label
Studio's ``predictions``) still gets them, as proposals. The project itself keeps them."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord, Project, is_pending
from pixelproof.interop.formats import FORMATS
from tests.interop.test_unlabeled_export import FORMAT_NAMES

MODEL = "model:threshold/builtin"


def _square(ann_id: int, image_id: int, x: float, size: float, **kw: object) -> Annotation:
    poly = [[x, 10.0, x + size, 10.0, x + size, 10.0 + size, x, 10.0 + size]]
    return Annotation(ann_id, image_id, 1, [x, 10.0, size, size], poly, size * size, **kw)


def _project(tmp_path: Path) -> Project:
    """``labelled.png`` (a pore drawn by hand, Done), ``mixed.png`` (one by hand, one a model's pending
    prediction, Done) and ``predicted.png`` (only a model's pending prediction, To do)."""
    src = tmp_path / "src"
    src.mkdir(parents=True)
    project = new_project(["pore"])
    for i, name in enumerate(["labelled.png", "mixed.png", "predicted.png"], start=1):
        Image.fromarray(np.full((40, 60), 100 + i, dtype=np.uint8)).save(src / name)
        project.add_image(ImageRecord(i, name, 60, 40))
    project.add_annotation(_square(1, 1, 4.0, 8.0))
    project.add_annotation(_square(2, 2, 4.0, 8.0))
    project.add_annotation(_square(3, 2, 30.0, 12.0, score=0.8, source=MODEL, review="pending"))
    project.add_annotation(_square(4, 3, 20.0, 10.0, score=0.6, source=MODEL, review="pending"))
    project.set_image_status(1, "done")
    project.set_image_status(2, "done")
    project.path = src / "project.json"
    return project


def _out(tmp_path: Path, fmt: str, name: str) -> Path:
    return tmp_path / (f"{name}.json" if FORMATS[fmt].output_is_file else name)


def _read_back(fmt: str, out: Path) -> dict[str, list[tuple]]:
    """Each written image's objects as (box rounded, review, whether a model's), by file stem."""
    opts = {"import_predictions": "all"} if fmt == "labelstudio" else {}
    back = FORMATS[fmt].read(out, **opts).project
    found: dict[str, list[tuple]] = {}
    for im in back.images.values():
        stem = Path(im.file_name).name.split(".")[0].removesuffix("_leftImg8bit")
        found[stem] = sorted(
            (tuple(round(v) for v in a.bbox), a.review, (a.source or "").startswith("model:"))
            for a in back.annotations_of(im.id)
        )
    return found


def _write(fmt: str, project: Project, out: Path, **opts: object) -> list[str]:
    return FORMATS[fmt].write(project, out, images="keep" if fmt == "coco" else "copy", **opts)


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_pending_predictions_are_left_out_and_named(tmp_path: Path, fmt: str) -> None:
    project = _project(tmp_path)
    before = copy.deepcopy(project)
    out = _out(tmp_path, fmt, "out")
    warnings = _write(fmt, project, out)
    assert project == before  # the project keeps its predictions
    got = _read_back(fmt, out)
    if FORMATS[fmt].holds_predictions:  # written as proposals, not labels: nothing to leave out
        assert not [w for w in warnings if "pending objects" in w], warnings
        assert got == _read_back(fmt, _keep(tmp_path, fmt, project))
        assert [r[1:] for r in got["mixed"]] == [(None, False), ("pending", True)]
        assert [r[1:] for r in got["predicted"]] == [("pending", True)]
        return
    # the same writer on the project with the predictions deleted by hand (predicted.png then has no
    # object and is not marked Done: not labelled yet)
    by_hand = copy.deepcopy(project)
    for ann_id in (3, 4):
        by_hand.remove_annotation(ann_id)
    assert got == _read_back(fmt, _write_to(tmp_path, fmt, by_hand, "by_hand"))
    assert set(got) == {"labelled", "mixed"}
    assert got["mixed"] != _read_back(fmt, _keep(tmp_path, fmt, project))["mixed"]  # (MVTec: one mask)
    (note,) = [w for w in warnings if "pending objects" in w]
    assert "2 pending objects left out" in note and "mixed.png" in note and "predicted.png" in note
    assert 'write them as labels with pending="keep"' in note  # a Python call: its keyword
    (unlabelled,) = [w for w in warnings if "not labelled yet" in w]
    assert "predicted.png" in unlabelled and "mixed.png" not in unlabelled


def _write_to(tmp_path: Path, fmt: str, project: Project, name: str, **opts: object) -> Path:
    out = _out(tmp_path, fmt, name)
    _write(fmt, project, out, **opts)
    return out


def _keep(tmp_path: Path, fmt: str, project: Project) -> Path:
    return _write_to(tmp_path, fmt, project, "keep", pending="keep")


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_pending_keep_writes_them_as_before(tmp_path: Path, fmt: str) -> None:
    """``pending="keep"``: written as every export wrote them before, as labels (as proposals where the
    format holds them so): the same files as a project whose predictions were accepted, review aside."""
    project = _project(tmp_path)
    out = _keep(tmp_path, fmt, project)
    got = _read_back(fmt, out)
    assert set(got) == {"labelled", "mixed", "predicted"}
    if FORMATS[fmt].holds_predictions:
        assert [r[1:] for r in got["predicted"]] == [("pending", True)]
        return
    accepted = copy.deepcopy(project)
    for ann_id in (3, 4):
        accepted.annotations[ann_id].review = "accepted"
    as_labels = _read_back(fmt, _write_to(tmp_path, fmt, accepted, "accepted"))
    if fmt == "coco":  # pixelproof.review kept: PixelProof reads them back pending (pycocotools ignores it)
        assert [r[1:] for r in got["predicted"]] == [("pending", True)]
    strip = {k: [r[0] for r in v] for k, v in got.items()}
    assert strip == {k: [r[0] for r in v] for k, v in as_labels.items()}


@pytest.mark.parametrize("fmt", ["yolo", "coco", "labelstudio"])
def test_consensus_and_split_objects_are_pending_too(tmp_path: Path, fmt: str) -> None:
    """A consensus object and a split class's object (review pending, no model source) are not reviewed
    either: left out of every format, Label Studio's too (its ``predictions`` are a model's)."""
    from pixelproof.core import taxonomy

    project = _project(tmp_path)
    for ann_id in (3, 4):
        project.remove_annotation(ann_id)
    project.add_annotation(_square(5, 2, 30.0, 12.0, source="consensus:majority", review="pending"))
    edit, ids = taxonomy.split_category(project, "pore", "pore", "crack")
    edit.apply(project)
    assert ids == [1, 2, 5] and all(a.review == "pending" for a in project.annotations.values())
    out = _out(tmp_path, fmt, "out")
    warnings = _write(fmt, project, out)
    # nothing reviewed: no labels written; the images stay, marked Done (checked: as empty as the export
    # makes them, which the warning says)
    assert _read_back(fmt, out) == {"labelled": [], "mixed": []}
    assert any("3 pending objects left out" in w for w in warnings), warnings
    kept = _read_back(fmt, _keep(tmp_path, fmt, project))
    assert sum(map(len, kept.values())) == 3 and not any(r[2] for v in kept.values() for r in v)


def test_the_warning_says_how_each_kind_of_pending_object_becomes_a_label(tmp_path: Path) -> None:
    """A merged project's tie (a consensus object drawn by half of the annotators) left out of a YOLO
    export was said as `accept them (in the app: Model > Accept All Predictions in Project)`; that action,
    and `pixelproof predictions accept`, take a model's predictions only ("no pending prediction
    matches"). A consensus is decided in review (`consensus --accept`, `--decide-ties`); a model's
    predictions are still accepted so; both said when both are left out."""
    from pixelproof.interop.formats import APP_WORDS

    project = _project(tmp_path)
    project.remove_annotation(4)
    project.add_annotation(_square(5, 1, 30.0, 12.0, source="consensus:staple", review="pending"))
    both = next(w for w in _write("yolo", project, tmp_path / "both") if "pending object" in w)
    assert "2 pending objects left out" in both
    assert "1 model prediction: accept them (in the app: Model > Accept All Predictions in Project)" in both
    assert (
        "1 other (no model's): decide them in review to export them (a consensus: pixelproof consensus"
        in both
    )
    project.remove_annotation(3)
    tie = next(w for w in _write("yolo", project, tmp_path / "tie") if "pending object" in w)
    assert "Accept All Predictions" not in tie and "--decide-ties accept" in tie, tie
    app = next(w for w in _write("yolo", project, tmp_path / "app", words=APP_WORDS) if "pending object" in w)
    assert "Review > Annotators Side by Side: Accept Consensus, Accept All Ties" in app, app
    assert "--" not in app  # the app's words, no command-line options


def test_an_image_with_only_pending_objects_is_not_labelled(tmp_path: Path) -> None:
    """As a void region labels nothing, neither does a proposal left out: ``unlabeled_image_ids`` says so
    when asked to leave pending objects out - also in a project that marks no image Done (one pre-labelled
    right after ``new``): an image holding nothing but a model's guesses was not labelled by anyone."""
    project = _project(tmp_path)
    assert project.unlabeled_image_ids() == []  # counted as objects: a prelabel --unlabeled-only run
    assert project.unlabeled_image_ids(leaving_out=is_pending) == [3]
    project.set_image_status(3, "in_progress")
    assert project.unlabeled_image_ids(leaving_out=is_pending) == [3]
    project.set_image_status(3, "done")  # checked, and its prediction not reviewed: an empty image
    assert project.unlabeled_image_ids(leaving_out=is_pending) == []
    unmarked = _project(tmp_path / "unmarked")
    unmarked.app["image_status"] = {}
    unmarked.add_image(ImageRecord(4, "empty.png", 60, 40))
    # pre-labelled (a model's objects in it): empty.png, which the model found nothing on, nobody checked
    assert unmarked.unlabeled_image_ids(leaving_out=is_pending) == [3, 4]
    out = tmp_path / "unmarked_yolo"
    warnings = FORMATS["yolo"].write(unmarked, out, images="copy")
    assert not (out / "labels" / "train" / "predicted.txt").exists()
    assert not (out / "labels" / "train" / "empty.txt").exists()
    assert any("predicted.png" in w and "empty.png" in w and "not labelled yet" in w for w in warnings)


def test_an_unknown_choice_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for opts in ({"pending": "drop"}, {"unlabeled": "leave-out"}):
        with pytest.raises(ValueError, match=next(iter(opts))):
            FORMATS["coco"].write(project, tmp_path / "out.json", **opts)
    assert not (tmp_path / "out.json").exists()


def test_convert_counts_what_it_wrote_and_keeps_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pixelproof.cli import main

    project = _project(tmp_path)
    save_project(project, project.path)
    saved = project.path.read_bytes()
    out = tmp_path / "yolo"
    assert main(["convert", str(project.path), str(out), "--from", "coco", "--to", "yolo"]) == 0
    captured = capsys.readouterr()
    assert f"{out}: 2 images, 2 annotations" in captured.out
    assert "2 pending objects left out" in captured.err
    assert project.path.read_bytes() == saved
    assert sum(a.review == "pending" for a in load_project(project.path).annotations.values()) == 2
    keep = tmp_path / "yolo_keep"
    args = ["convert", str(project.path), str(keep), "--from", "coco", "--to", "yolo", "--pending", "keep"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert f"{keep}: 3 images, 4 annotations" in captured.out and "pending" not in captured.err

"""An image nobody has labelled yet is not an image with nothing in it: once a project marks images Done or
Reviewed, exports leave out the images that have no objects and are not so marked, in every format (an
inspection project's defect-free images are the Done ones; an MVTec ``good`` folder or an empty YOLO label
file for an image not looked at yet would teach a model to miss defects)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.formats import FORMATS
from tests.core.test_cropped_masks_everywhere import WRITABLE

# every writer whose reader takes its own output back from plain PNG pictures (nifti writes volumes)
FORMAT_NAMES = [f for f in WRITABLE if f != "nifti"]


def _project(tmp_path: Path, statuses: dict[str, str]) -> Project:
    """``defect.png`` (one pore, done), ``good.png`` and ``unseen.png`` (no objects), statuses as given."""
    src = tmp_path / "src"
    src.mkdir()
    project = new_project(["pore"])
    for i, name in enumerate(["defect.png", "good.png", "unseen.png"], start=1):
        Image.fromarray(np.full((40, 50), 100 + i, dtype=np.uint8)).save(src / name)
        project.add_image(ImageRecord(i, name, 50, 40))
    poly = [[10.0, 10.0, 16.0, 10.0, 16.0, 16.0, 10.0, 16.0]]
    project.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 6.0, 6.0], poly, 36.0))
    for name, status in statuses.items():
        project.set_image_status(project.image_by_file_name(name).id, status)
    project.path = src / "project.json"
    return project


def _written_stems(fmt: str, out: Path) -> set[str]:
    back = FORMATS[fmt].read(out).project
    return {Path(im.file_name).name.split(".")[0].removesuffix("_leftImg8bit") for im in back.images.values()}


def _out(tmp_path: Path, fmt: str) -> Path:
    return tmp_path / ("out.json" if FORMATS[fmt].output_is_file else "out")


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
@pytest.mark.parametrize("unseen", ["todo", "in_progress"])
def test_unlabelled_image_left_out_and_named(tmp_path: Path, fmt: str, unseen: str) -> None:
    project = _project(tmp_path, {"defect.png": "done", "good.png": "reviewed", "unseen.png": unseen})
    out = _out(tmp_path, fmt)
    warnings = FORMATS[fmt].write(project, out, images="copy" if fmt != "coco" else "keep")
    assert _written_stems(fmt, out) == {"defect", "good"}
    note = [w for w in warnings if "unseen.png" in w]
    assert len(note) == 1 and "1 image" in note[0] and "Done" in note[0], warnings
    assert len(project.images) == 3  # the project itself is left as it was


@pytest.mark.parametrize("fmt", ["yolo", "mvtec", "coco"])
def test_unlabeled_keep_writes_every_image(tmp_path: Path, fmt: str) -> None:
    project = _project(tmp_path, {"defect.png": "done", "good.png": "done"})
    out = _out(tmp_path, fmt)
    warnings = FORMATS[fmt].write(project, out, unlabeled="keep")
    assert _written_stems(fmt, out) == {"defect", "good", "unseen"}
    assert not [w for w in warnings if "unseen" in w]


@pytest.mark.parametrize("fmt", ["yolo", "mvtec"])
def test_project_without_marks_exports_every_image(tmp_path: Path, fmt: str) -> None:
    """A project that marks nothing (one read from another format, say) cannot tell the two apart: every
    listed image is written, as the source listed it."""
    project = _project(tmp_path, {})
    out = _out(tmp_path, fmt)
    FORMATS[fmt].write(project, out)
    assert _written_stems(fmt, out) == {"defect", "good", "unseen"}


@pytest.mark.parametrize("fmt", ["yolo", "mvtec"])
def test_a_prelabelled_project_without_marks_leaves_out_the_images_nobody_labelled(
    tmp_path: Path, fmt: str
) -> None:
    """After ``new`` + ``prelabel`` nothing is marked, yet the project is being labelled: an image the model
    found nothing on was written as a checked negative though nobody looked at it. A model's objects in a
    project (accepted or not) switch the rule on, as marks do; an image holding objects is written."""
    project = _project(tmp_path, {})
    made = project.annotations[1]
    made.source, made.review, made.score = "model:yolo-onnx/yolo11n.onnx", "accepted", 0.9
    out = _out(tmp_path, fmt)
    warnings = FORMATS[fmt].write(project, out)
    assert _written_stems(fmt, out) == {"defect"}
    assert [w for w in warnings if "good.png" in w and "unseen.png" in w], warnings


def test_convert_counts_the_images_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pixelproof.cli import main
    from pixelproof.core.coco import save_project

    project = _project(tmp_path, {"defect.png": "done", "good.png": "done"})
    save_project(project, project.path)
    out = tmp_path / "yolo"
    assert main(["convert", str(project.path), str(out), "--from", "coco", "--to", "yolo"]) == 0
    captured = capsys.readouterr()
    assert f"{out}: 2 images, 1 annotation" in captured.out
    assert "unseen.png" in captured.err
    assert not (out / "labels" / "train" / "unseen.txt").exists()


@pytest.mark.parametrize("fmt", ["yolo", "mvtec", "coco"])
def test_an_image_with_only_void_regions_is_not_labelled(tmp_path: Path, fmt: str) -> None:
    """A region to ignore drawn on an image nobody labelled labels nothing (void regions are no objects,
    as the Objects column and prelabel --unlabeled-only count them): written, the image became a negative
    example (an empty YOLO label, an MVTec good image). It is left out as not labelled yet; marked Done it
    is written."""
    project = _project(tmp_path, {"defect.png": "done", "good.png": "done"})
    void = project.add_category(Category(9, "ignore", app_extra={"void": True}))
    unseen = project.image_by_file_name("unseen.png").id
    poly = [[1.0, 1.0, 8.0, 1.0, 8.0, 8.0, 1.0, 8.0]]
    project.add_annotation(Annotation(7, unseen, void.id, [1.0, 1.0, 7.0, 7.0], poly, 49.0))
    assert project.is_void(project.annotations[7])
    out = _out(tmp_path, fmt)
    warnings = FORMATS[fmt].write(project, out, images="copy" if fmt != "coco" else "keep")
    assert _written_stems(fmt, out) == {"defect", "good"}
    assert "unseen.png" in warnings[0]
    project.set_image_status(unseen, "done")
    assert project.unlabeled_image_ids() == []

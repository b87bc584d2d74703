"""The mark a prediction pre-labeled skipping repeats carries (``SKIPPED_OVERLAPPING``) is for lint to read
on pending predictions: it stayed on a prediction once accepted (the prediction is then a label) and went
into other tools' files with the other extras. Every accept drops it (undo puts it back); exports never
write it; the project file keeps it on pending ones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits.box_masks import FROM_BOX, accept_into_boxes
from pixelproof.core.edits.image_state import ReviewDecision
from pixelproof.core.labels import SKIPPED_OVERLAPPING
from pixelproof.core.lint.apply import fix_edit
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.formats import FORMATS


def scene(tmp_path: Path) -> Project:
    """One image: a label, a pending box prediction and a pending polygon made from that box, marked."""
    Image.fromarray(np.full((60, 80, 3), 90, np.uint8)).save(tmp_path / "a.png")
    p = Project()
    p.path = tmp_path / "p.json"
    p.add_image(ImageRecord(1, "a.png", 80, 60))
    p.add_category(Category(1, "cat"))
    p.add_annotation(Annotation(1, 1, 1, [2.0, 2.0, 10.0, 10.0], None, 100.0, source="manual"))
    mark = {SKIPPED_OVERLAPPING: 0.5}
    p.add_annotation(
        Annotation(2, 1, 1, [30.0, 20.0, 20.0, 20.0], None, 400.0, score=0.8, source="model:m",
                   review="pending", app_extra=dict(mark))
    )  # fmt: skip
    poly = [[30.0, 20.0, 50.0, 20.0, 50.0, 40.0, 30.0, 40.0]]
    p.add_annotation(
        Annotation(3, 1, 1, [30.0, 20.0, 20.0, 20.0], poly, 400.0, score=0.8, source="model:m",
                   review="pending", app_extra={**mark, FROM_BOX: 2})
    )  # fmt: skip
    return p


@pytest.mark.parametrize("how", ["review", "lint_fix", "into_box"])
def test_every_accept_drops_the_mark_and_undo_puts_it_back(tmp_path: Path, how: str) -> None:
    p = scene(tmp_path)
    if how == "review":  # the review view's Accept Object, as the CLI's
        edit, aid = ReviewDecision(p, 1, "accepted", ann_ids=[2]), 2
    elif how == "lint_fix":  # lint's missing_object fix naming the pending prediction: it accepts it
        edit, aid = fix_edit(p, {"action": "add", "annotation": {"prediction_id": 2}}), 2
    else:  # a mask made from a box accepted into its box
        edit, aid = accept_into_boxes(p, [3]), 2
    edit.apply(p)
    assert p.annotations[aid].review == "accepted"
    assert SKIPPED_OVERLAPPING not in p.annotations[aid].app_extra
    edit.revert(p)
    assert p.annotations[aid].review == "pending" and p.annotations[aid].app_extra[SKIPPED_OVERLAPPING] == 0.5


def _texts(folder: Path) -> str:
    return "".join(f.read_text(encoding="utf-8") for f in folder.rglob("*") if f.suffix in (".json", ".xml"))


@pytest.mark.parametrize("fmt", ["coco", "labelme", "cityscapes"])
def test_exports_never_write_the_mark_and_the_project_keeps_it(tmp_path: Path, fmt: str) -> None:
    p = scene(tmp_path)
    ReviewDecision(p, 1, "accepted", ann_ids=[2]).apply(p)  # one accepted, one still pending
    p.annotations[2].app_extra[SKIPPED_OVERLAPPING] = 0.5  # as an older version left it on accepted ones
    out = tmp_path / "out" / ("x.json" if fmt == "coco" else "x")
    FORMATS[fmt].write(p, out, pending="keep")
    written = _texts(out.parent)
    assert "cat" in written and "skip_existing" not in written
    assert p.annotations[3].app_extra[SKIPPED_OVERLAPPING] == 0.5  # the project is not changed
    save_project(p)
    kept = load_project(p.path)
    assert kept.annotations[3].app_extra[SKIPPED_OVERLAPPING] == 0.5  # lint reads it on pending ones
    assert json.loads(p.path.read_text(encoding="utf-8"))["annotations"]

"""One pre-label path for the app and the CLI: ``propose`` (the worker's loop), ``Rebaser`` (a snapshot's
proposal moved onto a project the user edited meanwhile) and ``Proposal.edit`` (the one edit that adds it)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.edits import AddAnnotations, AddCategory
from pixelproof.core.model import Annotation, Category, ImageRecord
from pixelproof.inference.apply import PredictionMapper, Proposal, propose
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.rebase import Rebaser


class Boxes(Backend):
    name = "boxes"

    def predict(self, image, prompt=None):
        if image.mean() > 100:
            raise RuntimeError("too bright")
        return [Prediction("cat", 0.9, [1, 1, 4, 4]), Prediction("zebra", 0.8, [5, 5, 3, 3])]


def project_on_disk(tmp_path: Path, n: int = 3):
    p = new_project(["cat", "dog"])
    p.path = tmp_path / "p.json"
    for i in range(1, n + 1):
        value = 255 if i == 2 else 0
        cv2.imwrite(str(tmp_path / f"img{i}.png"), np.full((20, 30), value, np.uint8))
        p.add_image(ImageRecord(i, f"img{i}.png", 30, 20))
    return p


def test_propose_yields_proposals_and_failures_and_stops_when_cancelled(tmp_path: Path) -> None:
    p = project_on_disk(tmp_path)
    mapper = PredictionMapper(p, "model:boxes")
    out = list(propose(p, Boxes(), list(p.images.values()), mapper))
    assert [im.id for im, _ in out] == [1, 2, 3]
    assert isinstance(out[0][1], Proposal) and [c.name for c in out[0][1].categories] == ["zebra"]
    assert out[1][1] == "boxes failed: RuntimeError: too bright"
    seen: list[int] = []
    stop_after_one = propose(p, Boxes(), list(p.images.values()), mapper, cancelled=lambda: len(seen) >= 1)
    for im, _ in stop_after_one:
        seen.append(im.id)
    assert seen == [1]


def test_rebaser_moves_a_snapshot_proposal_onto_an_edited_project(tmp_path: Path) -> None:
    p = project_on_disk(tmp_path)
    snap = p.snapshot([1, 3])
    mapper = PredictionMapper(snap, "model:boxes")
    proposals = [r for _, r in propose(snap, Boxes(), list(snap.images.values()), mapper)]
    # meanwhile the user adds a category "zebra" and an annotation with the id the worker handed out
    AddCategory(Category(3, "zebra")).apply(p)
    AddAnnotations([Annotation(1, 3, 1, [0, 0, 1, 1], None, 1.0)]).apply(p)
    rebaser = Rebaser(snap)
    first = rebaser.rebase(p, proposals[0])
    assert first.categories == []  # "zebra" exists now: matched by name, not created twice
    assert [(a.id, a.category_id) for a in first.annotations] == [(2, 1), (3, 3)]
    before = dumps_project(p)
    edit = first.edit("Pre-label img1.png (2)")
    edit.apply(p)
    assert edit.label == "Pre-label img1.png (2)" and p.annotations[3].source == "model:boxes"
    second = rebaser.rebase(p, proposals[1])
    assert [(a.id, a.category_id, a.image_id) for a in second.annotations] == [(4, 1, 3), (5, 3, 3)]
    second.edit().apply(p)
    edit.revert(p)  # each image's proposal is its own undo step
    assert 2 not in p.annotations and 4 in p.annotations
    edit.apply(p)
    assert dumps_project(p) != before


def test_rebaser_creates_a_category_the_user_did_not_make(tmp_path: Path) -> None:
    p = project_on_disk(tmp_path, 1)
    snap = p.snapshot()
    proposal = next(
        r for _, r in propose(snap, Boxes(), list(snap.images.values()), PredictionMapper(snap, "m"))
    )
    AddCategory(Category(3, "horse")).apply(p)  # takes the id the worker gave "zebra"
    moved = Rebaser(snap).rebase(p, proposal)
    assert [(c.id, c.name) for c in moved.categories] == [(4, "zebra")]
    assert [a.category_id for a in moved.annotations] == [1, 4]
    moved.edit().apply(p)
    assert p.categories[4].name == "zebra" and p.categories[3].name == "horse"

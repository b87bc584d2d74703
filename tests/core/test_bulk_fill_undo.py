"""A big fill as one undo step: undo and redo give back exactly the objects it made (ids, shapes, order),
later edits of its objects never reach the step's own, and no refill check runs over its own fills."""

from __future__ import annotations

import pytest

from pixelproof.core import track_refill
from pixelproof.core.coco import new_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.track_fill import fill_between_frames

FRAMES = 3001


def state(p) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The project's objects as a file would hold them, in file order."""
    return [(a.id, a.image_id, list(a.bbox), a.source, dict(a.app_extra)) for a in p.annotations.values()]


@pytest.fixture
def filled():  # type: ignore[no-untyped-def]
    """A 3,001-frame video, track 3's key every 300 frames, before and after its fill."""
    p = new_project(["car"])
    for f in range(FRAMES):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 320, 240))
    for n, f in enumerate(range(0, FRAMES, 300)):
        p.add_annotation(
            Annotation(n + 1, f + 1, 1, [float(f % 200), 10.0, 40.0, 30.0], extra={"track_id": 3})
        )
    before = state(p)
    done = fill_between_frames(p, 1, 3)
    assert done.edit is not None and done.filled == FRAMES - 11
    done.edit.apply(p)
    return p, done.edit, before, state(p)


def test_undo_and_redo_of_a_big_fill_restore_it_exactly(filled) -> None:  # type: ignore[no-untyped-def]
    p, edit, before, after = filled
    edit.revert(p)
    assert state(p) == before
    edit.apply(p)
    assert state(p) == after


def test_a_later_edit_of_a_filled_object_leaves_the_fills_undo_step_as_it_was(filled) -> None:  # type: ignore[no-untyped-def]
    p, edit, before, after = filled
    ann_id = after[20][0]  # a filled object
    assert p.annotations[ann_id] is not next(a for a in edit.annotations if a.id == ann_id)
    moved = clone(p.annotations[ann_id])
    moved.bbox = [99.0, 99.0, 5.0, 5.0]
    drag = ReplaceAnnotations([moved])
    drag.apply(p)
    p.annotations[ann_id].app_extra["scribbled"] = True  # even one changed in place later
    drag.revert(p)
    edit.revert(p)
    assert state(p) == before
    edit.apply(p)
    assert [row for row in state(p) if row[0] == ann_id] == [row for row in after if row[0] == ann_id]


def test_no_refill_check_runs_over_a_fills_own_objects(filled, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    p, edit, _before, _after = filled
    edit.revert(p)
    changes = edit.apply(p)
    checked: list[int] = []
    real = track_refill.untouched_fill
    monkeypatch.setattr(track_refill, "untouched_fill", lambda a: checked.append(a.id) or real(a))
    assert track_refill.refill_after(p, edit, changes).edit is None
    assert checked == []  # none of its 2,990 objects had its digest worked out again

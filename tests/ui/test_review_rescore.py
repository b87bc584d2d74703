"""The review view after an edit scores again only the edited image (``core.qa_cache``), and its tables are
those of a run from nothing; Run QA scores every image. Driven with real keys and clicks on the demo."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core import qa_batch
from pixelproof.core.qa import run_qa
from pixelproof.interop.references import load_reference
from tests.ui.conftest import jobs_ended
from tests.ui.test_review import CTRL, LEFT, column_values, demo, enter_review, image_ids, window  # noqa: F401


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The candidate image ids QA scores (``score_image`` calls, from the job's thread)."""
    calls: list[int] = []
    lock = threading.Lock()
    real = qa_batch.score_image

    def counting(pair, *args, **kw):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(pair.cand.id)
        return real(pair, *args, **kw)

    monkeypatch.setattr(qa_batch, "score_image", counting)
    return calls


def dice_by_image(view) -> dict[int, float]:  # type: ignore[no-untyped-def]
    return dict(zip(image_ids(view), column_values(view, "dice"), strict=True))


def as_text(rows) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(rows, sort_keys=True, default=repr)  # NaN equal as text


def assert_as_a_full_run(view, demo) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The view's image table, per-class rows and summary are those of the core scoring from nothing."""
    doc = view.document
    fresh = run_qa(load_reference(demo.parent / "reference.json", doc.project), doc.project.snapshot())
    assert as_text(view.scored.image_table) == as_text(fresh.image_table())
    assert as_text(view.scored.result.per_class()) == as_text(fresh.per_class())
    assert as_text(view.scored.result.summary()) == as_text(fresh.summary())
    shown = [r for r in fresh.per_class() if r["n_rows"] > r["n_both_empty"]]
    shown.append({"category": "all classes", **fresh.summary()})
    assert as_text(view.images.class_model.rows) == as_text(shown)  # the Per class table


def test_an_edit_rescores_only_that_image_and_an_undo_in_review_too(qtbot, window, demo, scored) -> None:  # noqa: F811
    win = window
    view = win.review.view
    doc = win.document
    messages: list[str] = []
    view.statusMessage.connect(messages.append)
    enter_review(qtbot, win)
    assert sorted(scored) == sorted(doc.project.images)  # the first run scores every image
    before = dice_by_image(view)
    good = next(i for i, d in before.items() if d >= 0.9)
    # empty a well-labelled image in the labeling view, and come back
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)
    doc.set_current_image(good)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_A, CTRL)  # select all
    QTest.keyClick(win.canvas, Qt.Key.Key_Delete)
    assert not list(doc.project.annotations_of(good))
    scored.clear()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: view.job is None and not view.stale, timeout=10000)
    assert scored == [good]
    after = dice_by_image(view)
    assert after[good] == 0.0
    assert as_text({i: d for i, d in after.items() if i != good}) == as_text(
        {i: d for i, d in before.items() if i != good}
    )
    assert messages[-1].startswith("QA refreshed: 1 of 10 images scored again")
    assert_as_a_full_run(view, demo)
    # undo while the review view is shown: the objects come back, that image is scored again
    scored.clear()
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Z, CTRL)
    assert view.stale
    qtbot.waitUntil(lambda: view.job is None and not view.stale, timeout=10000)
    assert scored == [good]
    assert as_text(dice_by_image(view)) == as_text(before)
    assert_as_a_full_run(view, demo)


def test_run_qa_scores_every_image_again(qtbot, window, demo, scored) -> None:  # noqa: F811
    win = window
    view = win.review.view
    enter_review(qtbot, win)
    first = view.scored
    scored.clear()
    QTest.mouseClick(view.header.run_button, LEFT)
    qtbot.waitUntil(lambda: view.job is None and view.scored is not first, timeout=10000)
    assert sorted(scored) == sorted(win.document.project.images)
    assert view.scored.read is not first.read  # the reference read again
    assert_as_a_full_run(view, demo)


def test_a_reference_changed_on_disk_is_read_again_on_the_way_back(qtbot, window, demo, scored) -> None:  # noqa: F811
    """A colleague corrects the reference file while the reviewer labels: coming back to the review view
    (no edit of the reviewer's own) reads it again and scores every image against it, and the status bar
    says why; coming back with nothing changed scores nothing."""
    win = window
    view = win.review.view
    messages: list[str] = []
    view.statusMessage.connect(messages.append)
    enter_review(qtbot, win)
    first = view.scored
    before = dice_by_image(view)
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)  # to the labeling view and back
    scored.clear()
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: not view._stale_timer.isActive(), timeout=10000)  # a due rescore has started
    jobs_ended()
    assert view.scored is first and scored == []
    QTest.keyClick(view.images.image_table, Qt.Key.Key_Tab, CTRL)
    ref = demo.parent / "reference.json"
    data = json.loads(ref.read_text())
    emptied = data["images"][0]["id"]
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] != emptied]
    ref.write_text(json.dumps(data))
    QTest.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: view.job is None and view.scored is not first, timeout=10000)
    assert sorted(scored) == sorted(win.document.project.images)
    assert "changed on disk: read again" in messages[-1], messages[-1]
    assert dice_by_image(view) != before
    assert_as_a_full_run(view, demo)

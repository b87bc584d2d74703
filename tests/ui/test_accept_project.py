"""Accept All Predictions in Project: after pre-labelling a folder, the user who trusts the model above a
score accepted image by image (Shift+K on each), or exported with --pending keep and lost the score cut.
One action of the Model menu (Ctrl+Shift+K) now accepts every pending prediction of the project the Show
slider does not hide, in one undo step. Real keys on the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_model_panel import choose, demo, fake_backends, key, predictions, wait_batch

FIXTURES = (demo, fake_backends)  # pytest finds them by name
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_accept_all_predictions_in_the_project_above_the_slider(qtbot, demo) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scored")  # 0.2, 0.5 and 0.9 on every picture
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)  # Pre-label All Images
    wait_batch(qtbot, panel)
    images = {a.image_id for a in predictions(doc)}
    assert len(images) >= 8 and all(a.review == "pending" for a in predictions(doc))
    act = panel.review.act_accept_project
    assert act in panel.menu.actions() and act.shortcut().toString() == "Ctrl+Shift+K"
    slider = panel.review.score_slider
    slider.setFocus()
    for _ in range(4):
        QTest.keyClick(slider, Qt.Key.Key_PageUp)  # Show >= 0.40
    steps = doc.undo_stack.count()
    win.canvas.setFocus()
    key(win, Qt.Key.Key_K, CTRL_SHIFT)
    by_score = {(a.image_id, a.score): a.review for a in predictions(doc)}
    assert by_score == {
        (i, s): ("pending" if s < 0.4 else "accepted") for i in images for s in (0.2, 0.5, 0.9)
    }
    assert doc.undo_stack.count() == steps + 1
    said = win.statusBar().currentMessage()
    assert f"Accepted {2 * len(images)} predictions on {len(images)} images" in said, said
    assert f"{len(images)} below 0.40 stay pending" in said, said
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step takes it all back
    assert all(a.review == "pending" for a in predictions(doc))
    key(win, Qt.Key.Key_K, CTRL_SHIFT)
    key(win, Qt.Key.Key_K, CTRL_SHIFT)  # nothing shown is pending any more
    assert doc.undo_stack.count() == steps + 1
    said = win.statusBar().currentMessage()
    assert "No pending predictions scoring 0.40 or more in the project" in said, said
    assert f"{len(images)} below 0.40" in said, said


def test_a_prediction_a_reviewer_rejected_is_not_accepted_by_accept_all(qtbot, demo) -> None:
    """A model's object the review view rejected (review rejected: the reviewer said it is wrong) counted
    as a pending prediction in the Model panel: Shift+K (and Accept All Predictions in Project) accepted
    it again, silently undoing the reviewer's decision, and the export then wrote it as a label. The
    accept-all actions now take only what is pending; the rejection stays."""
    from pixelproof.core.edits import ReplaceAnnotations
    from pixelproof.core.geometry import clone

    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scored")
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)  # the current image
    wait_batch(qtbot, panel)
    image = doc.current_image_id
    turned_down = clone(max(predictions(doc, image), key=lambda a: a.score))
    turned_down.review = "rejected"
    doc.push(ReplaceAnnotations([turned_down], "Reject Object"))  # as the review view's Reject Object
    qtbot.waitUntil(lambda: "2 pending on this image" in panel.review.pending_label.text(), timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)  # Accept All on Image
    assert doc.project.annotations[turned_down.id].review == "rejected"
    assert sorted(a.review for a in predictions(doc, image)) == ["accepted", "accepted", "rejected"]
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(win, Qt.Key.Key_K, CTRL_SHIFT)  # Accept All Predictions in Project
    assert doc.project.annotations[turned_down.id].review == "rejected"
    assert "Accepted 2 predictions on 1 image" in win.statusBar().currentMessage()


def test_the_batch_summary_says_the_predictions_await_acceptance(qtbot, demo, shared_models) -> None:
    """Pre-label All on a folder said 'Pre-labeled 10 of 10 images: 12 predictions' and nothing of the new
    categories the model's classes made, nor that the predictions are proposals an export leaves out until
    accepted: the user exported and found fewer labels than the canvas showed. The summary now says both,
    and names the accept-all action."""
    import pytest

    from tests.ui.test_model_panel import go_to

    model = shared_models / "yolo11n.onnx"
    if not model.is_file():
        pytest.skip(f"{model} not found")
    pytest.importorskip("onnxruntime")
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "yolo-onnx")
    edit = panel.backends.options.model_edit
    edit.clear()
    QTest.keyClicks(edit, str(model))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: panel.session.is_idle() and panel.backends.status_text.startswith("✓"), timeout=30000
    )
    before = {c.name for c in doc.project.categories.values()}
    go_to(qtbot, win, doc.current_image_id)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    wait_batch(qtbot, panel)
    made = {c.name for c in doc.project.categories.values()} - before
    summary = panel.batch.summary_label.text()
    assert made and f"{len(made)} new categor" in summary, summary
    assert "pending until accepted" in summary and "Accept All Predictions in Project" in summary, summary


def test_accepting_a_prediction_drops_the_mark_lint_reads_on_pending_ones(qtbot, demo) -> None:
    """Pre-labelling skips the predictions repeating a label and marks the others (SKIPPED_OVERLAPPING),
    for lint to read on pending ones; Shift+K kept the mark on the accepted objects (labels now) and a COCO
    export wrote it. Accepting drops it, and Ctrl+Z brings it back with the pending state."""
    from pixelproof.core.labels import SKIPPED_OVERLAPPING

    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scored")
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)  # the current image, skipping repeats (the default)
    wait_batch(qtbot, panel)
    image = doc.current_image_id
    made = predictions(doc, image)
    assert made and all(SKIPPED_OVERLAPPING in a.app_extra for a in made)
    key(win, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)  # Accept All on Image
    accepted = predictions(doc, image)
    assert {a.review for a in accepted} == {"accepted"}
    assert not any(SKIPPED_OVERLAPPING in a.app_extra for a in accepted)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    back = predictions(doc, image)
    assert {a.review for a in back} == {"pending"} and all(SKIPPED_OVERLAPPING in a.app_extra for a in back)

"""D / A in the review view walk the Images table as sorted and filtered. A filter that shows no image
(`FP > 100`) let them fall back to the labeling Images panel's file order: each D opened an image the
filter leaves out, the status bar silent. Now the image stays and the status bar says why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from tests.ui.conftest import settle
from tests.ui.test_review import LEFT, enter_review, image_ids, open_window


def test_d_and_a_stay_when_the_filter_shows_no_image(qtbot, tmp_path, no_prompts) -> None:
    window = open_window(qtbot, install_demo(tmp_path / "demo"))
    view = window.review.view
    enter_review(qtbot, window)
    doc = window.document
    shown = doc.current_image_id
    QTest.mouseClick(view.images.filter_edit, LEFT)
    QTest.keyClicks(view.images.filter_edit, "FP > 100")
    settle()
    assert image_ids(view) == [] and view.images.filter_note.text() == "0 of 10 images"
    for key in (Qt.Key.Key_D, Qt.Key.Key_A):
        window.statusBar().clearMessage()
        view.ref_pane.setFocus()
        QTest.keyClick(view.ref_pane, key)
        settle()
        assert doc.current_image_id == shown
        assert window.statusBar().currentMessage() == "No image to go to: the filter shows 0 of 10 images"
    # the filter cleared, D walks the table again
    view.images.filter_edit.clear()
    view.ref_pane.setFocus()
    QTest.keyClick(view.ref_pane, Qt.Key.Key_D)
    settle()
    assert doc.current_image_id != shown
    window.document.undo_stack.setClean()
    window.close()

"""Rejecting pending predictions across the project: after pre-labeling a folder with a COCO model, a
class the project does not want (a shelf's "dining table") and what scores under the cut had to be
rejected image by image (Reject All on Image, Reject Below on each). The Model menu now rejects, on every
image and in one undo step, the current category's pending predictions or those below the Show slider;
the project's labels and other classes stay. Real keys and clicks on the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import settle
from tests.ui.test_model_panel import choose, demo, fake_backends, go_to, key, predictions, wait_batch

FIXTURES = (demo, fake_backends)  # pytest finds them by name
LEFT = Qt.MouseButton.LeftButton


def click_in_model_menu(qtbot, win, panel, act) -> None:  # type: ignore[no-untyped-def]
    """Open the Model menu with the mouse and click ``act`` in it."""
    bar, menu = win.menuBar(), panel.menu
    QTest.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    assert act.isEnabled(), act.text()
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)


def test_reject_a_category_then_below_the_slider_on_every_image(qtbot, demo) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scored")  # 0.2, 0.5 and 0.9, in the current category
    first, second = sorted(doc.project.categories)[:2]
    labels = {i for i, a in doc.project.annotations.items() if not (a.source or "").startswith("model:")}
    for image, category in ((2, first), (3, first), (4, second)):
        go_to(qtbot, win, image)
        doc.set_current_category(category)
        settle()
        key(win, Qt.Key.Key_M)
        wait_batch(qtbot, panel)
    assert {(a.image_id, a.category_id) for a in predictions(doc)} == {(2, first), (3, first), (4, second)}
    doc.set_current_category(first)
    name = doc.project.categories[first].name
    act = panel.review.act_reject_category
    qtbot.waitUntil(
        lambda: act.text().replace("&", "") == f"Reject All {name} Predictions in Project", timeout=10000
    )
    steps = doc.undo_stack.count()
    click_in_model_menu(qtbot, win, panel, act)
    assert {(a.image_id, a.category_id) for a in predictions(doc)} == {(4, second)}
    assert labels <= set(doc.project.annotations)  # the project's own objects of that category stay
    assert doc.undo_stack.count() == steps + 1
    said = win.statusBar().currentMessage()
    assert f"Rejected 6 predictions of {name} on 2 images (deleted)" in said, said
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step takes it all back
    assert len(predictions(doc)) == 9

    slider = panel.review.score_slider
    slider.setFocus()
    for _ in range(6):
        QTest.keyClick(slider, Qt.Key.Key_PageUp)  # Show >= 0.60
    below = panel.review.act_reject_below_project
    qtbot.waitUntil(lambda: below.text().replace("&", "") == "Reject Below 0.60 in Project", timeout=10000)
    click_in_model_menu(qtbot, win, panel, below)
    assert sorted((a.image_id, a.score) for a in predictions(doc)) == [(2, 0.9), (3, 0.9), (4, 0.9)]
    assert labels <= set(doc.project.annotations)
    assert "Rejected 6 predictions below 0.60 on 3 images (deleted)" in win.statusBar().currentMessage()
    click_in_model_menu(qtbot, win, panel, below)  # nothing left below: said, nothing done
    assert "No pending predictions below 0.60 in the project" in win.statusBar().currentMessage()
    assert len(predictions(doc)) == 3


def test_reject_below_in_project_is_greyed_while_the_slider_shows_everything(qtbot, demo) -> None:
    """At Show 0.00 no prediction can score below the cut: the menu item shows the cut, disabled, and
    neither a click nor Ctrl+Alt+J does anything; raising the slider enables it, lowering it back greys it."""
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scored")  # 0.2, 0.5 and 0.9
    go_to(qtbot, win, 2)
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert len(predictions(doc, 2)) == 3
    slider, below = panel.review.score_slider, panel.review.act_reject_below_project
    assert slider.value() == 0
    assert below.text().replace("&", "") == "Reject Below 0.00 in Project" and not below.isEnabled()
    bar, menu = win.menuBar(), panel.menu
    QTest.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    assert below in menu.actions() and not below.isEnabled()
    said = win.statusBar().currentMessage()
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(below).center())  # greyed: nothing happens
    settle()
    assert win.statusBar().currentMessage() == said and len(predictions(doc, 2)) == 3
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert "No pending predictions below" not in win.statusBar().currentMessage()

    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_PageUp)  # Show >= 0.10: the item can reject something
    qtbot.waitUntil(lambda: below.isEnabled() and "0.10" in below.text(), timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert "No pending predictions below 0.10 in the project" in win.statusBar().currentMessage()
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_PageDown)  # back to 0.00
    qtbot.waitUntil(lambda: not below.isEnabled() and "0.00" in below.text(), timeout=10000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert len(predictions(doc, 2)) == 3

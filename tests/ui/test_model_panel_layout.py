"""The Model dock on a 1366x768 laptop screen: the run buttons and "Only this project's classes" were
below the fold of the dock's scroll area (under the backend's options, a tall class mapping and the Run
box), so a user did not see how to run the model. Now they sit under the backend and model choice, and
the backend's free-text options fold away (opened by a click, remembered per backend, opened by
themselves when a failure names one)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea, QWidget

from pixelproof.core.demo import install_demo
from pixelproof.inference import registry as inference
from pixelproof.inference.base import Backend
from pixelproof.inference.registry import BackendInfo
from tests.ui.conftest import settle

LEFT, NOMOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


class NeedsLabels(Backend):
    """Not ready until one of its options is given: the reason names it."""

    name = "needslabels"
    kind = "detect"
    options: ClassVar[dict[str, str]] = {"labels_file": "the class names, one a line", "iou": "NMS IoU"}

    def categories(self) -> list[str]:
        return []

    def ready(self) -> tuple[bool, str]:
        return False, "choose the class names (labels_file)"

    def predict(self, image, prompt=None):  # type: ignore[no-untyped-def]
        return []


@pytest.fixture
def with_needs_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    real = inference.discover
    fake = BackendInfo(NeedsLabels.name, "tests:NeedsLabels", None, NeedsLabels)
    monkeypatch.setattr(inference, "discover", lambda: sorted([*real(), fake], key=lambda i: i.name))


def model_dock(qtbot, open_on, tmp_path):  # type: ignore[no-untyped-def]
    """The demo in a 1366x768 window, the Model tab raised, the threshold backend ready."""
    win = open_on(install_demo(tmp_path / "demo"))
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == (1366, 768), timeout=10000)
    dock = win.docks["modelDock"]
    dock.show()
    dock.raise_()
    panel = win.panels["modelDock"]
    qtbot.waitUntil(lambda: panel.backends.combo.findData("threshold") >= 0, timeout=10000)
    panel.backends.choose_backend("threshold")
    qtbot.waitUntil(lambda: panel.act_prelabel.isEnabled() and panel.session.is_idle(), timeout=15000)
    settle()
    return win, panel


def in_sight(panel, widget: QWidget) -> bool:  # type: ignore[no-untyped-def]
    """``widget`` lies wholly inside the visible part of the dock's scroll area (unscrolled)."""
    area = panel.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea)
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return widget.isVisible() and viewport.rect().contains(QRect(top_left, widget.size()))


def run_buttons(panel):  # type: ignore[no-untyped-def]
    return [b for b in panel.findChildren(QWidget) if getattr(b, "defaultAction", lambda: None)() in (
        panel.act_prelabel, panel.act_prelabel_all)]  # fmt: skip


def test_run_buttons_and_only_existing_in_sight_at_1366x768(qtbot, open_on, tmp_path) -> None:
    win, panel = model_dock(qtbot, open_on, tmp_path)
    area = panel.parentWidget().parentWidget()
    assert area.verticalScrollBar().value() == 0
    buttons = run_buttons(panel)
    assert len(buttons) == 2
    for widget in (*buttons, panel.only_existing, panel.backends.combo):
        assert in_sight(panel, widget), (widget, area.viewport().size())
    assert in_sight(panel, panel.backends.options.section.toggle)
    assert not panel.backends.options.options_box.isVisible()  # the threshold backend's 7 options: folded
    assert panel.backends.options.section.toggle.text() == "Options (7)"
    # the class mapping is as tall as its one row, not a large empty box
    table = panel.mapping
    assert table.height() <= table.horizontalHeader().height() + 2 * table.rowHeight(0) + 4
    # a click on Pre-label Image runs the model on the image
    assert not panel.batch.summary_label.isVisible()  # no empty line between the buttons and the checkbox
    before = len(win.document.project.annotations)
    QTest.mouseClick(buttons[0] if buttons[0].defaultAction() is panel.act_prelabel else buttons[1], LEFT)
    qtbot.waitUntil(
        lambda: not panel.is_running() and len(win.document.project.annotations) > before, timeout=20000
    )
    assert panel.batch.summary_label.isVisible() and "1 of 1 image" in panel.batch.summary_label.text()


def test_options_toggle_shows_hides_and_is_remembered(qtbot, open_on, tmp_path) -> None:
    _win, panel = model_dock(qtbot, open_on, tmp_path)
    form = panel.backends.options
    toggle, edit = form.section.toggle, form.option_edits["min_area"]
    assert not edit.isVisible()
    QTest.mouseClick(toggle, LEFT)
    qtbot.waitUntil(edit.isVisible, timeout=10000)
    QTest.keyClicks(edit, "50")
    assert toggle.text() == "Options (1 of 7 set)"  # seen while folded
    QTest.mouseClick(toggle, LEFT)
    qtbot.waitUntil(lambda: not edit.isVisible(), timeout=10000)
    assert toggle.text() == "Options (1 of 7 set)"
    QTest.mouseClick(toggle, LEFT)  # left open: open again when the backend is chosen again
    panel.backends.choose_backend("grabcut")
    qtbot.waitUntil(lambda: panel.backends.status_text.startswith("✓"), timeout=15000)
    assert not form.options_box.isVisible()  # grabcut's own state: never opened
    panel.backends.choose_backend("threshold")
    qtbot.waitUntil(lambda: panel.backends.status_text.startswith("✓"), timeout=15000)
    assert form.options_box.isVisible()


def test_options_open_by_themselves_when_the_reason_names_one(
    qtbot, open_on, tmp_path, with_needs_labels
) -> None:
    _win, panel = model_dock(qtbot, open_on, tmp_path)
    form = panel.backends.options
    assert not form.options_box.isVisible()
    panel.backends.choose_backend("needslabels")
    qtbot.waitUntil(lambda: "labels_file" in panel.backends.status_text, timeout=15000)
    qtbot.waitUntil(lambda: form.option_edits["labels_file"].isVisible(), timeout=10000)
    panel.backends.choose_backend("threshold")  # not remembered as the user's choice
    qtbot.waitUntil(lambda: panel.backends.status_text.startswith("✓"), timeout=15000)
    assert not form.options_box.isVisible()

"""Greys that were fixed colours read in the light and the dark theme alike: the review tables' n/a values
(#8c8c8c: 3.4:1 on the light theme's white rows, below the 4.5:1 WCAG AA asks of text) and the canvas's
empty hint (#c8cacd) take their colour from the palette, made readable on what they are drawn on."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from pixelproof.ui.review.tables import ImageTableModel
from tests.ui.conftest import open_main_window
from tests.ui.test_first_run_friction import contrast  # WCAG 2's formula, written apart from the app's
from tests.ui.test_hint_contrast import drawn_contrast


@pytest.fixture
def themed(qtbot, no_prompts):  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot)  # no project: the canvas says how to start
    yield win
    win.theme_actions["system"].trigger()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_a_review_tables_na_value_reads_on_its_rows_in_both_themes(themed, mode) -> None:
    themed.theme_actions[mode].trigger()
    model = ImageTableModel()
    model.set_rows([{"image_id": 1, "file_name": "a.png", model.metrics[0]: math.nan}], None)
    grey = model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole)
    assert grey is not None  # n/a is greyed
    palette = QApplication.palette()
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        ratio = contrast(grey, palette.color(role))
        assert ratio >= 4.5, (mode, role.name, grey.name(), round(ratio, 2))


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_canvas_empty_hint_reads_in_both_themes(qtbot, themed, mode) -> None:
    themed.theme_actions[mode].trigger()
    hint = themed.canvas.viewport().findChild(QLabel, "emptyHint")
    qtbot.waitUntil(hint.isVisible, timeout=10000)
    ratio = drawn_contrast(themed.canvas.viewport(), hint)
    assert ratio >= 4.5, (mode, round(ratio, 2))

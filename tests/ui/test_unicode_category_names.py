"""Class names in Hebrew (right to left), Japanese and emoji in the app: the Categories panel, the class
boxes and the canvas tags show them as the project holds them, and a name typed in the panel is stored
exactly as typed (issue: Japanese and Israeli labeling teams)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Category
from pixelproof.ui.canvas.marks import TAG_MAX_WIDTH, LabelItem
from tests.ui.conftest import click_button, make_project, open_main_window

pytestmark = pytest.mark.gui

HEBREW, JAPANESE, EMOJI = "חתול", "歩行者 (子供)", "👍🏽 ok"
SQUARE = [[40.0, 100.0, 100.0, 100.0, 100.0, 160.0, 40.0, 160.0]]


@pytest.fixture
def named(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """Categories 1 and 2 renamed Hebrew and Japanese, a third with emoji, one box each."""
    path = make_project(tmp_path, n_images=1)
    project = load_project(path)
    project.categories[1].name, project.categories[2].name = HEBREW, JAPANESE
    project.add_category(Category(3, EMOJI, color="#00ff00"))
    for k, cid in enumerate((1, 2, 3)):
        project.add_annotation(Annotation(10 + k, 1, cid, [20.0 + 70 * k, 30.0, 60.0, 40.0], None, 2400.0))
    project.add_annotation(Annotation(20, 1, 1, [40.0, 100.0, 60.0, 60.0], SQUARE, 3600.0))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    yield win
    win.document.undo_stack.setClean()


def test_panels_show_the_names_unchanged(named) -> None:  # type: ignore[no-untyped-def]
    win = named
    tree = win.panels["categoriesDock"].tree
    items = [tree.topLevelItem(r) for r in range(tree.topLevelItemCount())]
    assert [i.text(0) for i in items] == [HEBREW, JAPANESE, EMOJI]
    project = win.document.project
    assert [project.categories[i.data(0, Qt.ItemDataRole.UserRole)].name for i in items] == [
        HEBREW,
        JAPANESE,
        EMOJI,
    ]
    combo = win.categories.combo  # each name, then its number key
    shown = [combo.itemText(i) for i in range(combo.count())]
    assert all(any(t.startswith(name + " ") for t in shown) for name in (HEBREW, JAPANESE, EMOJI)), shown


def test_canvas_tags_draw_the_right_to_left_name(qtbot, named) -> None:  # type: ignore[no-untyped-def]
    win = named
    layer = win.canvas.box_layer
    codes = set(layer.tag_codes().tolist())
    assert {layer.tag_text(c) for c in codes} == {HEBREW, JAPANESE, EMOJI}
    tag = layer.tags._pixmap(HEBREW, QColor("#ff0000")).toImage()
    assert tag.width() > 8 and tag.deviceIndependentSize().width() <= TAG_MAX_WIDTH + 8
    drawn = {tag.pixel(x, y) for x in range(tag.width()) for y in range(tag.height())}
    assert len(drawn) > 1  # the letters, not a bare red box
    win.document.set_selection([20])  # the selected polygon gets its own tag item

    def labels() -> list[LabelItem]:  # the selected box's own tag
        items = win.canvas.scene().items()
        return [i for i in items if isinstance(i, LabelItem) and i.isVisible() and i.text.text()]

    qtbot.waitUntil(lambda: bool(labels()), timeout=10000)
    assert [i.text.text() for i in labels()] == [HEBREW]
    assert 8 < labels()[0].rect().width() <= TAG_MAX_WIDTH + 8


def test_a_hebrew_name_typed_in_the_panel_is_stored_as_typed(qtbot, monkeypatch, named) -> None:  # type: ignore[no-untyped-def]
    win = named
    panel = win.panels["categoriesDock"]
    typed = "כלב\u05bc"  # with a dagesh (a combining mark): not normalised away
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (typed, True)))
    click_button(panel.buttons["add"])
    assert [c.name for c in win.document.project.categories.values()][-1] == typed
    tree = panel.tree
    qtbot.waitUntil(lambda: typed in [tree.topLevelItem(r).text(0) for r in range(tree.topLevelItemCount())])

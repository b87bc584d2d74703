"""A category name from another tool's file may be 10,000 characters long or hold a line break (PixelProof
keeps it as the file has it): it made a canvas tag 118,602 px wide over a strip of the canvas and a tag
spilling a second line out of its box. The canvas, lists and boxes show it on one short line; a name
typed in the Categories panel is refused past the limit instead of made."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.limits import MAX_CATEGORY_NAME, NAME_SHOWN
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.marks import TAG_MAX_WIDTH, LabelItem
from tests.ui.conftest import click_button, click_item, list_rows, make_project, open_main_window

pytestmark = pytest.mark.gui

LONG = "W" * 10_000
TWO_LINES = "first line\nsecond line"
SQUARE = [[40.0, 40.0, 100.0, 40.0, 100.0, 100.0, 40.0, 100.0]]


@pytest.fixture
def named(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    """Categories 1 and 2 named as an imported file may name them, each with a box and a polygon."""
    path = make_project(tmp_path, n_images=1)
    project = load_project(path)
    project.categories[1].name, project.categories[2].name = LONG, TWO_LINES
    for k, cid in enumerate((1, 2)):
        y = 20.0 + 110 * k
        project.add_annotation(Annotation(10 + k, 1, cid, [150.0, y, 60.0, 40.0], None, 2400.0))
        poly = [[v + (110 * k if i % 2 else 0) for i, v in enumerate(SQUARE[0])]]
        project.add_annotation(Annotation(20 + k, 1, cid, [40.0, 40.0 + 110 * k, 60.0, 60.0], poly, 3600.0))
    project.add_category(project.categories[1].__class__(3, "dog", color="#00ff00"))
    save_project(project, path)
    win = open_main_window(qtbot, path)
    win.canvas.set_zoom(2.0)
    yield win
    win.document.undo_stack.setClean()


def shown_ok(text: str) -> bool:
    return "\n" not in text and len(text) <= NAME_SHOWN + 20  # the name shown shortened, plus a key etc.


def test_canvas_tags_stay_one_short_line(qtbot, named) -> None:  # type: ignore[no-untyped-def]
    win = named
    layer = win.canvas.box_layer
    sizes = {layer.tag_key(code)[0]: layer.tags.tag_size(code) for code in set(layer.tag_codes().tolist())}
    one_line = round(layer.tags._pixmap("dog", QColor("#00ff00")).deviceIndependentSize().height())
    for cid in (1, 2):
        w, h = sizes[cid]
        assert w <= TAG_MAX_WIDTH + 8 and h == one_line, (cid, w, h)
    win.document.set_selection([20, 21])  # the polygons: each gets its item, with its own tag
    qtbot.waitUntil(
        lambda: len([i for i in win.canvas.scene().items() if isinstance(i, LabelItem)]) >= 2, timeout=10000
    )
    for item in (i for i in win.canvas.scene().items() if isinstance(i, LabelItem)):
        r = item.rect()
        assert r.width() <= TAG_MAX_WIDTH + 8 and r.height() <= one_line + 1, (item.text.text()[:40], r)
        assert "\n" not in item.text.text()


def test_lists_and_boxes_show_the_names_on_one_short_line(qtbot, named) -> None:  # type: ignore[no-untyped-def]
    win = named
    tree = win.panels["categoriesDock"].tree
    texts = [tree.topLevelItem(r).text(0) for r in range(tree.topLevelItemCount())]
    assert texts[2] == "dog" and texts[1] == "first line\\nsecond line"
    assert all(shown_ok(t) for t in texts), [t[:40] for t in texts]
    combo = win.categories.combo
    assert all(shown_ok(combo.itemText(i)) for i in range(combo.count()))
    win.document.set_selection([10])
    props = win.panels["propertiesDock"]
    qtbot.waitUntil(lambda: props.category.count() == 3, timeout=10000)
    assert all(shown_ok(props.category.itemText(i)) for i in range(props.category.count()))
    rows = win.panels["annotationsDock"].list
    assert len(list_rows(rows)) == 4 and all(shown_ok(r.text()) for r in list_rows(rows))


def test_the_categories_panel_refuses_a_name_past_the_limit(monkeypatch, errors, named) -> None:  # type: ignore[no-untyped-def]
    win = named
    doc, panel = win.document, win.panels["categoriesDock"]
    typed = iter(["y" * (MAX_CATEGORY_NAME + 1), "two\nlines"])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (next(typed), True)))
    click_button(panel.buttons["add"])
    assert len(doc.project.categories) == 3 and len(errors) == 1 and str(MAX_CATEGORY_NAME) in errors[0][1]
    click_item(panel.tree, panel.tree.topLevelItem(2))
    click_button(panel.buttons["rename"])
    assert doc.project.categories[3].name == "dog" and len(errors) == 2 and "line break" in errors[1][1]

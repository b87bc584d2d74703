"""A category name from another tool's file may be 10,000 characters long or hold a line break (kept whole,
core.names): the Edit menu's Undo entry after a rename, the taxonomy menu's lists and the Model panel's
class mapping showed it whole, an entry or a box 10,000 characters wide. They show it on one short line
(core.names.shown_name) and still act on the whole name."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from pixelproof.core.limits import NAME_SHOWN
from pixelproof.ui.panels.prelabel.mapping import ClassMapping
from tests.ui.conftest import click_button, click_item
from tests.ui.test_long_category_names import LONG, TWO_LINES, named  # noqa: F401  (the fixture)

pytestmark = pytest.mark.gui


def one_short_line(text: str, most: int = NAME_SHOWN + 20) -> bool:
    return "\n" not in text and len(text) <= most


def test_the_edit_menus_undo_entry_after_renaming_a_long_name_is_short(monkeypatch, qtbot, named) -> None:  # noqa: F811
    win = named
    panel = win.panels["categoriesDock"]
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("short", True)))
    click_item(panel.tree, panel.tree.topLevelItem(0))
    click_button(panel.buttons["rename"])
    assert win.document.project.categories[1].name == "short"
    text = win.act_undo.text()
    assert "short" in text and one_short_line(text, 160), text[:80]
    win.document.undo_stack.undo()
    assert win.document.project.categories[1].name == LONG  # undone whole
    redo = win.document.undo_stack.redoText()
    assert one_short_line(redo, 160), redo[:80]


def test_the_taxonomy_menu_lists_long_names_short_and_merges_the_whole_one(monkeypatch, qtbot, named) -> None:  # noqa: F811
    win = named
    panel = win.panels["categoriesDock"]
    seen: list = []

    def choose(parent, title, label, items, *a, **k):  # type: ignore[no-untyped-def]
        seen.append((label, list(items)))
        return next(i for i in items if i.startswith("W")), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    click_item(panel.tree, panel.tree.topLevelItem(2))  # dog
    panel.taxonomy_menu.act_merge.trigger()  # its entry in the row's context menu
    label, items = seen[0]
    assert all(one_short_line(i) for i in [label, *items]), [i[:40] for i in [label, *items]]
    assert 3 not in win.document.project.categories  # dog merged into the long-named class, found whole
    assert win.document.project.categories[1].name == LONG


def test_the_class_mapping_shows_long_model_classes_short_and_maps_them_whole(qtbot) -> None:
    table = ClassMapping()
    qtbot.addWidget(table)
    table.fill([LONG, TWO_LINES, "dog"], ["dog", "cat"])
    for r in range(table.rowCount()):
        assert one_short_line(table.item(r, 0).text()), table.item(r, 0).text()[:40]
        combo = table.cellWidget(r, 1)
        assert all(one_short_line(combo.itemText(i)) for i in range(combo.count()))
    assert table.values() == {LONG: LONG, TWO_LINES: TWO_LINES, "dog": "dog"}
    assert table.combo(LONG) is table.cellWidget(0, 1)

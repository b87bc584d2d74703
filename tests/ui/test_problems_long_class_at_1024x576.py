"""The demo with an unused class of one long word at 1024x576: its ``empty_class`` row kept the class's
first 14 characters (a one-word class whole up to that) and the file names gave up the rest, "(pr…ct)"
and "co…ng" for "(project)" and coins.png. Seen in a real X window with a 20-character class; a
40-character one squeezes them in any font, offscreen too. The file names keep 10 characters before the
class keeps more than its title, and the class is cut inside its word, whole in the row's tooltip."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.conftest import header_reads_whole, tip_text
from tests.ui.test_cuts_at_1024 import demo_at
from tests.ui.test_review_volumes import shown_text

LONG_CLASS = "unused_category_name_kept_for_later_rows"  # 40 characters, one word, no object


def add_unused_class(project: Path) -> None:
    data = json.loads(project.read_text(encoding="utf-8"))
    data["categories"].append({"id": 99, "name": LONG_CLASS})
    project.write_text(json.dumps(data), encoding="utf-8")


def test_a_long_one_word_class_leaves_the_file_names_whole(qtbot, tmp_path: Path, no_prompts) -> None:
    assert len(LONG_CLASS) == 40 and " " not in LONG_CLASS
    with demo_at(qtbot, tmp_path, 1024, 576, edit=add_unused_class) as win:
        panel = win.panels["problemsDock"]
        table, proxy = panel.table, panel.proxy
        header = table.horizontalHeader()
        assert table.viewport().width() < 330  # the squeeze this is about
        assert header.length() <= table.viewport().width()  # no sideways scroll bar
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        for col in shown:
            assert header_reads_whole(table, col), proxy.headerData(col, Qt.Orientation.Horizontal)
        images, classes = {}, {}
        for r in range(proxy.rowCount()):
            images[str(proxy.index(r, 3).data())] = shown_text(table, proxy.index(r, 3))[0]
            cell = proxy.index(r, 2)
            classes[str(cell.data())] = (
                shown_text(table, cell)[0],
                tip_text(cell.data(Qt.ItemDataRole.ToolTipRole)),
            )
        assert images["(project)"] == "(project)"  # not "(pr…ct)"
        assert images["coins.png"] == "coins.png"  # not "co…ng"
        text, tip = classes[LONG_CLASS]
        assert text.endswith("…") and LONG_CLASS.startswith(text[:-1]) and len(text) > 3, text  # cut inside
        assert f"Class: {LONG_CLASS}" in tip

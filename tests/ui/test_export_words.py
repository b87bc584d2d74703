"""File > Export's report names the app's way to list every picture not the size it is declared, not a
command: the writer's size warning said "`pixelproof validate --images` lists them with the likely cause",
which an app user has no terminal for; the app lists them with Problems > Find Problems and the Problems
panel's Compare pictures (``ui.import_words.export_words``, as the Import dialog's ``dialog_words``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ui.test_interop_dialogs import fill_and_ok, import_through_dialog, make_labelme_folder, new_window


def test_the_export_size_warning_names_find_problems_not_validate(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    folder = make_labelme_folder(tmp_path / "lm")
    doc = json.loads((folder / "a.json").read_text())  # a.png declared twice its size: 240x180
    (folder / "a.json").write_text(json.dumps({**doc, "imageWidth": 240, "imageHeight": 180}))
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    qtbot.waitUntil(lambda: win.document is not None, timeout=20000)
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "yolo", tmp_path / "out")
    assert errors == []
    (line,) = [w for w in win.interop.report.lines if "not the size the project declares" in w]
    assert "a.png" in line and "--" not in line and "pixelproof validate" not in line, line
    assert "Problems > Find Problems with the Problems panel's Compare pictures checked lists them" in line
    if win.document is not None:
        win.document.undo_stack.setClean()

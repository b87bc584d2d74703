"""File > Export and Import driven like a user, against what ``pixelproof convert`` does with the same
request: the same files, the same refusals, nothing of the project or its sources overwritten."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_interop_dialogs import (
    fill_and_ok,
    import_through_dialog,
    make_labelme_folder,
    new_window,
)


def test_export_into_the_imported_folder_is_refused_like_convert(
    qtbot, tmp_path: Path, no_prompts, errors, capsys
) -> None:
    """An imported LabelMe folder exported as LabelMe into itself rewrote its JSON files without what the
    import skipped (b.json lost its point); ``convert lm lm`` refuses it."""
    from pixelproof.cli import main

    folder = make_labelme_folder(tmp_path / "lm")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["convert", str(folder), str(folder), "--from", "labelme", "--to", "labelme"]) == 2
    assert "is the input" in capsys.readouterr().err
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "labelme", folder)
    for target in (folder, folder / "sub"):
        win.interop.act_export.trigger()
        dlg = win.interop.dialog
        fill_and_ok(qtbot, dlg, "labelme", target)
        title, text = errors[-1]
        assert title == "Cannot export" and str(target) in text and str(folder) in text
        assert dlg.isVisible()  # stays open to pick another folder
        dlg.reject()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

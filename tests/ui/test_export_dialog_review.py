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


def test_export_of_side_by_side_versions_warns_like_convert(
    qtbot, tmp_path: Path, no_prompts, errors, capsys
) -> None:
    """A merged project before its consensus holds each annotator's version of an overlap image as
    ordinary objects: ``convert`` warns that every version is written, File > Export wrote them silently."""
    from pixelproof.cli import main
    from pixelproof.core.coco import load_project, save_project
    from pixelproof.core.model import Annotation
    from tests.ui.conftest import make_project

    path = make_project(tmp_path / "p", n_images=2)
    project = load_project(path)
    for ann_id, who in ((1, "ann"), (2, "bob")):
        ann = Annotation(ann_id, 1, 1, [10.0, 10.0, 30.0, 20.0], area=600.0)
        ann.app_extra["annotator"] = who
        project.add_annotation(ann)
    save_project(project, path)
    assert main(["convert", str(path), str(tmp_path / "cli"), "--from", "coco", "--to", "voc"]) == 0
    cli_warning = next(line for line in capsys.readouterr().err.splitlines() if "versions" in line)

    win = new_window(qtbot)
    assert win.open_path(path)
    win.interop.act_export.trigger()
    fill_and_ok(qtbot, win.interop.dialog, "voc", tmp_path / "gui")
    assert errors == []
    report = win.interop.report
    assert report is not None and report.isVisible()
    assert any(line in cli_warning for line in report.lines if "versions" in line)

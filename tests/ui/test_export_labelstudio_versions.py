"""File > Export of a project imported from Label Studio with each annotator's version: the warning on the
images holding versions side by side names Label Studio as where they came from and the app's consensus
steps (Review > Annotators Side by Side: Consensus, then Accept Consensus), not ``pixelproof consensus``'s
command lines (``import_words.export_words``)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import save_project
from pixelproof.interop.labelstudio import read_labelstudio
from tests.interop.test_labelstudio_annotators import _fixture
from tests.ui.test_interop_dialogs import fill_and_ok
from tests.ui.test_review import open_window


def test_the_export_report_says_the_versions_came_from_label_studio_in_the_apps_words(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "project.json"
    save_project(read_labelstudio(_fixture(tmp_path), annotator_versions="each").project, project)
    win = open_window(qtbot, project)
    try:
        win.interop.act_export.trigger()
        fill_and_ok(qtbot, win.interop.dialog, "yolo", tmp_path / "out")
        assert errors == []
        (line,) = [x for x in win.interop.report.lines if "side by side" in x]
        assert "(each annotator's version from Label Studio, no consensus accepted yet)" in line, line
        assert (
            "work out its consensus and accept it first: Review > Annotators Side by Side: Consensus, then "
            "Accept Consensus)"
        ) in line, line
        assert "pixelproof consensus" not in line and "merged" not in line, line
    finally:
        win.document.undo_stack.setClean()
        win.close()

"""A Label Studio export chosen as the review's reference with a task two annotators labelled: its reader
keeps the most recent version and says how to keep each, as ``--annotator-versions each``, a flag the
review view has no field for. The banner names the app's way: File > Import's Annotators choice, the
project saved and chosen with Review > Choose Reference Project (``compute.IN_APP_WORDS``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from pixelproof.core.coco import save_project
from pixelproof.interop.labelstudio import read_labelstudio
from tests.interop.test_labelstudio_annotators import _fixture
from tests.ui.test_review import open_window


def test_the_banner_names_the_import_dialog_s_annotators_choice(
    qtbot, tmp_path: Path, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    reference = _fixture(tmp_path)
    candidate = tmp_path / "candidate.json"
    save_project(read_labelstudio(reference).project, candidate)
    win = open_window(qtbot, candidate)
    try:
        monkeypatch.setattr(
            QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(reference), ""))
        )
        QTest.keyClick(
            win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        view = win.review.view
        qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=15000)
        said = "\n".join(t for t in (view.header.banner.text(), view.header.banner.label.toolTip()) if t)
        assert "annotation 1 not imported: another version" in said, said
        assert (
            "to keep every annotator's, side by side: import it with File > Import's Annotators: Each "
            "annotator's most recent, side by side (for agreement, consensus), save it and choose it with "
            "Review > Choose Reference Project"
        ) in said, said
        assert "--" not in said, said
    finally:
        win.document.undo_stack.setClean()
        win.close()

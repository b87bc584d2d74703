"""The Model panel's Pre-label All summary says, as ``pixelproof prelabel`` warns, when the specks the
threshold backend dropped outnumber the objects it kept (its Otsu level cut background noise), naming the
panel's Options field to set rather than the CLI's ``--option``; at a level that finds the defects it says
nothing of the kind."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_specks import _line_scan
from tests.ui.test_model_panel import LEFT, choose, close_window, open_window, predictions, press, wait_batch


def test_pre_label_all_says_the_specks_outnumber_the_objects(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, make_project(tmp_path / "p", {"scan.png": _line_scan(40)}))
    try:
        doc = win.document
        panel = choose(qtbot, win, "threshold")
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        kept = len(predictions(doc))
        assert panel.batch.last_batch.speckles >= 10 * kept > 0, summary
        dropped = panel.batch.last_batch.speckles
        assert f"{dropped:,} specks dropped against {kept:,} objects kept: the Otsu level 1002.8" in summary
        assert "cuts background noise into specks" in summary
        assert "in the Model panel's Options: threshold=VALUE" in summary and "--option" not in summary

        # the level it suggests, typed into the Options field it names: the 12 defects, and no such line
        QTest.keyClick(win.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert not predictions(doc)
        form = panel.backends.options
        edit = form.option_edits["threshold"]
        if not edit.isVisible():
            QTest.mouseClick(form.section.toggle, LEFT)
            qtbot.waitUntil(edit.isVisible, timeout=10000)
        QTest.keyClicks(edit, "1200")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: getattr(panel.session.backend, "threshold", None) == 1200 and panel.session.is_idle(),
            timeout=10000,
        )
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        assert len(predictions(doc)) == 12
        assert "specks dropped against" not in panel.batch.summary_label.text()
    finally:
        close_window(win)


def test_pre_label_all_says_how_to_keep_defects_under_min_area(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """Defects of 1-25 px under the default min_area 30 were a count only: the summary names the option
    where the panel sets it, and set there, the defects come in."""
    from tests.cli.test_prelabel_specks import _tiny_defects

    win = open_window(qtbot, make_project(tmp_path / "p", {"scan.png": _tiny_defects()}))
    try:
        panel = choose(qtbot, win, "threshold")
        form = panel.backends.options
        if not form.option_edits["threshold"].isVisible():
            QTest.mouseClick(form.section.toggle, LEFT)
            qtbot.waitUntil(form.option_edits["threshold"].isVisible, timeout=10000)
        QTest.keyClicks(form.option_edits["threshold"], "1200")
        QTest.keyClick(form.option_edits["threshold"], Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: getattr(panel.session.backend, "threshold", None) == 1200, timeout=10000)
        qtbot.waitUntil(panel.session.is_idle, timeout=10000)
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        assert (
            "4 speckles under the model's min_area dropped"
            " (keep them in the Model panel's Options: min_area=1)" in summary
        )
        assert len(predictions(win.document)) == 3
    finally:
        close_window(win)

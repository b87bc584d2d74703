"""Review > Export Report…: a QA lead reviewing in the app had to save, then run ``pixelproof qa REF CAND
--html r.html`` in a terminal for the report to send. The menu writes that report (or qa's JSON, a CSV, by
the file dialog's type) for the reference and the open project with its decisions, unsaved ones too."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from pixelproof.cli import main
from pixelproof.core.demo import install_demo
from pixelproof.core.references import reference_path
from pixelproof.ui.review.export_report import FILTERS
from tests.ui.test_channels import open_menu
from tests.ui.test_review import CTRL, LEFT, enter_review, open_window, table_click, wait_image


def export(qtbot, win, monkeypatch, path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Review > Export Report… with the mouse, the dialog answering ``path`` with ``kind``'s type."""
    answer = (str(path), FILTERS[kind])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: answer))
    menu = win.review.menu
    open_menu(qtbot, menu, None, win)
    act = win.review.act_export
    assert act.isEnabled() and act.text() == "E&xport Report…"
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=10000)


def test_export_report_writes_what_qa_writes(qtbot, tmp_path, no_prompts, errors, monkeypatch) -> None:
    project = install_demo(tmp_path / "demo")
    win = open_window(qtbot, project)
    view = win.review.view
    enter_review(qtbot, win)
    doc = win.document
    view.select_image(view.images.listed_ids()[0])
    wait_image(qtbot, view)
    table_click(view.object_table, 0)
    QTest.keyClick(view.object_table, Qt.Key.Key_Return, CTRL)  # a decision, not saved
    decided = view.object_model.rows[0].cand_id
    assert doc.project.annotations[decided].review == "accepted" and win.isWindowModified()

    html, js = tmp_path / "out" / "r.html", tmp_path / "out" / "r"  # JSON typed without .json: added
    html.parent.mkdir()
    export(qtbot, win, monkeypatch, html, "html")
    assert win.statusBar().currentMessage() == f"HTML report written to {html}"
    export(qtbot, win, monkeypatch, js, "json")
    assert win.statusBar().currentMessage() == f"JSON, the full result written to {js}.json"
    assert errors == []

    win.activateWindow()  # the progress dialog has gone
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=10000)
    QTest.keyClick(view.object_table, Qt.Key.Key_S, CTRL)  # saved: qa reads the same project
    assert not win.isWindowModified()
    ref = reference_path(doc.project)
    cli_html, cli_json = tmp_path / "cli.html", tmp_path / "cli.json"
    assert main(["qa", str(ref), str(project), "--html", str(cli_html), "--json", str(cli_json)]) == 0
    assert html.read_text(encoding="utf-8") == cli_html.read_text(encoding="utf-8")
    assert (tmp_path / "out" / "r.json").read_bytes() == cli_json.read_bytes()
    assert "accepted" in html.read_text(encoding="utf-8")  # the decision made before saving is there
    win.close()


def test_export_report_errors_name_the_file_and_leave_none(
    qtbot, tmp_path, no_prompts, errors, monkeypatch
) -> None:
    project = install_demo(tmp_path / "demo")
    win = open_window(qtbot, project)
    enter_review(qtbot, win)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "r.html"  # its folder is a file: cannot be written
    export(qtbot, win, monkeypatch, target, "html")
    assert len(errors) == 1 and str(target) in errors[0][1] and "not written" in errors[0][1]
    assert f"Report not written to {target}" in win.statusBar().currentMessage()
    assert not target.exists() and blocker.read_text() == "not a folder"

    before = project.read_bytes()  # the project file itself: refused, left as it was
    export(qtbot, win, monkeypatch, project, "json")
    assert len(errors) == 2 and str(project) in errors[1][1] and "is the project file" in errors[1][1]
    assert project.read_bytes() == before
    win.close()

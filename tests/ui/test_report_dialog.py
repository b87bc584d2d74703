"""The import / export report (``dialogs.ReportDialog``) wraps its lines to the window: a problem under a deep
folder showed only its path, what was wrong past a horizontal scroll bar."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from pixelproof.ui.dialogs import ReportDialog
from tests.ui.conftest import settle

DEEP = "/data/" + "/".join(f"annotations_from_the_field_team_{i}" for i in range(6))


def test_a_long_problem_line_wraps_so_its_end_is_in_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    lines = [
        f"{DEEP}/frame_000123.json: shapes[0]: a polygon needs at least 3 points, got 1; skipped",
        "short",
    ]
    dlg = ReportDialog("Import report", "Imported 1 image.\n1 problem:", lines)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    settle()
    assert dlg.text.horizontalScrollBar().maximum() == 0
    first = dlg.text.document().firstBlock()
    assert first.layout().lineCount() > 1  # the path itself broken (no spaces in it), then the reason
    assert first.layout().lineAt(0).naturalTextWidth() <= dlg.text.viewport().width()
    dlg.copy_button.click()  # copied as read: one line per problem, no wrapping in it
    assert QApplication.clipboard().text().endswith("\n".join(lines))


def test_each_report_line_is_set_apart_from_the_next(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Wrapped flush and packed, a problem's second line read as the next problem: a wrapped line goes on
    indented under its first, and a gap follows each report line."""
    lines = [
        f"{DEEP}/frame_000123.json: shapes[0]: a polygon needs at least 3 points, got 1; skipped",
        f"{DEEP}/frame_000124.json: shapes[2].group_id: expected a number, got 'a'; skipped",
        "short",
    ]
    dlg = ReportDialog("Import report", "Imported 1 image.\n3 problems:", lines)
    qtbot.addWidget(dlg)
    dlg.resize(760, 420)  # its size on a 1366 x 768 screen
    dlg.show()
    qtbot.waitExposed(dlg)
    settle()
    first = dlg.text.document().firstBlock()
    layout = first.layout()
    assert layout.lineCount() > 1
    start = layout.lineAt(0).x()
    assert all(layout.lineAt(i).x() >= start + 10 for i in range(1, layout.lineCount()))  # hanging indent
    last = layout.lineAt(layout.lineCount() - 1)
    second = first.next()
    gap = second.layout().position().y() - (layout.position().y() + last.y() + last.height())
    assert gap >= 3  # the next report line starts after a visible gap
    assert second.layout().lineAt(0).x() == start  # and at the left edge, as each report line does
    assert dlg.text.toPlainText().splitlines() == lines  # still one line per report line when copied

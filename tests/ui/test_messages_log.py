"""View > Messages…: every status bar message of the session is kept, listed after the bar moved on (an
import's skipped shapes, a refused save), copied with Ctrl+C or Copy All, cleared; a click on the bar's
message opens it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.ui.conftest import click_button, settle
from tests.ui.test_interop_dialogs import import_through_dialog, make_labelme_folder, new_window

DESKTOP = Path(__file__).resolve().parents[2] / "desktop" / "pixelproof"


def rows(win) -> list[str]:  # type: ignore[no-untyped-def]
    shown = win.messages.window.list
    return [shown.item(r).text() for r in range(shown.count())]


def test_an_import_warning_and_a_refused_save_are_listed_after_the_bar_cleared(
    qtbot, tmp_path: Path, no_prompts, errors, monkeypatch
) -> None:
    win = new_window(qtbot)
    import_through_dialog(
        qtbot, win, "labelme", make_labelme_folder(tmp_path / "lm")
    )  # b.json's point skipped
    report = win.interop.report.lines  # b.json's point, located
    assert report and any("b.json" in line for line in report)
    win.interop.report.close()
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    target = str(blocker / "project.json")  # a folder that is a file: the save fails
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (target, "")))
    assert not win.files.act_save.trigger() and errors and errors[-1][0] == "Could not save"
    win.statusBar().clearMessage()  # the bar moved on: the messages are gone from it
    view = next(a for a in win.menuBar().actions() if a.text() == "&View").menu()
    next(a for a in view.actions() if a.text().startswith("&Messages…")).trigger()
    log = win.messages.window
    qtbot.waitUntil(log.isVisible, timeout=10000)
    shown = rows(win)
    imported, refused = next(r for r in shown if "Imported 2 images" in r), shown[-1]  # newest at the bottom
    assert "[warning] Imported 2 images, 4 annotations" in imported and "skipped 1 point" in imported
    # the report's lines follow its summary, each found after the report was closed
    after = shown[shown.index(imported) + 1 : -1]
    assert [r.split("  ", 1)[1] for r in after] == [f"[warning] Import report: {line}" for line in report]
    assert "[error] Not saved: " in refused and "a file" in refused
    # Ctrl+C copies the selected row, Copy All every one
    log.list.setFocus()
    log.list.setCurrentRow(log.list.count() - 1)
    qtbot.keyClick(log.list, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == refused
    click_button(log.copy_button)
    assert QApplication.clipboard().text().splitlines()[-len(after) - 2 :] == [imported, *after, refused]
    # a message said while the window is open shows at once; Clear empties the log
    click_button(log.clear_button)
    assert rows(win) == [] and len(win.shell.messages) == 0 and log.empty.isVisible()
    win.shell.status("Saved somewhere")
    assert rows(win)[-1].endswith("  Saved somewhere") and not log.empty.isVisible()
    log.close()


def test_a_click_on_the_status_bar_message_opens_the_log(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = window.statusBar()
    window.shell.status("Category: cat")
    settle()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(40, bar.height() // 2))
    log = window.messages.window
    assert log is not None and log.isVisible()
    assert rows(window)[-1].endswith("Category: cat")
    log.close()
    bar.clearMessage()  # no message: a click on the bar opens nothing
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(40, bar.height() // 2))
    assert not log.isVisible()


def test_the_window_says_things_on_its_status_bar_only_through_shell_status() -> None:
    """The log keeps every message because there is one way to show one: a direct ``showMessage`` would
    show a message the log never sees. ``Shell.status`` times its messages with ``MessageTime`` (the one
    other caller), which only ``Shell.status`` uses."""
    direct = [
        f"{f.relative_to(DESKTOP)}:{n}"
        for f in DESKTOP.rglob("*.py")
        if f.name not in ("shell.py", "status_message.py")
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if "showMessage(" in line
    ]
    assert direct == []
    timed = [f.name for f in DESKTOP.rglob("*.py") if "MessageTime(" in f.read_text(encoding="utf-8")]
    assert sorted(timed) == ["shell.py", "status_message.py"]  # made by the shell (and defined) only


def test_what_the_window_says_as_it_closes_is_kept_and_its_log_closes_with_it(
    window, qtbot, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """Time spent on a read-only project is not saved at close, said on a status bar nobody sees any more:
    the log keeps it, the close goes through, and the log's window does not outlive the main window."""
    from tests.ui.test_time_kept import _view_first_image_for

    path = window.document.path
    path.chmod(0o444)
    try:
        log = window.messages.show_window()
        _view_first_image_for(window, qtbot, 7.0)
        window.close()
        settle()
    finally:
        path.chmod(0o644)
    assert not window.isVisible() and not log.isVisible()
    last = window.shell.messages.messages[-1]
    assert last.kind == "warning" and "Time spent on its images not saved" in last.text
    assert rows(window)[-1].endswith(f"[warning] {last.text}")

"""An app killed after stepping through images leaves an autosave whose only difference from the saved
file is the time spent on them: reopening does not ask to recover it (there is no edit to recover) and
keeps those counters, saying so on the status bar. An autosave with an edit besides is asked about."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import load_project
from pixelproof.core.history import current_author
from tests.ui.conftest import make_project, open_main_window, settle, wait_loaded
from tests.ui.test_autosave_recovery import add_box, crash


def step_through(qtbot, win, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """D twice, ``seconds`` on each image (the recorder's clock moved, not waited for)."""
    now = [1000.0]
    timer = win.teams.timer
    timer.clock = lambda: now[0]
    timer.since = now[0]
    for _ in range(2):
        now[0] += seconds
        win.canvas.setFocus()
        QTest.keyClick(win.canvas, Qt.Key.Key_D)
        settle()
    assert win.document.time_unsaved and not win.document.is_modified()


def kill(win) -> None:  # type: ignore[no-untyped-def]
    """The app dies: its autosave stays (owned by no live process), nothing saved on the way out."""
    auto = crash(win.document)
    left = auto.read_bytes()
    win.document.undo_stack.setClean()
    win.document.time_unsaved = False  # (else closing saves the time silently: no crash at all)
    win.close()
    auto.write_bytes(left)


def reopen(qtbot, path: Path, monkeypatch) -> tuple:  # type: ignore[no-untyped-def]
    from pixelproof.ui import dialogs

    asked: list[bool] = []
    monkeypatch.setattr(dialogs, "ask_recover", lambda parent, name, changed: asked.append(changed) or False)
    win = open_main_window(qtbot)
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    return win, asked


def test_an_autosave_of_time_spent_alone_is_kept_without_asking(qtbot, tmp_path: Path, monkeypatch) -> None:
    path = make_project(tmp_path)
    win = open_main_window(qtbot, path)
    wait_loaded(qtbot, win)
    step_through(qtbot, win, 12.0)
    kill(win)  # killed: its autosave holds the two visits' time, nothing else

    again, asked = reopen(qtbot, path, monkeypatch)

    assert asked == []  # before: "An autosave ... Open the autosaved version?"
    spent = again.document.project.app["time_spent"]
    assert {iid: e[current_author()] for iid, e in spent.items()} == {"1": 12.0, "2": 12.0}
    assert not again.document.is_modified() and again.document.time_unsaved
    assert "time spent on 2 images kept from the autosave" in again.statusBar().currentMessage()
    again.close()  # leaving it saves the time silently (as time recorded in this session)
    assert "time_spent" in load_project(path).app


def test_an_autosave_with_an_edit_besides_the_time_is_still_offered(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    path = make_project(tmp_path)
    win = open_main_window(qtbot, path)
    wait_loaded(qtbot, win)
    step_through(qtbot, win, 12.0)
    add_box(win.document)
    kill(win)

    again, asked = reopen(qtbot, path, monkeypatch)

    assert asked == [False]  # asked (and declined here): the box is never dropped in silence
    assert "time_spent" not in again.document.project.app
    again.close()

"""The app ended by SIGTERM (``kill``, a shutdown or logout that sends signals, a closed terminal) keeps what
a Quit keeps: a box drawn a moment before is in the autosave (offered at the next start), the project's
lock is given back, and the window layout (the Model tab in front) is in the settings."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabBar

from pixelproof.core.autosave import autosave_path_for, read_autosave
from pixelproof.core.lock import lock_path
from pixelproof.ui.settings import settings
from pixelproof.ui.termination import end_on_signals

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="POSIX signals")

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def at(win, x: float, y: float) -> QPoint:  # type: ignore[no-untyped-def]
    return win.canvas.mapFromScene(QPointF(x, y))


def draw_box(win) -> None:  # type: ignore[no-untyped-def]
    """B, then a drag on the canvas, as a labeler draws a box."""
    QTest.keyClick(win, Qt.Key.Key_B)
    vp = win.canvas.viewport()
    start, end = at(win, 20, 20), at(win, 120, 90)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    QTest.mouseRelease(vp, LEFT, NOMOD, end)


def model_tab(win) -> None:  # type: ignore[no-untyped-def]
    """A click on the Model tab of the Properties / History / Model group."""
    for bar in win.findChildren(QTabBar):
        for i in range(bar.count()):
            if bar.tabText(i) == "Model":
                QTest.mouseClick(bar, LEFT, NOMOD, bar.tabRect(i).center())
                return
    raise AssertionError("no Model tab")


def test_sigterm_autosaves_the_edits_gives_back_the_lock_and_keeps_the_layout(
    qtbot, window, project_file: Path
) -> None:
    doc = window.document
    draw_box(window)
    assert len(doc.project.annotations) == 1 and doc.is_modified()
    model_tab(window)
    assert not window.docks["modelDock"].visibleRegion().isEmpty()
    auto, lock = autosave_path_for(project_file), lock_path(project_file)
    assert not auto.exists() and lock.exists()  # the minute's autosave has not come yet
    settings().remove("window/state")
    left: list[int] = []  # app.exit here would end every event loop of the test session after it
    app = QApplication.instance()
    uninstall = end_on_signals(app, lambda: window.document, window.save_settings, left.append)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: left == [128 + signal.SIGTERM], timeout=10000)
    finally:
        uninstall()
    assert auto.exists() and not lock.exists()
    kept, _ = read_autosave(auto)
    assert [a.bbox for a in kept.annotations.values()] == [a.bbox for a in doc.project.annotations.values()]
    assert settings().value("window/state") is not None  # the layout, Model tab in front, kept
    doc.undo_stack.setClean()


def test_the_app_started_from_the_command_line_ends_on_sigterm_and_gives_back_the_lock(
    tmp_path: Path, isolated_settings: Path
) -> None:
    """``pixelproof project.json`` itself has the handler: SIGTERM ends it with status 143 (128 + 15, as a
    shell reports a process ended by it) and no lock is left to name it as the project's holder."""
    import subprocess
    import sys
    import time

    from tests.ui.conftest import make_project

    project = make_project(tmp_path / "proj")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(isolated_settings / "config"))
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).parents[2] / "desktop"), env.get("PYTHONPATH", "")]
    )
    app = subprocess.Popen([sys.executable, "-m", "pixelproof", str(project)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not lock_path(project).exists() and app.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # a process outside: its progress is read from disk
        assert lock_path(project).exists(), "the app did not open the project"
        app.send_signal(signal.SIGTERM)
        assert app.wait(60) == 128 + signal.SIGTERM
    finally:
        if app.poll() is None:
            app.kill()
    assert not lock_path(project).exists()


def _sigterm(qtbot, window) -> list[int]:  # type: ignore[no-untyped-def]
    """SIGTERM to this process with the handler installed; the status it left with."""
    left: list[int] = []
    uninstall = end_on_signals(
        QApplication.instance(), lambda: window.document, window.save_settings, left.append
    )
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: left != [], timeout=10000)
    finally:
        uninstall()
    return left


def test_sigterm_with_a_folder_in_the_autosaves_place_says_so_on_stderr_and_still_ends(
    qtbot, window, project_file: Path, capfd
) -> None:
    """The autosave cannot be written (a folder where it goes; a read-only folder alike): the status bar is
    gone with the window, so stderr names the autosave; the lock is given back and the app ends."""
    doc = window.document
    draw_box(window)
    auto = autosave_path_for(project_file)
    auto.mkdir()
    assert _sigterm(qtbot, window) == [128 + signal.SIGTERM]
    err = capfd.readouterr().err
    assert f"ended by signal {signal.SIGTERM}" in err and str(auto) in err and "could not be kept" in err
    assert auto.is_dir() and not lock_path(project_file).exists()
    doc.undo_stack.setClean()  # as on disk again: the autosave's discarding leaves the folder, raises nothing
    assert auto.is_dir()


def test_sigterm_ends_the_app_when_the_autosave_raises(
    qtbot, window, project_file: Path, capfd, monkeypatch
) -> None:
    """Any error writing the autosave (memory, a bug) is said on stderr; the settings are kept, the lock given
    back and the app ends: it did not, and a second SIGTERM was then ignored."""
    doc = window.document
    draw_box(window)

    def fails() -> bool:
        raise MemoryError("no memory left")

    monkeypatch.setattr(doc, "autosave", fails)
    settings().remove("window/state")
    assert _sigterm(qtbot, window) == [128 + signal.SIGTERM]
    assert "MemoryError: no memory left" in capfd.readouterr().err
    assert not lock_path(project_file).exists() and settings().value("window/state") is not None
    doc.undo_stack.setClean()

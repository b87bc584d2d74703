"""Settings that cannot be saved (a read-only or missing ``$XDG_CONFIG_HOME``, ``HOME`` unset on a locked
workstation): the app starts, opens the project, says so once naming the settings file, and closes without
a word more (every later write fails silently, as QSettings does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tests.ui.conftest import settle, wait_loaded


def _settings_warnings(win) -> list[str]:  # type: ignore[no-untyped-def]
    return [m for m in win.shell.messages.messages if m.text.startswith("Settings cannot be saved")]


@pytest.mark.parametrize("writable", [False, True])
def test_settings_that_cannot_be_saved_are_said_once_and_the_app_works(
    qtbot, project_file: Path, tmp_path: Path, capfd, no_prompts, writable: bool
) -> None:
    from pixelproof.ui.app import create_app, show_main_window

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    folder = tmp_path / "config" if writable else blocker / "config"  # no one, root included, can make it
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    create_app()
    win = show_main_window(project_file)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.document is not None, timeout=10000)
    wait_loaded(qtbot, win)
    settle()
    ini = folder / "PixelProof" / "PixelProof.ini"
    if writable:
        assert _settings_warnings(win) == []
        assert "Settings cannot be saved" not in capfd.readouterr().err
        return
    said = _settings_warnings(win)
    assert len(said) == 1 and said[0].kind == "warning"
    assert str(ini) in said[0].text and "this session only" in said[0].text
    err = capfd.readouterr().err
    assert err.count("pixelproof: warning: Settings cannot be saved") == 1 and str(ini) in err
    win.close()  # writes the window layout: fails silently, no second word
    settle()
    assert len(_settings_warnings(win)) == 1 and not blocker.with_name("config").exists()

"""Help > Open Demo Project: the bundled demo, copied where ``pixelproof demo`` puts it (``core.demo``, the
one implementation both use), opened as File > Open opens a project. A first start from ``python -m
pixelproof`` had no way to it but the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from pixelproof.core.demo import install_demo
from pixelproof.core.errors import error_text
from pixelproof.ui import dialogs
from pixelproof.ui.shell import Shell
from pixelproof.ui.shortcuts import make_action


class DemoAction(QObject):
    """The Help menu's item, first in it (before Shortcuts): ``open_project`` asks about unsaved changes
    first, as File > Open does, and keeps the user's edits of an earlier copy (as ``pixelproof demo``)."""

    def __init__(self, shell: Shell, open_project: Callable[[Path], bool]) -> None:
        super().__init__(shell)
        self.shell = shell
        self._open_project = open_project
        self.act_demo = make_action(
            "help.demo",
            shell,
            self.open_demo,
            tip="The bundled demo project (copied to your data folder; your edits to it are kept)",
        )
        shell.add_action(self.act_demo)
        menu = next(m for m in shell.menus if m.title().replace("&", "") == "Help")
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.act_demo)
        menu.insertSeparator(first)

    def open_demo(self) -> bool:
        """Copy the demo (unless a copy is there) and open it; False when it could not be copied or the
        user kept the project open."""
        try:
            project = install_demo()
        except OSError as e:
            dialogs.show_error(self.shell.widget, "Could not copy the demo project", error_text(e))
            return False
        return self._open_project(project)

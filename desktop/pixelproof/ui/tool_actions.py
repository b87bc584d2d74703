"""The tool actions (Tools menu, main tool bar): the tool in hand checked. With no project open they are
greyed and none is checked — a checked Box tool (and its Guide lines) at a first start looked ready to draw
where nothing can be drawn — and the tool in hand is checked again when a project opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell
    from pixelproof.ui.tools import Tool


class ToolActions:
    """One checkable action per tool, made by ``make(id, slot, icon, tip, checkable)`` (the window's
    ``_action``), each choosing its tool through ``choose``; they follow the tool in hand and the document."""

    def __init__(
        self,
        shell: Shell,
        tools: dict[str, Tool],
        make: Callable[..., QAction],
        choose: Callable[[str], None],
    ) -> None:
        self.shell = shell
        self.group = QActionGroup(shell.widget)
        self.actions: dict[str, QAction] = {}
        for name, tool in tools.items():
            act = make(f"tool.{name}", lambda _=False, n=name: choose(n), tool.icon, tool.tooltip, True)
            act.setObjectName(f"tool_{name}")
            self.group.addAction(act)
            self.actions[name] = act
        shell.canvas.toolChanged.connect(self.show)
        shell.documentChanged.connect(self.show)
        self.show()

    def show(self, *_: object) -> None:
        """Greyed and none checked with no project; else the tool in hand checked."""
        has = self.shell.document is not None
        self.group.setEnabled(has)
        tool = self.shell.canvas.tool
        for name, act in self.actions.items():
            act.setChecked(has and tool is not None and tool.name == name)

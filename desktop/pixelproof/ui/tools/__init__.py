"""Tools: small state machines that turn canvas events into QUndoCommands.

Add a tool: write ``ui/tools/<name>.py`` with a ``Tool`` subclass, then add it to ``TOOL_CLASSES`` below.
The main window makes the menu entry, toolbar button (icon ``resources/icons/<icon>.svg``), shortcut and
tooltip from the class attributes.
"""

from __future__ import annotations

from pixelproof.ui.tools.assist import AssistTool
from pixelproof.ui.tools.base import Tool
from pixelproof.ui.tools.box import BoxTool
from pixelproof.ui.tools.brush import BrushTool, EraserTool
from pixelproof.ui.tools.fill import FillTool
from pixelproof.ui.tools.polygon import PolygonTool
from pixelproof.ui.tools.select import SelectTool

TOOL_CLASSES: list[type[Tool]] = [
    SelectTool,
    BoxTool,
    PolygonTool,
    BrushTool,
    EraserTool,
    FillTool,
    AssistTool,
]

__all__ = ["TOOL_CLASSES", "Tool"]

"""Tools: small state machines that turn canvas events into core edits pushed on the Document.

Add a tool: write ``ui/tools/<name>.py`` with a ``Tool`` subclass, add it to ``TOOL_CLASSES`` below and
declare ``tool.<name>`` (menu text, default key) in ``ui/shortcuts.py``. The main window makes the menu
entry, toolbar button (icon ``resources/icons/<icon>.svg``) and tooltip from those.
"""

from __future__ import annotations

from pixelproof.ui.tools.assist import AssistTool
from pixelproof.ui.tools.base import Tool
from pixelproof.ui.tools.box import BoxTool
from pixelproof.ui.tools.brush import BrushTool, EraserTool
from pixelproof.ui.tools.fill import FillTool
from pixelproof.ui.tools.measure import MeasureTool
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
    MeasureTool,
]

__all__ = ["TOOL_CLASSES", "Tool"]

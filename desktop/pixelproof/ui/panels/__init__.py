"""Dock panels, one module each. A panel is a QWidget with ``title``, ``object_name`` (the dock's name
in saved window layouts), ``area`` and ``set_document(doc | None)``; ``PANEL_CLASSES`` is the list the
main window turns into docks — adding a dock = a module + one line there, and its View > Panels item's
entry ``panels.<name>`` in the shortcut registry (``ui.panel_actions``)."""

from __future__ import annotations

from pixelproof.ui.panels.annotations import AnnotationsPanel
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.panels.categories import CategoriesPanel
from pixelproof.ui.panels.guidelines import GuidelinesPanel
from pixelproof.ui.panels.history import HistoryPanel
from pixelproof.ui.panels.images import ImagesPanel
from pixelproof.ui.panels.prelabel import PrelabelPanel
from pixelproof.ui.panels.problems import ProblemsPanel
from pixelproof.ui.panels.properties import PropertiesPanel

PANEL_CLASSES: list[type[Panel]] = [
    ImagesPanel,
    CategoriesPanel,
    AnnotationsPanel,
    PropertiesPanel,
    HistoryPanel,
    GuidelinesPanel,
    PrelabelPanel,
    ProblemsPanel,
]

__all__ = ["PANEL_CLASSES", "Panel"]

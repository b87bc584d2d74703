"""View > Panels: each dock's own show / hide item (its ``toggleViewAction``, checked while it is shown), and
the main tool bar's, with an Alt+letter each; a dock's item takes its keys from the one shortcut registry
(``panels.<name>``: Alt+Shift+I Images, Alt+Shift+A Annotations, ...), which the user can change in
Preferences as any action's."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

from pixelproof.ui.menu_text import with_mnemonics
from pixelproof.ui.shortcuts import REGISTRY

DOCK_SUFFIX = "Dock"  # a dock's object name: "imagesDock" -> its registry id "panels.images"


def panel_shortcut_id(dock_name: str) -> str:
    """The registry id of the show / hide item of the dock named ``dock_name``."""
    return "panels." + dock_name.removesuffix(DOCK_SUFFIX)


def fill_panels_menu(menu: QMenu, docks: Mapping[str, QDockWidget], toolbar: QToolBar) -> None:
    """The docks' items (keyed from the registry), then the tool bar's; each item an Alt+letter of its own."""
    for name, dock in docks.items():
        menu.addAction(REGISTRY.bind(dock.toggleViewAction(), panel_shortcut_id(name)))
    menu.addSeparator()
    menu.addAction(toolbar.toggleViewAction())
    shown = [a for a in menu.actions() if not a.isSeparator()]  # the docks' titles
    for act, text in zip(shown, with_mnemonics([a.text() for a in shown]), strict=True):
        act.setText(text)

"""View > Show Labels (L) and View > Labels on Selected Objects Only (Shift+L): three states of the canvas's
category tags, each window's own, remembered for the next window. All that fit (the default, LabelMe's and
CVAT's way); only the selected and hovered objects' (a slide's cells, thousands of them, each named
"Tumor: Negative" at a zoom that gives every cell room, where QuPath names none and colours each by its
class); none. L hides and shows them as they were; Shift+L toggles between all and the selected only, and
where they are hidden shows the selected objects'."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from pixelproof.ui.canvas.view import CanvasView

SHOWN, SELECTED_ONLY = "view/show_labels", "view/labels_selected_only"
LABELS_TIP = (
    "Category names on the canvas: shown where they fit (an object as wide on screen as its name; zoom in "
    "for more), and on the hovered and selected objects"
)
SELECTED_TIP = (
    "Only the selected objects and the one under the pointer named on the canvas, the others told by "
    "their colour (a slide's cells: as QuPath shows them)"
)


def tag_actions(make: Callable[..., QAction], canvas: CanvasView, s: QSettings) -> tuple[QAction, QAction]:
    """The two actions, made by a window's ``make`` (its ``_action``) for its ``canvas``, as the settings
    ``s`` last had them."""
    labels = make("view.labels", canvas.set_show_labels, tip=LABELS_TIP, checkable=True)
    labels.setStatusTip(LABELS_TIP)  # in the status bar from the View menu: why tags are missing

    def selected_only(on: bool) -> None:
        if not labels.isChecked():  # names hidden: Shift+L shows the selected objects' (never nothing)
            on = True
            only.setChecked(True)
        canvas.set_tags_of_unselected(not on)
        if not labels.isChecked():
            labels.trigger()

    only = make("view.labels_selected", selected_only, tip=SELECTED_TIP, checkable=True)
    only.setStatusTip(SELECTED_TIP)
    labels.setChecked(s.value(SHOWN, True, type=bool))
    only.setChecked(s.value(SELECTED_ONLY, False, type=bool))
    canvas.show_labels = labels.isChecked()
    canvas.tags_unselected = not only.isChecked()
    return labels, only


def save_tag_actions(s: QSettings, labels: QAction, only: QAction) -> None:
    s.setValue(SHOWN, labels.isChecked())
    s.setValue(SELECTED_ONLY, only.isChecked())

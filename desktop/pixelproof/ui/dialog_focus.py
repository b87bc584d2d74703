"""Keys given back when a dialog closes, for every dialog of the app at once: one event filter on the
application (``give_keys_back_after_dialogs``, installed by ``app.create_app``).

A dialog hidden while it had the keys (Esc, Enter, OK, a job's progress box finishing) leaves no window
active; a window manager then activates the window under it, but with none (offscreen, Xvfb, a bare X
session) nothing does: the focus was nowhere and the next key - a tool key on the canvas, a review key -
did nothing. The filter activates the dialog's own window instead; that window's focus widget (which Qt
keeps while the window is inactive) gets the keys back. Menus, tool tips and floating docks are no
dialogs and are left alone; native file pickers are not Qt windows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QWidget

_PROPERTY = "pixelproof_keys_back"  # the application's property: the filter is installed


class KeysBackAfterDialogs(QObject):
    """Application event filter: a dialog hidden with no window left active hands the activation to the
    window it belongs to (its parent's window, else the window it was shown over)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and isinstance(obj, QDialog) and obj.isWindow():
            give_back(obj)
        return False


def owner_of(dialog: QWidget) -> QWidget | None:
    """The window ``dialog`` belongs to: its parent's window, else the window it was shown over (Qt makes
    that the transient parent of a parentless dialog)."""
    parent = dialog.parentWidget()
    if parent is not None:
        return parent.window()
    handle = dialog.windowHandle()
    under = handle.transientParent() if handle is not None else None
    if under is None:
        return None
    return next((w for w in QApplication.topLevelWidgets() if w.windowHandle() is under), None)


def give_back(dialog: QWidget) -> None:
    """Activate the window ``dialog`` belongs to if its closing left none active while the app was the
    one in use (a dialog closing while the user works in another program must not pull the app up);
    a modal dialog still open over it (a question asked from a dialog) is the one activated then."""
    if QApplication.activeWindow() is not None:
        return  # a window manager (or a dialog shown next) gave the activation already
    if QGuiApplication.applicationState() != Qt.ApplicationState.ApplicationActive:
        return
    owner = owner_of(dialog)
    modal = QApplication.activeModalWidget()
    if modal is not None and modal is not dialog and modal.isVisible():
        owner = modal
    if owner is None or owner is dialog or not owner.isVisible():
        return
    owner.activateWindow()
    had = owner.focusWidget()
    if had is not None and had.isVisible():
        had.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


def give_keys_back_after_dialogs(app: QApplication) -> None:
    """Install the filter on ``app`` once (``create_app`` runs again under pytest-qt)."""
    if app.property(_PROPERTY):
        return
    app.setProperty(_PROPERTY, True)
    app.installEventFilter(KeysBackAfterDialogs(app))

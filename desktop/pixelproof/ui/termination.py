"""SIGTERM and SIGHUP: the app told to end without being asked (``kill``, a shutdown or logout that sends
signals, the terminal it was started from closed). Python's default ends it on the spot, losing the edits
made since the last autosave (up to a minute), the window layout and the Model panel's tab, and leaving the
project's lock behind. Here the edits go to the autosave, offered at the next start as after a crash; the
settings are kept and the lock given back; no question is asked, as no one may be there to answer it."""

from __future__ import annotations

import signal
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSocketNotifier, QTimer

if TYPE_CHECKING:
    from pixelproof.ui.document import Document

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_LIVE: list[object] = []  # the sockets and notifier in use: a wake-up socket collected is a closed fd


def end_on_signals(
    app: QCoreApplication,
    document: Callable[[], Document | None],
    save_settings: Callable[[], None],
    leave: Callable[[int], None] | None = None,
) -> Callable[[], None]:
    """From now on SIGTERM / SIGHUP write ``document()``'s autosave, ``save_settings()``, give back the
    lock and leave the event loop (``leave``, by default ``app.exit``, given 128 + the signal). Returns
    what puts the previous handlers back. The signal's wake-up byte goes through a socket the event loop
    watches: Python runs a handler only between bytecodes, which an idle Qt loop never reaches by itself."""
    receiver, sender = socket.socketpair()
    receiver.setblocking(False)
    sender.setblocking(False)
    notifier = QSocketNotifier(receiver.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: _drain(receiver))  # Python runs the handler on the way back
    old_fd = signal.set_wakeup_fd(sender.fileno())
    ended: list[int] = []

    def end(number: int) -> None:
        if ended:
            return
        ended.append(number)
        try:
            doc = document()
            if doc is not None:
                _autosave(doc, number)
                doc.close()  # the autosave timer stopped, the lock given back
            save_settings()
        finally:  # never left running: a second signal is not acted on
            (leave or app.exit)(128 + number)

    def handler(number: int, _frame: object) -> None:
        QTimer.singleShot(0, lambda: end(number))  # out of whatever Qt call the signal interrupted

    old = {number: signal.signal(number, handler) for number in SIGNALS}
    kept = (receiver, sender, notifier)
    _LIVE.append(kept)

    def uninstall() -> None:
        for number, previous in old.items():
            signal.signal(number, previous)
        signal.set_wakeup_fd(old_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        receiver.close()
        sender.close()
        _LIVE.remove(kept)

    return uninstall


def _autosave(doc: Document, number: int) -> None:
    """The edits to the autosave (nothing when there is nothing unsaved); when it cannot be written (its
    folder read-only, a folder in its place, any error) stderr says so: the status bar is gone with the
    window, and no one may be there to answer a question."""
    try:
        doc.autosave()
        failure = doc.autosave_failure if doc.is_modified() else None
    except Exception as e:  # the app still ends, its lock given back
        failure = f"{type(e).__name__}: {e}"
    if failure:
        print(
            f"pixelproof: ended by signal {number}; the edits since the last save could not be kept in the "
            f"autosave ({failure})",
            file=sys.stderr,
        )


def _drain(receiver: socket.socket) -> None:
    try:
        while receiver.recv(64):
            pass
    except OSError:  # nothing more to read
        pass

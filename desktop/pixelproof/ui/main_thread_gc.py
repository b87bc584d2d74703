"""Python's cyclic garbage collector on the GUI thread only.

CPython runs a collection in whichever thread happens to allocate when a generation's threshold is
crossed. In the app that is often an image load or a job on the thread pool, and the garbage it finds
often holds Qt objects (a closed window, a document's items, a panel's model: widgets and signal
connections make cycles). Destroying those off the GUI thread corrupts Qt's state, and the process
crashes later, somewhere in the event loop. So the app turns automatic collection off and collects on a
GUI-thread timer with the same generation thresholds, as pyqtgraph's ``GarbageCollector`` does.
Reference counting still frees everything that is not in a cycle at once.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Owns the collection while it exists: automatic collection is off, a timer collects instead."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(interval_ms)

    def collect(self) -> int:
        """Collect the generations whose counts passed their thresholds (what CPython would have done
        by now); returns the number of unreachable objects found."""
        counts = gc.get_count()
        for generation in (2, 1, 0):  # the oldest one due, with the younger ones, as CPython does
            if counts[generation] > self.thresholds[generation]:
                return gc.collect(generation)
        return 0


def collect_on_gui_thread(app: QObject) -> MainThreadCollector:
    """The app's one collector (created with the QApplication, reused when it exists)."""
    collector = app.findChild(MainThreadCollector)
    return collector if collector is not None else MainThreadCollector(app)

"""Cyclic garbage is collected on the GUI thread, never in a worker that happens to allocate (a Qt object
destroyed off the GUI thread corrupts Qt and crashes the event loop later)."""

from __future__ import annotations

import gc
import threading


class Cycle:
    """Refers to itself, so only the cyclic collector frees it; records the thread that did."""

    def __init__(self, freed_on: list[int]) -> None:
        self.me = self
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.get_ident())


def test_a_cycle_dropped_in_a_worker_is_freed_on_the_gui_thread(qtbot) -> None:
    from pixelproof.ui.app import create_app

    create_app()
    freed_on: list[int] = []
    kept: list[object] = []

    def work() -> None:
        Cycle(freed_on)  # garbage at once, in the young generation
        kept.append([[i] for i in range(50_000)])  # crosses the young generation's threshold often

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert freed_on == []  # nothing collected it in the worker
    qtbot.waitUntil(lambda: bool(freed_on), timeout=20000)  # the GUI thread's timer did
    assert freed_on == [threading.get_ident()]


def test_one_collector_however_often_the_app_is_made(qtbot) -> None:
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_thread_gc import MainThreadCollector

    app = create_app()
    create_app()
    assert len(app.findChildren(MainThreadCollector)) == 1
    assert not gc.isenabled()

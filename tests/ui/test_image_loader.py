"""The image loader outlives nothing it lends to a worker thread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shiboken6
from PIL import Image
from PySide6.QtCore import QThreadPool

from tests.ui.conftest import settle


def test_a_load_running_when_its_loader_is_deleted_emits_through_a_live_object(qtbot, tmp_path: Path) -> None:
    """A prefetch may still run when the window (and its loader) is deleted: the signals object it emits
    through must not be deleted with the loader (a use-after-free in the worker thread)."""
    from pixelproof.ui.workers import ImageLoader

    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(path)
    loader = ImageLoader()
    signals = loader._signals
    loader.prefetch(path)
    shiboken6.delete(loader)  # what closing the window does to its children
    assert shiboken6.isValid(signals)
    assert QThreadPool.globalInstance().waitForDone(10000)
    settle()  # the queued 'loaded' finds no receiver and is dropped
    assert shiboken6.isValid(signals)


def test_the_images_read_ahead_are_those_d_and_a_go_to(qtbot, tmp_path) -> None:
    """``Document.neighbours``: the next image first, then the previous one; none past either end."""
    from pixelproof.core.coco import load_project
    from pixelproof.ui.document import Document
    from tests.ui.conftest import make_project

    doc = Document(load_project(make_project(tmp_path, n_images=3)))
    ids = doc.image_ids()
    assert [r.id for r in doc.neighbours(ids[1])] == [ids[2], ids[0]]
    assert [r.id for r in doc.neighbours(ids[0])] == [ids[1]]
    assert [r.id for r in doc.neighbours(ids[2])] == [ids[1]]
    assert doc.neighbours(-1) == []
    doc.set_current_image(ids[0])
    assert doc.step_image(1) and doc.current_image_id == doc.neighbours(ids[0])[0].id
    doc.close()


def test_a_load_running_when_its_loader_goes_leaves_no_qt_object_to_the_worker(
    qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The loader's signal object was kept alive by the load too, so when the loader went first the
    worker let go of the last reference and destroyed that Qt object on its own thread (Qt objects are
    destroyed on the thread they live in, the UI thread, or Qt's state is corrupted)."""
    import threading

    from PySide6.QtCore import QObject, Qt

    from pixelproof.ui import workers

    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(path)
    real, release = workers.load_image, threading.Event()

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "load_image", held)
    loader = workers.ImageLoader()
    threads: list = []
    record = lambda *_: threads.append(threading.current_thread())  # noqa: E731
    for obj in [v for v in vars(loader).values() if isinstance(v, QObject)]:
        obj.destroyed.connect(record, Qt.ConnectionType.DirectConnection)
    del obj  # the test holds none of them
    loader.prefetch(path)
    shiboken6.delete(loader)  # what closing the window does to its children
    del loader
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10000)
    assert threads == [threading.main_thread()] * len(threads), threads


def test_a_reader_that_exits_fails_the_load_and_frees_its_thread(qtbot, tmp_path: Path, monkeypatch) -> None:
    """A reader (a decoder plugin) calling ``sys.exit``: SystemExit passed ``except Exception``, so the load
    never ended (the placeholder said "Loading…" for ever) and its pool thread never came back. It fails
    like any other reader error, naming the file."""
    import sys

    from pixelproof.ui import workers

    def exits(*_a, **_k):  # type: ignore[no-untyped-def]
        sys.exit("no codec")

    monkeypatch.setattr(workers, "load_image", exits)
    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    loader = workers.ImageLoader()
    failed: list[tuple[object, str]] = []
    loader.failed.connect(lambda key, reason: failed.append((key, reason)))
    assert loader.request("k", path) is None
    qtbot.waitUntil(lambda: bool(failed), timeout=10000)
    assert failed[0][0] == "k" and "a.png" in failed[0][1] and "no codec" in failed[0][1]
    assert QThreadPool.globalInstance().waitForDone(10000)

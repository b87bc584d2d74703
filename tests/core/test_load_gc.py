"""Loading a big project leaves its objects out of the cyclic collector's scans (``gc.freeze``); the
collector is left on or off as it was (the app turns automatic collection off: ``ui.main_thread_gc``)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from pixelproof.core import coco
from tests.core.docs import valid_doc, write


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_big_project_is_frozen_after_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    monkeypatch.setattr(coco, "FREEZE_BYTES", 0)  # every file counts as big
    enabled = gc.isenabled()  # the app collects on its GUI thread only, with automatic collection off
    project = coco.load_project(path)
    assert gc.isenabled() == enabled
    assert gc.get_freeze_count() > 0
    assert all(gc.is_tracked(a) for a in project.annotations.values())
    assert not any(a is project for a in gc.get_objects())  # the frozen generation is not scanned


def test_small_project_is_not_frozen(tmp_path: Path, unfrozen) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    enabled = gc.isenabled()
    coco.load_project(path)
    assert gc.isenabled() == enabled
    assert gc.get_freeze_count() == 0


def test_collector_left_off_stays_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    monkeypatch.setattr(coco, "FREEZE_BYTES", 0)
    gc.disable()
    try:
        coco.load_project(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_garbage_in_cycles_is_collected_not_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen
) -> None:
    import weakref

    class Node:
        pass

    path = write(tmp_path / "p.json", valid_doc())
    monkeypatch.setattr(coco, "FREEZE_BYTES", 0)
    enabled = gc.isenabled()
    gc.disable()  # nothing collects it on its own meanwhile
    try:
        node = Node()
        node.me = node  # a cycle: reference counting alone never frees it
        alive = weakref.ref(node)
        del node
        coco.load_project(path)
        assert alive() is None
    finally:
        if enabled:
            gc.enable()


def test_loading_a_project_imports_neither_opencv_nor_pycocotools() -> None:
    """``load_project`` in a fresh process (``pixelproof validate``, ``bench load_save``) pulled in OpenCV
    and pycocotools through the box outline and composite modules: some 35 MB more resident before any
    file was read, past the load's memory target."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo / "desktop"), str(repo)])}
    code = (
        "import sys\nfrom pixelproof.core.coco import load_project, save_project\n"
        "print(sorted(m for m in ('cv2', 'pycocotools') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

"""Loading a big project leaves its objects out of the cyclic collector's scans (``gc.freeze``) and the
collector running; a small one leaves the collector as it was."""

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
    project = coco.load_project(path)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert all(gc.is_tracked(a) for a in project.annotations.values())
    assert not any(a is project for a in gc.get_objects())  # the frozen generation is not scanned


def test_small_project_is_not_frozen(tmp_path: Path, unfrozen) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    coco.load_project(path)
    assert gc.isenabled()
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

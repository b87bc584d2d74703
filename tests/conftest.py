"""Shared test setup: Qt runs offscreen; fixtures for the shared third-party data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    path = SHARED / "fixtures"
    if not path.is_dir():
        pytest.skip(f"shared fixtures not found at {path}")
    return path


@pytest.fixture(scope="session")
def labelme_dir(shared_fixtures: Path) -> Path:
    """LabelMe's own examples (with their COCO and VOC exports), skipped with the reason when absent."""
    path = shared_fixtures / "labelme"
    if not path.is_dir():
        pytest.skip(f"LabelMe fixtures not found at {path}")
    return path


@pytest.fixture(scope="session")
def shared_models() -> Path:
    path = SHARED / "models"
    if not path.is_dir():
        pytest.skip(f"shared models not found at {path}")
    return path


@pytest.fixture(scope="module")
def dask_cluster():  # type: ignore[no-untyped-def]
    """A real Dask scheduler on localhost with two one-thread worker processes (issue 17's tests, all in
    tests/cli/test_scale_cli.py: one cluster for the suite); per module, so its threads are gone before
    the Qt tests run."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module", autouse=True)
def _release_worker_pools():  # type: ignore[no-untyped-def]
    """Warm worker processes (``core.batch`` keeps a job's pool for the next one) live for one module, so
    a module's jobs share them and later modules (the Qt tests) run without them."""
    yield
    import sys

    executors = sys.modules.get("pixelproof.core.batch.executors")
    if executors is not None:
        executors.release_pools()

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
def shared_models() -> Path:
    path = SHARED / "models"
    if not path.is_dir():
        pytest.skip(f"shared models not found at {path}")
    return path

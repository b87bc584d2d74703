"""Fixtures the command-line tests share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pixelproof.core.demo import install_demo


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_demo(tmp_path_factory.mktemp("demo_src") / "demo")


@pytest.fixture
def demo(tmp_path: Path, demo_source: Path) -> Path:
    """A private copy of the demo project (its images beside it)."""
    shutil.copytree(demo_source.parent, tmp_path / "demo")
    return tmp_path / "demo" / demo_source.name

"""The command line as a user meets it: Ctrl+C at any moment, unreadable inputs and read-only folders, each
error one line naming the file (no traceback, no ``[Errno 13]``), help texts that read well in 80 columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pixelproof import cli
from pixelproof.cli import main
from pixelproof.core.demo import install_demo


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_demo(tmp_path_factory.mktemp("demo_src") / "demo")


@pytest.fixture
def demo(tmp_path: Path, demo_source: Path) -> Path:
    """A private copy of the demo project (its images beside it)."""
    shutil.copytree(demo_source.parent, tmp_path / "demo")
    return tmp_path / "demo" / demo_source.name


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and "[Errno" not in err, err
    assert len(lines) == 1, err
    return lines[0]


def test_ctrl_c_while_the_command_loads_is_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl+C in the first half second (modules loading, arguments parsed) printed a traceback; it exits
    130 with the line a later Ctrl+C prints."""

    def interrupted(command: str | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(["info", "p.json"]) == 130
    assert "interrupted" in _one_error_line(capsys.readouterr().err)

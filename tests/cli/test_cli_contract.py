"""The command line as a script relies on it: a bad argument gives one line naming it (no traceback), an
output that cannot be written is refused before anything is written, exit codes as documented."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert "Traceback" not in err, err
    assert len(lines) == 1, err
    return lines[0]


def test_usage_error_names_the_command_not_the_whole_top_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["diff", "a.json", "b.json", "--iou-threshold", "abc"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last == "pixelproof diff: error: argument --iou-threshold: invalid float value: 'abc'", err
    assert "[PATH]" not in err  # the app's usage is no part of a subcommand's
    assert err.startswith("usage: pixelproof diff ")


def test_stdout_closed_early_is_no_traceback(demo: Path) -> None:
    """``pixelproof diff --json A B | head -1``: the reader goes away; no traceback, exit 141 (SIGPIPE)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pixelproof", "diff", "--json", str(demo), str(demo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command prints anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""

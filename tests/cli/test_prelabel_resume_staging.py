"""``prelabel``'s staging folder (``.OUT.partial``) as it may be found: a FIFO where a kept file should
be, the folder a symbolic link, an empty folder left by a job killed before its manifest, a manifest
recording a part of other than the images it holds. None hangs, deletes or writes through a link,
duplicates pictures, or blocks later runs for nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pixelproof.core.batch.checkpoint import MANIFEST
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_resume import EPOCH, _argv, _interrupted, _staging
from tests.cli.test_scale_cli import coin_pictures


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("name", [MANIFEST, "part-00001.json", "pixelproof-sources-00001.json"])
def test_a_fifo_in_place_of_a_kept_file_is_refused_naming_it_not_waited_on(
    project: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A FIFO named ``pixelproof-resume.json`` in a staging folder blocked the next run forever reading it
    (``read_text``); one in place of a part or its stamps was taken for a damaged part. Refused, naming
    it, before any work: nothing in the folder touched. (Run in a process of its own: a hang fails.)"""
    out = project.parent / "parts"
    _interrupted(monkeypatch, _argv(project, out), at="c004.png")
    staging = _staging(out)
    (staging / name).unlink()
    os.mkfifo(staging / name)
    kept = sorted(p.name for p in staging.iterdir())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", *_argv(project, out)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"{staging / name}: is a FIFO (named pipe), not a file to read" in done.stderr, done.stderr
    assert f"remove {staging} to start over" in done.stderr, done.stderr
    assert sorted(p.name for p in staging.iterdir()) == kept and not out.exists()

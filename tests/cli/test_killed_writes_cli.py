"""A write killed outright (SIGKILL, a crash: no clean-up runs) leaves its hidden temporary
``.<name>.<host>.<pid>.<token>.tmp`` beside the file it was writing; the next write into that folder
removes it, and never a temporary of a live process or of another host (``atomic.sweep_dead_writers``).
Each case kills a real ``pixelproof`` process at a write, then runs the same command again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core import atomic
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and pids of this host")

# the command, with a hook that kills its own process outright at the Nth rename of a finished
# temporary: the temporary is whole, not yet in place, and no `finally` runs
_DIE_AT_RENAME = """
import os, signal, sys
renames, replace = [0], os.replace
def dying_replace(src, dst, *args, **kwargs):
    if os.path.basename(os.fspath(src)).startswith("."):
        renames[0] += 1
        if renames[0] == int(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)
    return replace(src, dst, *args, **kwargs)
os.replace = dying_replace
from pixelproof.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _project(folder: Path, n: int = 5) -> Path:
    """``n`` 32 x 24 pictures, each with a box of class "cat"."""
    folder.mkdir(parents=True, exist_ok=True)
    project = Project(path=folder / "project.json")
    project.add_category(Category(1, "cat"))
    for i in range(1, n + 1):
        Image.fromarray(np.full((24, 32, 3), 20 * i, np.uint8)).save(folder / f"img{i}.png")
        project.add_image(ImageRecord(i, f"img{i}.png", 32, 24))
        project.add_annotation(Annotation(i, i, 1, [2.0, 3.0, 10.0 + i, 8.0], None, (10.0 + i) * 8.0))
    save_project(project, project.path)
    return project.path


def _killed(argv: list[str], at: int) -> int:
    """Run ``pixelproof ARGV`` in a process that SIGKILLs itself at its ``at``-th rename; its pid."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _DIE_AT_RENAME, str(at), *argv], stderr=subprocess.PIPE, text=True, env=env
    )
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    return proc.pid


def _temporaries(folder: Path) -> set[Path]:
    return {p for p in folder.rglob(".*") if ".tmp" in p.name}


def _others(folder: Path, alive_pid: int) -> set[Path]:
    """Temporaries the sweep must leave: a live process's (a write in progress) and another host's, old."""
    host = atomic.host_tag()
    live = folder / f".report.csv.{host}.{alive_pid}.0123abcd.tmp"
    other_host = folder / f".report.csv.{host}x.999999.89abcdef.tmp"  # its processes cannot be asked
    for p in (live, other_host):
        p.write_bytes(b"being written")
    os.utime(other_host, (1, 1))  # decades old: a dead pid on that host is still no pid of this one
    return {live, other_host}


@pytest.fixture
def alive():  # type: ignore[no-untyped-def]
    """A live process of this host (its pid names a write in progress)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    yield proc.pid
    proc.communicate(timeout=30)


def test_a_killed_folder_export_leaves_no_temporary_after_the_next_export(tmp_path: Path, alive: int) -> None:
    project = _project(tmp_path / "src")
    out = tmp_path / "yolo"
    argv = ["convert", str(project), str(out), "--from", "coco", "--to", "yolo"]
    pid = _killed(argv, at=3)
    left = _temporaries(out)
    assert left and all(f".{atomic.host_tag()}.{pid}." in p.name for p in left), left
    kept = _others(next(iter(left)).parent, alive)
    assert main(argv) == 0
    assert _temporaries(out) == kept  # the killed export's gone; the live and the other host's stay
    labels = sorted(p.name for p in out.rglob("*.txt") if p.parent.name != "yolo")
    assert labels == [f"img{i}.txt" for i in range(1, 6)]


def test_a_killed_report_leaves_no_temporary_after_the_next_run(tmp_path: Path, alive: int) -> None:
    project = _project(tmp_path / "src")
    reports = tmp_path / "reports"
    reports.mkdir()
    argv = [
        "qa",
        str(project),
        str(project),
        "--json",
        str(reports / "qa.json"),
        "--csv",
        str(reports / "qa.csv"),
    ]
    pid = _killed(argv, at=1)
    (left,) = _temporaries(reports)
    assert left.name.startswith((".qa.json.", ".qa.csv.")) and f".{pid}." in left.name
    kept = _others(reports, alive)
    assert main(argv) == 0
    assert _temporaries(reports) == kept
    assert {p.name for p in reports.iterdir()} - {p.name for p in kept} == {"qa.json", "qa.csv"}


def test_a_killed_nifti_export_leaves_no_temporary_after_the_next_export(tmp_path: Path) -> None:
    """nibabel writes by file name: its temporary (``….tmp.nii.gz``, once a fixed ``.NAME.tmp.nii.gz``
    no sweep knew) is named as every other's."""
    pytest.importorskip("nibabel")
    from tests.interop.test_nifti import brats_case

    for case in ("BRATS_001", "BRATS_002"):
        brats_case(tmp_path / "src", case)
    out = tmp_path / "nifti"
    argv = ["convert", str(tmp_path / "src"), str(out), "--from", "nifti", "--to", "nifti"]
    pid = _killed(argv, at=1)
    (left,) = _temporaries(out)
    assert left.name.endswith(".tmp.nii.gz") and f".{pid}." in left.name
    assert main(argv) == 0
    assert _temporaries(out) == set()
    assert len(list(out.glob("*.nii.gz"))) == 2

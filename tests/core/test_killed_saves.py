"""Saves killed outright (``kill -9``) at chosen points, in a real process: the project file is the old
version or the new one, whole; the temporaries go with the next save; a change-log line cut in half is
taken back by the next save's append instead of staying a damaged line ``pixelproof log`` names forever."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from pixelproof.core import history
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.line_files import append_line
from tests.core.teams_data import box_annotation, make_project

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

# the child edits the project and saves it, killing itself with SIGKILL at ``where``
CHILD = textwrap.dedent(
    """
    import dataclasses, os, signal, sys
    from pixelproof.core.coco import load_project, save_project
    path, where = sys.argv[1], sys.argv[2]
    project = load_project(path)
    for aid, a in project.annotations.items():  # edits replace objects
        project.annotations[aid] = dataclasses.replace(a, note="killed save")
    die = lambda *args, **kw: os.kill(os.getpid(), signal.SIGKILL)
    write, replace = os.write, os.replace
    if where == "log":  # half the change log line written, then killed
        os.write = lambda fd, data: (write(fd, bytes(data)[: len(data) // 2]), die())
    elif where == "replace":  # the new file whole beside the project, killed before the rename
        os.replace = die
    save_project(project)
    """
)


def killed_save(path: Path, where: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "desktop")}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), where], env=env, timeout=120)
    assert done.returncode == -9


@posix_only
@pytest.mark.parametrize("where", ["log", "replace"])
def test_a_save_killed_outright_leaves_the_old_project_and_a_log_the_next_save_mends(
    tmp_path: Path, where: str
) -> None:
    project = make_project(tmp_path)
    path = save_project(project)
    before = path.read_bytes()

    killed_save(path, where)

    assert path.read_bytes() == before  # the old version, whole
    again = load_project(path)
    again.annotations[1] = box_annotation(1, 1, 1, [1, 2, 3, 4])
    save_project(again)
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]  # the killed save's temporary went
    log = history.sidecar(path).read_bytes()
    assert log.endswith(b"\n") and all(orjson.loads(line) for line in log.splitlines())
    entries, problems = history.read_log(path, again.app["history"]["head"])
    assert problems == []
    # killed mid-append: its line is gone; killed before the rename: its whole line stays, not committed
    killed = [] if where == "log" else [(2, False)]
    assert [(e["seq"], e["committed"]) for e in entries] == [(len(killed) + 2, True), *killed, (1, True)]


def test_a_last_line_that_is_json_without_its_newline_is_kept_and_ended(tmp_path: Path) -> None:
    """A hand edit that dropped the final newline is a whole line: ended, not taken back."""
    log = tmp_path / "p.history.jsonl"
    log.write_bytes(b'{"seq": 1}\n{"seq": 2}')
    append_line(log, b'{"seq": 3}\n')
    assert log.read_bytes() == b'{"seq": 1}\n{"seq": 2}\n{"seq": 3}\n'
    log.write_bytes(b'{"seq": 1}\n{"seq": 2, "ti')  # cut short: taken back
    append_line(log, b'{"seq": 3}\n')
    assert log.read_bytes() == b'{"seq": 1}\n{"seq": 3}\n'
    log.write_bytes(b'{"seq": 1, "ti')  # the only line, cut short
    append_line(log, b'{"seq": 3}\n')
    assert log.read_bytes() == b'{"seq": 3}\n'

"""Commands that write the project back (``--in-place``, or no ``-o``) on a file with no write permission
exit 1 with one line naming it, and leave it byte-identical: the atomic save renamed over it before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.cli import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _run_on_read_only(demo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    files = {p.name: p.read_bytes() for p in demo.parent.iterdir() if p.is_file()}
    demo.chmod(0o444)
    assert main([a.format(project=demo) for a in argv]) == 1
    assert {p.name: p.read_bytes() for p in demo.parent.iterdir() if p.is_file()} == files
    out = capsys.readouterr()
    assert out.out == ""
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in out.err, out.err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["renumber", "{project}", "--in-place"],
        ["set-split", "{project}", "val"],
        ["prelabel", "{project}", "--backend", "threshold"],  # refused before the job, as a bad -o is
    ],
)
def test_writing_a_read_only_project_back_is_refused(
    demo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    line = _run_on_read_only(demo, argv, capsys)
    assert line == f"pixelproof: error: {demo}: file is read-only (no write permission); save as another file"


def test_a_read_only_output_is_refused_before_the_work(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o`` naming an existing read-only file: ``cp`` would refuse it, so does the command."""
    out = demo.parent / "out.json"
    out.write_bytes(demo.read_bytes())
    out.chmod(0o444)
    before = out.read_bytes()
    assert main(["set-split", str(demo), "val", "-o", str(out)]) == 1
    assert out.read_bytes() == before
    assert f"{out}: file is read-only" in capsys.readouterr().err

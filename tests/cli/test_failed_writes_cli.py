"""A command whose write fails half-way (a full disk) exits with one line naming the file, not a
traceback, and leaves the files it was to replace as they were."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core import atomic


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:  # as the kernel says it: an errno, no file name
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_tag_on_a_full_disk_names_the_snapshot(
    demo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(demo.parent)
    _full_disk(monkeypatch)
    code = main(["tag", str(demo), "v1"])
    err = capsys.readouterr().err
    assert code == 1
    snap = demo.with_name(demo.stem + ".versions") / "v1.json.gz"
    assert f"{snap}: " in err and "No space left on device" in err and "Traceback" not in err
    assert _files(demo.parent) == before  # no snapshot, no temporary


def test_a_lint_report_on_a_full_disk_names_the_report(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lint.json"
    out.write_text("{}\n")
    _full_disk(monkeypatch)
    main(["lint", str(demo), "--json", str(out)])
    err = capsys.readouterr().err
    assert f"cannot write the report: {out}: no space left on device" in err
    assert out.read_text() == "{}\n" and [p.name for p in tmp_path.iterdir() if p.name != "demo"] == [
        "lint.json"
    ]

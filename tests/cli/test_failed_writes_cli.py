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


def test_a_split_stopped_by_a_full_disk_names_the_shards_it_wrote_and_how_to_finish(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first shards were written, the third was not, nor the manifest: said only "could not save
    cy.json", the lead could hand out ann.json and bob.json taking the split for done."""
    from pixelproof.core import coco, split

    real, saved = coco.save_project, []

    def third_fails(project, path=None, **kw):  # type: ignore[no-untyped-def]
        saved.append(path)
        if len(saved) == 3:
            raise coco.ProjectSaveError(f"could not save {path}: No space left on device")
        return real(project, path, **kw)

    monkeypatch.setattr(split, "save_project", third_fails)  # each shard is saved by split.save_shard
    out = tmp_path / "shards"
    code = main(["split", str(demo), "--annotators", "ann,bob,cy", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "cy.json: No space left on device" in err
    assert (
        "the split is not finished" in err and "ann.json and bob.json written" in err and "no manifest" in err
    )
    assert "run the same command again" in err
    assert not (out / "lead-manifest.json").exists()

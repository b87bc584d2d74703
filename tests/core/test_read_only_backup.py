"""A read-only ``<name>.bak`` is not replaced by a save (the rename needs only the folder's permission, so
it used to undo its owner's chmod, as the project file's own check now refuses to): the save goes on, the
backup stays byte-identical and read-only, and ``kept_backup_note`` says so. Mode bits decide, so this
holds for root too (``atomic.read_only``), as the CI runs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.atomic import backup_path, kept_backup, kept_backup_note
from pixelproof.core.coco import load_project, save_project
from tests.core.docs import valid_doc, write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _with_read_only_backup(tmp_path: Path) -> tuple[Path, Path, bytes]:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    project.categories[1].name = "saved once"
    save_project(project)  # p.json.bak: the first version
    bak = backup_path(path)
    bak.chmod(0o444)
    return path, bak, bak.read_bytes()


def test_a_save_keeps_a_read_only_backup_and_says_so(tmp_path: Path) -> None:
    path, bak, before = _with_read_only_backup(tmp_path)
    project = load_project(path)
    project.categories[1].name = "saved twice"
    save_project(project)
    assert load_project(path).categories[1].name == "saved twice"  # the save itself went on
    assert bak.read_bytes() == before and os.stat(bak).st_mode & 0o777 == 0o444
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert kept_backup(path) == bak
    assert kept_backup_note(path) == (
        f"{bak}: read-only (no write permission), so kept as it was; it is not the version this save "
        "replaced. Give it write permission (chmod u+w) for saves to keep a backup again"
    )


def test_a_writable_backup_is_replaced_as_before(tmp_path: Path) -> None:
    path, bak, before = _with_read_only_backup(tmp_path)
    bak.chmod(0o644)
    middle = path.read_bytes()
    project = load_project(path)
    project.categories[1].name = "saved twice"
    save_project(project)
    assert bak.read_bytes() == middle != before
    assert kept_backup(path) is None and kept_backup_note(path) == ""


def test_an_in_place_command_warns_of_the_kept_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, bak, before = _with_read_only_backup(tmp_path)
    assert main(["set-split", str(path), "val"]) == 0
    assert bak.read_bytes() == before
    assert f"{bak}: read-only (no write permission), so kept as it was" in capsys.readouterr().err


def test_renumber_in_place_refuses_when_its_backup_cannot_hold_the_old_numbering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The .bak is where ``renumber --in-place`` keeps the ids shards split before were made with."""
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    moved = project.images.pop(1)  # ids with a gap: renumbering changes them
    moved.id = 7
    project.images[7] = moved
    for a in project.annotations.values():
        a.image_id = 7 if a.image_id == 1 else a.image_id
    save_project(project)
    bak = backup_path(path)
    bak.chmod(0o444)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(["renumber", str(path), "--in-place"]) == 1
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files
    assert capsys.readouterr().err.strip() == (
        f"pixelproof: error: {bak}: file is read-only (no write permission); renumber --in-place keeps the "
        "project as it was there (to merge shards split before now into); give it write permission, or "
        "renumber to -o NEW"
    )

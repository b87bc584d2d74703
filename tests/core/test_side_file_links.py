"""Side files PixelProof keeps beside a project never follow a symbolic link planted at their name (a
shared folder): one written whole (backup, lock, autosave, a tag's files, a job's files) replaces the link;
the file the link names, anywhere, is left as it was (README, Safety). The project file itself is still
written through a link (tests/core/test_save.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pixelproof.core.atomic import atomic_output, backup_path, kept_backup
from pixelproof.core.autosave import autosave_path_for, read_autosave, write_autosave
from pixelproof.core.batch.checkpoint import SOURCES, Checkpoint
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.lock import acquire_lock, lock_path, release_lock
from pixelproof.core.model import ImageRecord
from pixelproof.core.versions import VersionError, list_tags, tag, versions_dir

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")


def _project(tmp_path: Path) -> Path:
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, "a.png", 40, 30))
    path = tmp_path / "shared" / "project.json"
    path.parent.mkdir()
    save_project(project, path)
    return path


def _elsewhere(tmp_path: Path, text: str = "mine\n", mode: int = 0o644) -> Path:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    f = home / "notes.txt"
    f.write_text(text)
    f.chmod(mode)
    return f


def test_atomic_output_without_following_replaces_the_link(tmp_path: Path) -> None:
    outside = _elsewhere(tmp_path)
    side = tmp_path / "side.json"
    side.symlink_to(outside)
    with atomic_output(side, follow_links=False) as f:
        f.write(b"ours\n")
    assert outside.read_text() == "mine\n" and not side.is_symlink() and side.read_bytes() == b"ours\n"


def test_a_link_in_the_backups_place_is_replaced_even_to_a_read_only_file(tmp_path: Path) -> None:
    path = _project(tmp_path)
    outside = _elsewhere(tmp_path, mode=0o444)  # kept as a read-only backup, its note said chmod u+w
    bak = backup_path(path)
    bak.symlink_to(outside)
    assert kept_backup(path) is None
    before = path.read_bytes()
    project = load_project(path)
    project.add_image(ImageRecord(2, "b.png", 40, 30))
    save_project(project)
    assert outside.read_text() == "mine\n" and not bak.is_symlink() and bak.read_bytes() == before


def test_a_link_in_the_locks_place_is_no_lock_and_is_replaced(tmp_path: Path) -> None:
    path = _project(tmp_path)
    other = {"user": "someone", "host": "elsewhere.example", "pid": 4242, "since": "2026-01-01 10:00"}
    outside = _elsewhere(tmp_path, json.dumps(other) + "\n")
    lock = lock_path(path)
    lock.symlink_to(outside)
    assert acquire_lock(path) is None  # taken: another file's content holds nothing of this project
    try:
        assert not lock.is_symlink() and json.loads(lock.read_text())["pid"] == os.getpid()
        assert json.loads(outside.read_text()) == other
    finally:
        release_lock(path)


def test_an_autosave_in_place_of_a_link_to_a_read_only_file_or_to_nothing(tmp_path: Path) -> None:
    path = _project(tmp_path)
    auto = autosave_path_for(path)
    edited = load_project(path)
    edited.add_image(ImageRecord(2, "b.png", 40, 30))
    for target in (_elsewhere(tmp_path, mode=0o444), tmp_path / "nothing"):
        auto.symlink_to(target)
        write_autosave(auto, edited, edited.file_state)
        assert not auto.is_symlink() and sorted(read_autosave(auto)[0].images) == [1, 2]
        auto.unlink()
    assert (tmp_path / "home" / "notes.txt").read_text() == "mine\n"


def test_tag_files_and_folder_never_follow_a_link(tmp_path: Path) -> None:
    path = _project(tmp_path)
    folder = versions_dir(path)
    folder.mkdir()
    index, snap = _elsewhere(tmp_path, '{"tags": []}\n'), tmp_path / "home" / "snap.gz"
    snap.write_text("snap\n")
    (folder / "tags.json").symlink_to(index)
    (folder / "v1.json.gz").symlink_to(snap)
    tag(path, "v1")
    assert index.read_text() == '{"tags": []}\n' and snap.read_text() == "snap\n"
    assert [t.name for t in list_tags(path)] == ["v1"] and not (folder / "v1.json.gz").is_symlink()
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    folder.symlink_to(tmp_path / "home", target_is_directory=True)
    with pytest.raises(VersionError, match="is a symbolic link"):
        tag(path, "v2")
    assert sorted(os.listdir(tmp_path / "home")) == ["notes.txt", "snap.gz"]


def test_a_jobs_sources_file_in_place_of_a_link_is_written_there(tmp_path: Path) -> None:
    out = tmp_path / "shared" / ".out.partial"
    out.parent.mkdir()
    job = Checkpoint.open(out, {"a": 1}, {})
    part = out / "part-1.json"
    part.write_text("{}\n")
    outside = _elsewhere(tmp_path)
    (out / SOURCES.format(1)).symlink_to(outside)
    job.add([part], 1, {}, sources=[[1, 2]])
    assert outside.read_text() == "mine\n" and not (out / SOURCES.format(1)).is_symlink()

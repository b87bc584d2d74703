"""Atomic save with backup; a failed save (read-only folder, full disk) leaves file and .bak as they were."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pixelproof.core import atomic, coco, coco_dump
from pixelproof.core.coco import ProjectSaveError, load_project, save_project
from tests.core.docs import valid_doc, write


def saved_twice(tmp_path: Path) -> Path:
    """A project file with a .bak, both different from what the next save would write."""
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    save_project(project)
    project.categories[1].name = "second"
    save_project(project)
    return path


def test_save_keeps_previous_version_as_bak(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    original = path.read_bytes()
    project = load_project(path)
    project.categories[1].name = "lion"
    save_project(project)
    assert (tmp_path / "p.json.bak").read_bytes() == original
    assert load_project(path).categories[1].name == "lion"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.history.jsonl", "p.json", "p.json.bak"]


def _files(path: Path) -> tuple[bytes, bytes]:
    return path.read_bytes(), path.with_name(path.name + ".bak").read_bytes()


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Monkeypatched: root may write into a chmod 555 folder."""
    path = saved_twice(tmp_path)
    before = _files(path)
    project = load_project(path)
    project.categories[1].name = "third"

    def no_create(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic, "_open_temp", no_create)
    with pytest.raises(ProjectSaveError, match=r"could not save .*p\.json: Permission denied"):
        save_project(project)
    assert _files(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.history.jsonl", "p.json", "p.json.bak"]


class _HalfWriter:
    """A file object that writes half of what it is given, then fails as a full disk does."""

    def __init__(self, f: object) -> None:
        self._f = f

    def write(self, data: bytes) -> int:
        self._f.write(data[: len(data) // 2])
        self._f.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> object:
        return getattr(self._f, name)

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


def test_full_disk_half_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved_twice(tmp_path)
    before = _files(path)
    project = load_project(path)
    project.categories[1].name = "third"
    real_fdopen = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen", lambda *a, **k: _HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(ProjectSaveError, match="No space left on device; the previous file is unchanged"):
        save_project(project)
    assert _files(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "p.history.jsonl",
        "p.json",
        "p.json.bak",
    ]  # no temp file left


def test_fsync_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved_twice(tmp_path)
    before = _files(path)
    project = load_project(path)
    project.categories[1].name = "third"  # something to write (the same bytes are not written again)

    def fail(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", fail)
    with pytest.raises(ProjectSaveError):
        save_project(project)
    assert _files(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.history.jsonl", "p.json", "p.json.bak"]


def test_rename_failure_leaves_bak_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved_twice(tmp_path)
    before = _files(path)
    project = load_project(path)
    project.categories[1].name = "third"

    def fail(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(ProjectSaveError):
        save_project(project)
    assert _files(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.history.jsonl", "p.json", "p.json.bak"]


def test_failed_save_as_keeps_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    (tmp_path / "sub").mkdir()
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(ProjectSaveError):
        save_project(project, tmp_path / "sub" / "q.json")
    assert project.images[1].file_name == "a.png"
    assert project.path == path


def test_save_as_elsewhere_rebases_relative_file_names(tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    project.images[2].file_name = str(tmp_path / "abs.png")
    out = tmp_path / "deeper" / "q.json"
    out.parent.mkdir()
    save_project(project, out)
    again = load_project(out)
    assert again.images[1].file_name == "../a.png"
    assert again.image_path(again.images[1]).resolve() == (tmp_path / "a.png").resolve()
    assert again.images[2].file_name == str(tmp_path / "abs.png")


def test_unsaved_project_needs_a_name() -> None:
    with pytest.raises(ProjectSaveError, match="choose a file name"):
        save_project(coco.new_project(["a"]))


@pytest.mark.parametrize("note", [None, coco_dump._SEPARATOR, "a," + coco_dump._SEPARATOR + ",b"])
def test_one_member_per_line_whatever_the_strings_hold(tmp_path: Path, note: str | None) -> None:
    """The writer serializes each list in one call and tells members apart by a separator string; a note
    holding that very string must neither split its annotation nor change the file."""
    import orjson

    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    project.annotations[2].note = note
    project.images[1].extra["tag"] = [coco_dump._SEPARATOR, {"x": 1}]
    data = coco.dumps_project(project)
    lines = data.decode().splitlines()
    members = coco_dump.project_to_dict(project)["annotations"]
    start = lines.index('"annotations": [')
    assert lines[start + 1 : start + 1 + len(members)] == [
        "  " + orjson.dumps(m).decode() + ("," if k < len(members) - 1 else "") for k, m in enumerate(members)
    ]
    save_project(project)
    again = load_project(path)
    assert again == project and again.annotations[2].note == note


def test_a_file_that_is_not_a_project_is_never_written_over(tmp_path: Path) -> None:
    """A mistyped output (``-o photo.jpg``, or a system file) was replaced by the project, its only
    copy left in a ``.bak`` the next save replaced too. Now refused; nothing beside it is written."""
    project = load_project(write(tmp_path / "p.json", valid_doc()))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not a project")
    link = tmp_path / "link.json"
    link.symlink_to(photo)  # what a save writes through: the picture
    for target in (photo, link):
        with pytest.raises(ProjectSaveError, match=f"{target.name}: exists and is not a project file"):
            save_project(project, target)
    assert photo.read_bytes() == b"\xff\xd8\xff\xe0 not a project"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "p.json", "photo.jpg"]
    assert project.path == tmp_path / "p.json"


def test_a_project_an_empty_file_or_a_json_file_with_a_bom_is_written_over(tmp_path: Path) -> None:
    project = load_project(write(tmp_path / "p.json", valid_doc()))
    empty, other, bom = tmp_path / "empty.json", tmp_path / "other.json", tmp_path / "bom.json"
    empty.write_bytes(b"")
    other.write_bytes(b'\n  {"images": []}')
    bom.write_bytes(b'\xef\xbb\xbf{"images": []}')
    for target in (empty, other, bom):
        save_project(project, target)
        assert load_project(target).categories[1].name == project.categories[1].name


def test_a_value_no_json_can_hold_fails_the_save_by_name(tmp_path: Path) -> None:
    """A string with a lone surrogate (JSON text cannot hold it) reaching the project in memory: the
    save is refused naming the file and the member, not a TypeError, and the project is as before."""
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    before = path.read_bytes()
    head = project.app.get("history")
    project.categories[2].name = "dog\udc80"  # a rename: the save prepares a change log entry
    (tmp_path / "sub").mkdir()
    for target in (None, tmp_path / "sub" / "q.json"):
        with pytest.raises(ProjectSaveError, match=r"could not save .*categories\[1\].*surrogates"):
            save_project(project, target)
        assert project.app.get("history") == head and project.path == path
        assert project.images[1].file_name == "a.png"
    assert path.read_bytes() == before and not (tmp_path / "sub" / "q.json").exists()
    project.categories[2].name = "wolf"
    save_project(project)  # the next save works and starts the log where it was
    assert load_project(path).app["history"] == {"head": 1}

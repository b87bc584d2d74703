"""Writes that fail half-way (a full disk, an I/O error, a crash) name the file they were writing, and
leave the user's files as they were: a moved tag's old snapshot, the open project's image paths."""

from __future__ import annotations

import errno
import gzip
from pathlib import Path

import pytest

from pixelproof.core import atomic, coco, versions
from pixelproof.core.atomic import atomic_output
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.versions import checkout, list_tags, snapshot_bytes, tag
from tests.core.docs import valid_doc, write


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_full_disk_names_the_file_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.json"
    out.write_text("old\n")

    def full(fd: int) -> None:  # as the kernel says it: an errno, no file name
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError) as caught, atomic_output(out, text=True) as f:
        f.write("new\n")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(out)
    assert _files(tmp_path) == {"report.json": b"old\n"}  # no temporary left beside it


def test_a_refused_rename_names_the_file_not_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.json"
    out.write_text("old\n")

    def refused(src: Path, dst: Path) -> None:  # as os.replace says it: both names, as given
        raise OSError(errno.EROFS, "Read-only file system", src, None, dst)

    monkeypatch.setattr(atomic.os, "replace", refused)
    with pytest.raises(OSError) as caught, atomic_output(out) as f:
        f.write(b"new\n")
    assert caught.value.filename == str(out) and caught.value.filename2 is None
    assert _files(tmp_path) == {"report.json": b"old\n"}


def test_moving_a_tag_that_fails_keeps_the_tags_old_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    tag(path, "v1")
    old = snapshot_bytes(path, "v1")
    project = load_project(path)
    project.categories[1].name = "cow"
    save_project(project)
    before = _files(versions.versions_dir(path))
    real = versions.atomic_write

    def index_refused(target, data, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(target).name == versions.INDEX:
            raise coco.ProjectSaveError(f"could not save {target}: No space left on device")
        return real(target, data, *args, **kwargs)

    monkeypatch.setattr(versions, "atomic_write", index_refused)
    with pytest.raises(coco.ProjectSaveError):
        tag(path, "v1", force=True)
    with pytest.raises(coco.ProjectSaveError):
        tag(path, "v2")
    assert _files(versions.versions_dir(path)) == before  # no v2 snapshot without its index entry
    assert snapshot_bytes(path, "v1") == old  # still the tagged version, matching its hash
    assert checkout(path, "v1").categories[1].name == "cat"
    assert [t.name for t in list_tags(path)] == ["v1"]
    assert gzip.decompress((versions.versions_dir(path) / "v1.json.gz").read_bytes()) == old


def test_a_save_as_that_crashes_leaves_the_open_project_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    project.categories[1].name = "cow"
    head = project.app.get("history")
    (tmp_path / "sub").mkdir()

    def bug(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in the middle of the save")

    monkeypatch.setattr(coco, "atomic_write", bug)
    with pytest.raises(RuntimeError):
        save_project(project, tmp_path / "sub" / "q.json")
    assert project.images[1].file_name == "a.png"  # not ../a.png: the images are still found
    assert project.path == path and project.app.get("history") == head
    monkeypatch.undo()
    save_project(project)  # the next save writes the right names, on the log's chain
    assert load_project(path).images[1].file_name == "a.png"


def test_a_folder_where_the_file_goes_is_named_and_kept(tmp_path: Path) -> None:
    (tmp_path / "out.json").mkdir()
    (tmp_path / "out.json" / "inside.txt").write_text("kept")
    with pytest.raises(OSError) as caught, atomic_output(tmp_path / "out.json") as f:
        f.write(b"{}")
    assert caught.value.filename == str(tmp_path / "out.json")  # not the hidden temporary's name
    assert _files(tmp_path) == {"out.json/inside.txt": b"kept"}

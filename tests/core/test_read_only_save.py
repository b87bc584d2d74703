"""A project (or report) file with no write permission is not replaced by a save: the atomic save renames
a new file over it, which needs only the folder's permission, so it used to undo its owner's chmod."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core.atomic import ReadOnlyFileError, atomic_output
from pixelproof.core.autosave import write_autosave
from pixelproof.core.coco import ProjectSaveError, load_project, save_project
from tests.core.docs import valid_doc, write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


def _read_only_project(tmp_path: Path) -> Path:
    path = write(tmp_path / "p.json", valid_doc())
    project = load_project(path)
    project.categories[1].name = "saved once"
    save_project(project)  # a .bak and a change log beside it, as a project in use has
    path.chmod(0o444)
    return path


def test_save_refuses_a_read_only_project_file_and_writes_nothing(tmp_path: Path) -> None:
    path = _read_only_project(tmp_path)
    before = _folder(path)
    project = load_project(path)
    project.categories[1].name = "edited"
    with pytest.raises(ProjectSaveError) as caught:
        save_project(project)
    assert str(caught.value) == f"{path}: file is read-only (no write permission); save as another file"
    assert _folder(path) == before  # the file, its .bak and its change log (no line for a save not made)
    assert os.stat(path).st_mode & 0o777 == 0o444
    assert project.categories[1].name == "edited"  # the edits are still there to save elsewhere
    other = save_project(project, tmp_path / "copy.json")
    assert load_project(other).categories[1].name == "edited"


def test_save_through_a_symlink_to_a_read_only_file_is_refused(tmp_path: Path) -> None:
    path = _read_only_project(tmp_path)
    link = tmp_path / "link.json"
    link.symlink_to(path.name)
    before = path.read_bytes()
    project = load_project(link)
    project.categories[1].name = "edited"
    with pytest.raises(ProjectSaveError, match=r"link\.json: file is read-only"):
        save_project(project)
    assert path.read_bytes() == before and link.is_symlink()


def test_atomic_output_refuses_a_read_only_report_and_leaves_no_temporary(tmp_path: Path) -> None:
    """Reports and exports written with overwrite go through ``atomic_output``: the same rule."""
    report = tmp_path / "report.csv"
    report.write_text("old\n")
    report.chmod(0o444)
    with pytest.raises(ReadOnlyFileError) as caught, atomic_output(report, text=True) as fh:
        fh.write("new\n")
    assert caught.value.path == report and isinstance(caught.value, PermissionError)
    assert str(caught.value) == f"{report}: file is read-only (no write permission); save as another file"
    assert report.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_a_writable_file_and_a_new_file_are_written_as_before(tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    report.write_text("old\n")
    report.chmod(0o640)
    with atomic_output(report, text=True) as fh:
        fh.write("new\n")
    assert report.read_text() == "new\n" and os.stat(report).st_mode & 0o777 == 0o640
    with atomic_output(tmp_path / "new.csv", text=True) as fh:
        fh.write("x\n")
    assert (tmp_path / "new.csv").read_text() == "x\n"


def test_the_autosave_of_a_read_only_project_is_still_written(tmp_path: Path) -> None:
    """The autosave is a file of its own beside the project (made with the umask's mode): a read-only
    project's unsaved edits are still kept from a crash."""
    path = _read_only_project(tmp_path)
    project = load_project(path)
    project.categories[1].name = "edited"
    auto = path.with_name(path.name + ".autosave")
    write_autosave(auto, project, project.file_state)
    assert load_project(auto).categories[1].name == "edited"
    assert os.access(auto, os.W_OK)

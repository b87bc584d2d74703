"""Saving a project to another folder (Save As, ``-o``) keeps every path it holds pointing at the same file:
image ``file_name``s, the reference project, taxonomy examples; also through symlinked folders."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import atomic, history, taxonomy
from pixelproof.core.coco import ProjectSaveError, load_project, new_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import ImageRecord
from pixelproof.core.references import reference_path

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks")


def _project(tmp_path: Path) -> Path:
    """``proj/p.json`` over ``proj/imgs/{a,b}.png``, a reference ``proj/ref.json`` (stored relative) and a
    taxonomy example cropped from ``imgs/a.png``."""
    imgs = tmp_path / "proj" / "imgs"
    imgs.mkdir(parents=True)
    for name in ("a.png", "b.png"):
        Image.fromarray(np.full((8, 10), 200, np.uint8)).save(imgs / name)
    ref = project_from_folder(imgs, tmp_path / "proj" / "ref.json", ["cat"])
    save_project(ref)
    project = project_from_folder(imgs, tmp_path / "proj" / "p.json", ["cat"])
    project.reference = "ref.json"
    example = {"file_name": "imgs/a.png", "bbox": [0, 0, 4, 4]}
    project.categories[1] = taxonomy.with_info(project.categories[1], examples=[example])
    return save_project(project)


def _check_paths(path: Path, tmp_path: Path) -> None:
    again = load_project(path)
    for image in again.images.values():
        assert again.image_path(image).is_file(), image.file_name
    assert reference_path(again) is not None and reference_path(again).is_file(), again.reference
    (example,) = taxonomy.info(again.categories[1])["examples"]
    assert again.image_by_file_name(example["file_name"]) is again.images[1]
    assert taxonomy.example_png(again, example) is not None


@pytest.mark.parametrize("where", ["deep/er/q.json", "q.json", "proj/imgs/q.json"])
def test_save_as_elsewhere_keeps_reference_and_examples(tmp_path: Path, where: str) -> None:
    project = load_project(_project(tmp_path))
    out = tmp_path / where
    out.parent.mkdir(parents=True, exist_ok=True)
    save_project(project, out)
    assert history.read_log(out, None) == ([], [])  # nothing changed: the rewritten names are no edit
    _check_paths(out, tmp_path)
    project.images[2].extra["note"] = "x"
    save_project(project)  # the project in memory is saved again right
    _check_paths(out, tmp_path)


def test_save_as_elsewhere_keeps_an_absolute_reference(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    project.reference = str(tmp_path / "proj" / "ref.json")
    (tmp_path / "other").mkdir()
    save_project(project, tmp_path / "other" / "q.json")
    assert load_project(tmp_path / "other" / "q.json").reference == str(tmp_path / "proj" / "ref.json")


def test_failed_save_as_keeps_reference_and_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(tmp_path)
    project = load_project(path)
    (tmp_path / "sub").mkdir()
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(ProjectSaveError):
        save_project(project, tmp_path / "sub" / "q.json")
    monkeypatch.undo()
    assert project.reference == "ref.json"
    assert taxonomy.info(project.categories[1])["examples"][0]["file_name"] == "imgs/a.png"
    save_project(project, overwrite=True)
    _check_paths(path, tmp_path)


@posix_only
def test_save_as_into_a_symlinked_folder_finds_the_images(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path))
    (tmp_path / "far" / "away").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "far" / "away")  # ../ from link/ is far/, not tmp_path
    save_project(project, tmp_path / "link" / "q.json")
    _check_paths(tmp_path / "link" / "q.json", tmp_path)


@posix_only
def test_save_as_from_a_symlinked_folder_finds_the_images(tmp_path: Path) -> None:
    path = _project(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path / "proj")
    project = load_project(tmp_path / "link" / "p.json")
    (tmp_path / "proj" / "sub").mkdir()
    save_project(project, tmp_path / "proj" / "sub" / "q.json")
    _check_paths(tmp_path / "proj" / "sub" / "q.json", tmp_path)
    assert path.is_file()


@posix_only
def test_new_project_in_a_symlinked_folder_names_its_images_from_there(tmp_path: Path) -> None:
    """A project beside its images in a folder reached through a symlink (macOS's /tmp, a home folder
    on another disk) names them ``imgs/a.png``, not a path out through the link's target and back, which
    breaks as soon as the folder is copied or renamed."""
    (tmp_path / "real" / "imgs").mkdir(parents=True)
    Image.fromarray(np.zeros((8, 10), np.uint8)).save(tmp_path / "real" / "imgs" / "a.png")
    (tmp_path / "data").symlink_to(tmp_path / "real")
    data = tmp_path / "data"
    project = project_from_folder(data / "imgs", data / "p.json")
    assert [i.file_name for i in project.images.values()] == ["imgs/a.png"]
    project = project_from_folder(data / "imgs", tmp_path / "real" / "p.json")
    assert [i.file_name for i in project.images.values()] == ["imgs/a.png"]


FOREIGN = ["C:/data/a.png", "C:\\data\\b.png", "\\\\server\\share\\c.png", "https://example.com/d.png"]


def test_save_as_elsewhere_keeps_paths_absolute_on_another_system(tmp_path: Path) -> None:
    """A Windows drive or UNC path read on Linux, or a URL, is no path relative to the project: it is kept
    as written, not turned into ``../C:/data/a.png`` (the original path lost)."""
    project = new_project(["cat"])
    for i, name in enumerate([*FOREIGN, "imgs/e.png"], start=1):
        project.add_image(ImageRecord(i, name, 10, 8))
    project.reference = "C:\\refs\\gt.json"
    save_project(project, tmp_path / "p.json")
    (tmp_path / "sub").mkdir()
    save_project(load_project(tmp_path / "p.json"), tmp_path / "sub" / "q.json")
    again = load_project(tmp_path / "sub" / "q.json")
    assert [i.file_name for i in again.images.values()] == [*FOREIGN, "../imgs/e.png"]
    assert again.reference == "C:\\refs\\gt.json"

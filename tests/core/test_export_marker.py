"""An export written inside the images' folder (typed there, or an older version's default beside a project
saved in that folder) is not taken for new images when the folder is scanned again: every folder export
leaves a ``.pixelproof-export`` marker in its root and a scan passes over a folder holding one, saying how
many files it left out. Real exports made by the writers, scanned by the real scan."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import export_mark
from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import find_moved, images_to_add, project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.interop.formats import FORMATS


def _photos(tmp_path: Path) -> tuple[Path, Path]:
    """``photos/`` with two pictures and a project saved inside it (what a new project from a folder is)."""
    photos = tmp_path / "photos"
    (photos / "day2").mkdir(parents=True)
    rng = np.random.default_rng(1)
    for name in ("a.png", "day2/b.jpg"):
        Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(photos / name)
    project = project_from_folder(photos, photos / "photos.json", ["cat"])
    project.add_annotation(Annotation(1, 1, 1, [2.0, 2.0, 10.0, 8.0], None, 80.0))
    save_project(project, photos / "photos.json")
    return photos, photos / "photos.json"


def _files(folder: Path) -> int:
    return sum(len(names) for _root, _dirs, names in os.walk(folder))


def test_exports_inside_the_images_folder_are_not_scanned_and_are_counted(tmp_path: Path) -> None:
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path, ["cat"])  # as loaded: same images, ids 1, 2
    project.add_annotation(Annotation(1, 1, 1, [2.0, 2.0, 10.0, 8.0], [[2, 2, 12, 2, 12, 10]], 40.0))
    assert FORMATS["masks"].write(project, photos / "photos_masks") == []
    FORMATS["yolo"].write(project, photos / "photos_yolo", images="copy")
    for out, fmt in ((photos / "photos_masks", "masks"), (photos / "photos_yolo", "yolo")):
        mark = json.loads((out / export_mark.MARKER).read_text())
        assert mark["format"] == fmt and mark["project"] == "photos.json"
    # the exports hold pictures a scan would take: mask PNGs, YOLO's copies of the images
    assert any(p.suffix == ".png" for p in (photos / "photos_masks").rglob("*"))
    assert (photos / "photos_yolo" / "images").is_dir()

    said: list[str] = []
    seen: list[export_mark.SkippedExport] = []
    again = project_from_folder(photos, tmp_path / "again.json", on_skip=said.append, on_export=seen.append)
    assert sorted(i.file_name for i in again.images.values()) == ["photos/a.png", "photos/day2/b.jpg"]
    counts = {e.folder: e.files for e in seen}
    assert counts == {
        photos / "photos_masks": _files(photos / "photos_masks") - 1,  # the marker is not counted
        photos / "photos_yolo": _files(photos / "photos_yolo") - 1,
    }
    for e in seen:  # each also said, with its count, as every file left out is
        assert any(m.startswith(f"{e.folder}:") and f"{e.files} files" in m for m in said), said

    found = images_to_add(project, [photos], lambda _m: None)
    assert found.images == [] and len(found.already) == 2
    assert sorted(e.folder.name for e in found.exports) == ["photos_masks", "photos_yolo"]
    assert sum(e.files for e in found.exports) == sum(counts.values())


def test_files_named_or_the_export_folder_itself_are_still_added(tmp_path: Path) -> None:
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path, ["cat"])
    FORMATS["yolo"].write(project, photos / "photos_yolo", images="copy")
    copy = photos / "photos_yolo" / "images" / "train" / "a.png"
    assert copy.is_file()
    found = images_to_add(project, [copy], lambda _m: None)  # a file named: added
    assert [im.file_name for im in found.images] == ["photos_yolo/images/train/a.png"]
    said: list[str] = []
    found = images_to_add(project, [photos / "photos_yolo"], said.append)  # the export folder itself
    assert len(found.images) == 2 and found.exports == []
    assert not any(export_mark.MARKER in m for m in said), said  # its own marker is not a "hidden file"


def test_a_marker_made_by_hand_marks_an_older_export(tmp_path: Path) -> None:
    """Exports from before the marker are not recognised; an empty marker (``touch``) marks one."""
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path)
    old = photos / "photos_masks" / "masks"
    old.mkdir(parents=True)
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(old / "a.png")
    assert len(images_to_add(project, [photos], lambda _m: None).images) == 1  # not recognised
    (photos / "photos_masks" / export_mark.MARKER).write_bytes(b"")
    found = images_to_add(project, [photos], lambda _m: None)
    assert found.images == [] and [(e.folder, e.files) for e in found.exports] == [(old.parent, 1)]


def test_no_marker_over_the_projects_own_images(tmp_path: Path) -> None:
    """An export into a folder holding the project's images (LabelMe JSON beside the pictures) is not
    marked: the marker would hide the originals from a scan of a folder above it."""
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path, ["cat"])
    FORMATS["labelme"].write(project, photos / "day2")
    assert (photos / "day2" / "b.json").is_file()
    assert not (photos / "day2" / export_mark.MARKER).exists()
    FORMATS["labelme"].write(project, photos)
    assert not (photos / export_mark.MARKER).exists()
    again = project_from_folder(tmp_path, tmp_path / "top.json")
    assert sorted(i.file_name for i in again.images.values()) == ["photos/a.png", "photos/day2/b.jpg"]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_planted_marker_link_is_not_followed(tmp_path: Path) -> None:
    """The marker is written in the output folder only: a symbolic link planted under its name is
    replaced, the file it points to is left alone."""
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path, ["cat"])
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / export_mark.MARKER).symlink_to(victim)
    FORMATS["masks"].write(project, out)
    assert victim.read_text() == "keep me"
    assert not (out / export_mark.MARKER).is_symlink()
    assert json.loads((out / export_mark.MARKER).read_text())["format"] == "masks"


class Stop(Exception):
    pass


def test_an_export_stopped_half_way_is_marked(tmp_path: Path) -> None:
    """A cancelled (or failed) export into a new folder leaves part of its files: they are the export's,
    so the folder is marked all the same."""
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path, ["cat"])
    out = photos / "photos_yolo"

    def stop(done: int, _total: int) -> None:
        if done >= 1 and any(out.rglob("*.png")):  # past the size check of the images, one written
            raise Stop

    with pytest.raises(Stop):
        FORMATS["yolo"].write(project, out, images="copy", progress=stop)
    assert any(out.rglob("*.png"))  # what was written before the stop
    assert (out / export_mark.MARKER).is_file()
    assert images_to_add(project, [photos], lambda _m: None).images == []


def test_locate_finds_images_moved_into_an_export(tmp_path: Path) -> None:
    """Locate Missing Images looks for the project's own files, not new ones: a project over an export's
    images (a YOLO export shared with a colleague) whose export folder moved is found again."""
    photos, path = _photos(tmp_path)
    project = project_from_folder(photos, path, ["cat"])
    FORMATS["yolo"].write(project, tmp_path / "shared" / "photos_yolo", images="copy")
    images = tmp_path / "shared" / "photos_yolo" / "images"  # inside the export: searched, it was named
    imported = project_from_folder(images, tmp_path / "shared" / "p.json")
    names = sorted(im.file_name for im in imported.images.values())
    assert names == ["photos_yolo/images/train/a.png", "photos_yolo/images/train/day2/b.jpg"], names
    (tmp_path / "moved").mkdir()
    (tmp_path / "shared" / "photos_yolo").rename(tmp_path / "moved" / "photos_yolo")
    found, missing = find_moved(imported, tmp_path / "moved")
    assert missing == [] and len(found) == 2

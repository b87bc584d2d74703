"""The bundled demo project is valid, rich enough for the app, and installs to a writable copy."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.imageio import read_image


def test_demo_installs_loads_and_images_exist(tmp_path: Path) -> None:
    project_file = install_demo(tmp_path / "demo")
    project = load_project(project_file)
    assert len(project.images) >= 9
    kinds = {a.kind for a in project.annotations.values()}
    assert kinds == {"box", "polygon", "mask"}
    depths = set()
    for image in project.images.values():
        pixels = read_image(project.image_path(image))
        assert pixels.shape[:2] == (image.height, image.width), image.file_name
        depths.add(pixels.dtype.itemsize)
    assert 2 in depths, "the demo needs a 16-bit image"
    reference = load_project(project_file.parent / project.reference)
    assert {i.file_name for i in reference.images.values()} == {i.file_name for i in project.images.values()}


def test_install_keeps_an_edited_copy_unless_fresh(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    project_file = install_demo(target)
    project = load_project(project_file)
    first = next(iter(project.annotations))
    project.remove_annotation(first)
    save_project(project)
    assert first not in load_project(install_demo(target)).annotations
    assert first in load_project(install_demo(target, fresh=True)).annotations


def test_demo_is_small() -> None:
    from importlib.resources import files

    demo = Path(str(files("pixelproof.resources").joinpath("demo")))
    total = sum(f.stat().st_size for f in demo.rglob("*") if f.is_file())
    assert total < 5_000_000


def test_demo_files_are_what_a_save_writes_in_the_current_format(tmp_path: Path) -> None:
    """Before: both files were format 1, migrated on every open, and `pixelproof info` said the demo was
    labeled on stored pixels (EXIF orientation not applied). Its images carry no EXIF orientation, so
    applying it changes no pixel and no mask."""
    from pixelproof.core.imageio import exif_orientation
    from pixelproof.core.model import FORMAT_VERSION

    project_file = install_demo(tmp_path / "demo")
    for name in (project_file.name, "reference.json"):
        path = project_file.parent / name
        written = path.read_bytes()
        project = load_project(path)
        assert project.loaded_format == FORMAT_VERSION, name
        assert project.applies_exif, name
        assert all(exif_orientation(project.image_path(im)) == 1 for im in project.images.values())
        save_project(project, path)
        assert path.read_bytes() == written, name


def test_install_never_removes_a_folder_that_is_no_demo_copy(tmp_path: Path) -> None:
    """Before: ``install_demo(DIR)`` (``pixelproof demo --dir DIR``) deleted everything in DIR when it held no
    project.json, and with ``fresh`` whatever project DIR held."""
    import pytest

    mine = tmp_path / "notes.txt"
    mine.write_text("keep me")
    with pytest.raises(FileExistsError, match="not a copy of the demo; nothing removed"):
        install_demo(tmp_path)
    (tmp_path / "project.json").write_text("{}")  # the user's own project, not the demo
    with pytest.raises(FileExistsError):
        install_demo(tmp_path, fresh=True)
    assert mine.read_text() == "keep me"
    assert (tmp_path / "project.json").read_text() == "{}"


def test_install_into_an_empty_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.mkdir()
    assert load_project(install_demo(target)).images

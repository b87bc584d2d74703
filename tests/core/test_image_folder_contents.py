"""A new project over a folder with odd contents: what is listed, and every entry left out is said."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.image_folder import project_from_folder

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks and FIFOs")


@posix_only
def test_links_fifos_and_loops_are_listed_or_said(tmp_path: Path) -> None:
    imgs = tmp_path / "imgs"
    (imgs / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    Image.fromarray(np.zeros((8, 10), np.uint8)).save(imgs / "sub" / "a.png")
    Image.fromarray(np.zeros((8, 10), np.uint8)).save(tmp_path / "elsewhere" / "b.png")
    (imgs / "linked").symlink_to(tmp_path / "elsewhere")  # a folder of images on another disk
    (imgs / "sub" / "loop").symlink_to(imgs)  # would list everything again, for ever
    (imgs / "broken.png").symlink_to(tmp_path / "gone.png")
    os.mkfifo(imgs / "pipe.png")
    (imgs / "file.png").symlink_to(imgs / "sub" / "a.png")  # a linked file is an image like any other
    said: list[str] = []
    project = project_from_folder(imgs, tmp_path / "p.json", on_skip=said.append)
    assert sorted(i.file_name for i in project.images.values()) == ["imgs/file.png", "imgs/sub/a.png"]
    named = {Path(m.split(":")[0]).name for m in said}
    assert named == {"linked", "loop", "broken.png", "pipe.png"}, said
    assert any("linked" in m and "symlinked folder" in m for m in said)


def test_hidden_folders_and_files_are_left_out_and_said(tmp_path: Path) -> None:
    """Before: ``.thumbnails/*.png`` (a viewer's cache) and macOS's ``._a.png`` resource forks were listed or
    read as the dataset's pictures; hidden folders are not searched and hidden files are skipped, each
    said once."""
    imgs = tmp_path / "imgs"
    for folder in ("sub", ".thumbnails/large", "sub/.ipynb_checkpoints"):
        (imgs / folder).mkdir(parents=True)
    picture = np.zeros((8, 10), np.uint8)
    for name in (
        "a.png",
        "sub/b.png",
        ".thumbnails/a.png",
        ".thumbnails/large/a.png",
        "sub/.ipynb_checkpoints/b.png",
    ):
        Image.fromarray(picture).save(imgs / name)
    (imgs / "._a.png").write_bytes(b"\x00\x05\x16\x07" + bytes(60))  # an AppleDouble fork
    said: list[str] = []
    project = project_from_folder(imgs, tmp_path / "p.json", on_skip=said.append)
    assert sorted(i.file_name for i in project.images.values()) == ["imgs/a.png", "imgs/sub/b.png"]
    assert sorted(m.split(":")[0].removeprefix(str(imgs) + os.sep) for m in said) == sorted(
        [".thumbnails", os.path.join("sub", ".ipynb_checkpoints"), "._a.png"]
    )
    assert all("hidden" in m for m in said)


def test_frames_are_numbered_in_number_order_not_text_order(tmp_path: Path) -> None:
    """Frames extracted as ffmpeg's ``frame_%d.jpg`` have no leading zeros: listed as text, frame_10 came
    after frame_1 and before frame_2, so D (and Propagate's "next images") jumped about the video. Each
    name is now read as a file browser shows it, digits as numbers, folder by folder."""
    frames = tmp_path / "video"
    (frames / "cam10").mkdir(parents=True)
    (frames / "cam9").mkdir()
    for n in (1, 2, 3, 9, 10, 11, 20):
        Image.fromarray(np.zeros((4, 6), np.uint8)).save(frames / "cam9" / f"frame_{n}.jpg")
    Image.fromarray(np.zeros((4, 6), np.uint8)).save(frames / "cam10" / "frame_1.jpg")
    project = project_from_folder(frames, tmp_path / "p.json")
    names = [i.file_name for i in sorted(project.images.values(), key=lambda i: i.id)]
    want = [f"video/cam9/frame_{n}.jpg" for n in (1, 2, 3, 9, 10, 11, 20)] + ["video/cam10/frame_1.jpg"]
    assert names == want


def test_a_project_saved_among_its_images_is_not_said_nor_are_its_log_and_backup(tmp_path: Path) -> None:
    """``new imgs -o imgs/project.json --force`` again, or ``add`` of the folder the project lives in: its
    change log and backup are PixelProof's own files, not "not an image, skipped"; any other file is."""
    from pixelproof.core.coco import save_project
    from pixelproof.core.image_folder import images_to_add

    for i in range(2):
        Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(tmp_path / f"a{i}.png")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    own = tmp_path / "project.json"
    said: list[str] = []
    project = project_from_folder(tmp_path, own, on_skip=said.append)
    save_project(project, own)
    (tmp_path / "project.json.bak").write_bytes(own.read_bytes())  # as a save over an older one keeps it
    (tmp_path / "project.history.jsonl").write_text("", encoding="utf-8")
    for scan in (
        lambda: project_from_folder(tmp_path, own, on_skip=said.append),
        lambda: images_to_add(project, [tmp_path], said.append),
    ):
        said.clear()
        scan()
        assert said == [f"{tmp_path / 'notes.txt'}: not an image, skipped"], said


def test_a_new_project_beside_the_folders_project_passes_over_its_files(tmp_path: Path) -> None:
    """New Project from Folder > Start a New One saves as ``project_2.json`` beside the folder's
    ``project.json``: that file, its backup, change log, autosave and lock (and project_2.json's own
    autosave) are PixelProof's, not "not an image" nor "a hidden file" in the status bar; another JSON file
    still is."""
    from pixelproof.core.coco import save_project

    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(tmp_path / "a.png")
    first = tmp_path / "project.json"
    save_project(project_from_folder(tmp_path, first), first)
    for name in ("project.json.bak", "project.history.jsonl", "project.json.autosave", ".project.json.lock"):
        (tmp_path / name).write_bytes(first.read_bytes())
    (tmp_path / "project_2.json.autosave").write_text("{}", encoding="utf-8")
    (tmp_path / "project_x.json").write_text("{}", encoding="utf-8")  # not a name PixelProof saves as
    said: list[str] = []
    project = project_from_folder(tmp_path, tmp_path / "project_2.json", on_skip=said.append)
    assert [im.file_name for im in project.images.values()] == ["a.png"]
    assert said == [f"{tmp_path / 'project_x.json'}: not an image, skipped"], said

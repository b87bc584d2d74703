"""The files INSIDE an export folder never land outside it through a link planted there: ``out/labels ->
~/.config`` had a rerun write ``~/.config/a.txt`` (and make folders there), and a DICOM SEG or RT Structure
Set already in the folder as a link was written through to its target. A folder link out of the export
folder is refused naming it and where it points; a link where a file goes is replaced (as tar, git and
rsync do); a folder or FIFO where a file goes is refused naming it, not waited on. Core only, no Qt."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.coco import load_project
from pixelproof.core.limits import LimitError
from pixelproof.interop.formats import FORMATS
from tests.interop.test_dicom_seg import ct_project  # noqa: F401 (fixture)

posix_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX symlinks")
fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


def _project(work: Path):
    work.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (30, 20), (10, 20, 30)).save(work / "a.png")
    doc = {
        "images": [{"id": 1, "file_name": "a.png", "width": 30, "height": 20}],
        "categories": [{"id": 1, "name": "car"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 2, 8, 6], "area": 48, "iscrowd": 0,
             "segmentation": [[2, 2, 10, 2, 10, 8, 2, 8]]},
        ],
    }  # fmt: skip
    (work / "p.json").write_text(json.dumps(doc))
    return load_project(work / "p.json")


def _victim(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "a.txt").write_text("keep")
    (home / ".bashrc").write_text("keep")
    return home


def _untouched(home: Path) -> None:
    assert sorted(p.name for p in home.iterdir()) == [".bashrc", "a.txt"]
    assert (home / "a.txt").read_text() == "keep"
    assert (home / ".bashrc").read_text() == "keep"


@posix_links
@pytest.mark.parametrize(("fmt", "folder"), [("yolo", "labels"), ("masks", "masks"), ("voc", "Annotations")])
def test_a_folder_linked_out_of_the_export_is_refused_naming_it(
    tmp_path: Path, fmt: str, folder: str
) -> None:
    project = _project(tmp_path / "work")
    home = _victim(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / folder).symlink_to(home)
    with pytest.raises(LimitError) as e:
        FORMATS[fmt].write(project, out)
    assert str(e.value).startswith(f"{out / folder}: is a symbolic link to {home}, outside the export folder")
    _untouched(home)


@posix_links
def test_a_folder_linked_inside_the_export_is_followed(tmp_path: Path) -> None:
    project = _project(tmp_path / "work")
    out = tmp_path / "out"
    (out / "real").mkdir(parents=True)
    (out / "labels").symlink_to("real")
    FORMATS["yolo"].write(project, out)
    assert list((out / "real").rglob("a.txt"))


@posix_links
@pytest.mark.parametrize("fmt", ["yolo", "geojson", "labelme"])
def test_a_label_file_linked_out_is_replaced_not_written_through(tmp_path: Path, fmt: str) -> None:
    project = _project(tmp_path / "work")
    home = _victim(tmp_path)
    out = tmp_path / "out"
    FORMATS[fmt].write(project, out)
    (written,) = [p for p in out.rglob("a.*") if p.suffix in (".txt", ".geojson", ".json")]
    written.unlink()
    written.symlink_to(home / ".bashrc")
    FORMATS[fmt].write(project, out)
    assert not written.is_symlink() and written.stat().st_size > 0
    _untouched(home)


@posix_links
def test_the_named_export_folder_may_be_a_link(tmp_path: Path) -> None:
    """The folder the user names is followed, as a named ``-o`` file is."""
    project = _project(tmp_path / "work")
    (tmp_path / "disk").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "disk")
    FORMATS["yolo"].write(project, tmp_path / "out")
    assert list((tmp_path / "disk").rglob("a.txt"))


@fifos
def test_a_fifo_where_a_label_file_goes_is_refused_without_waiting(tmp_path: Path) -> None:
    project = _project(tmp_path / "work")
    out = tmp_path / "out"
    FORMATS["yolo"].write(project, out)
    (label,) = out.rglob("a.txt")
    label.unlink()
    os.mkfifo(label)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            FORMATS["yolo"].write(project, out)
        except BaseException as e:  # handed to the test below
            failed.append(e)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(60)  # a hang is a failure, not a timing
    assert not worker.is_alive(), "the export waited on the FIFO"
    assert isinstance(failed[0], LimitError)
    assert str(failed[0]) == f"{label}: is a FIFO (named pipe), not a file to replace; nothing written"


def test_a_folder_where_a_label_file_goes_is_refused_naming_it(tmp_path: Path) -> None:
    project = _project(tmp_path / "work")
    out = tmp_path / "out"
    FORMATS["yolo"].write(project, out)
    (label,) = out.rglob("a.txt")
    label.unlink()
    label.mkdir()
    (label / "keep").write_text("keep")
    with pytest.raises(LimitError) as e:
        FORMATS["yolo"].write(project, out)
    assert str(e.value) == f"{label}: is a folder, not a file to replace; nothing written"
    assert (label / "keep").read_text() == "keep"


@posix_links
@pytest.mark.parametrize("fmt", ["dicom-seg", "rtstruct"])
def test_a_dicom_output_linked_out_is_replaced_not_written_through(
    ct_project,  # noqa: F811 (the fixture)
    tmp_path: Path,
    fmt: str,
) -> None:
    """Both wrote with ``atomic_output``, which writes through a link by design (a named ``-o``)."""
    project, _, _ = ct_project
    home = _victim(tmp_path)
    out = tmp_path / "out"
    FORMATS[fmt].write(project, out)
    (written,) = [p for p in out.iterdir() if p.suffix == ".dcm"]
    written.unlink()
    written.symlink_to(home / ".bashrc")
    FORMATS[fmt].write(project, out)
    assert not written.is_symlink() and written.stat().st_size > 1000
    _untouched(home)


@posix_links
def test_a_shard_linked_out_of_the_split_folder_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shard is saved through a link (as a project is): ``out/anna.json`` linked to another project
    outside (not refused as a foreign file, which ``~/.bashrc`` is) replaced that project."""
    from pixelproof.cli import main

    _project(tmp_path / "work")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "main.json"
    victim.write_bytes((tmp_path / "work" / "p.json").read_bytes())
    before = victim.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    (out / "anna.json").symlink_to(victim)
    project = str(tmp_path / "work" / "p.json")
    assert main(["split", project, "--annotators", "anna,ben", "-o", str(out)]) != 0
    err = capsys.readouterr().err
    said = f"{out / 'anna.json'}: is a symbolic link to {victim}, outside the split's output folder"
    assert said in err
    assert victim.read_bytes() == before and sorted(p.name for p in elsewhere.iterdir()) == ["main.json"]
    assert not (out / "ben.json").exists()


@posix_links
def test_dot_dot_after_a_link_or_out_of_the_export_is_refused(tmp_path: Path) -> None:
    """``out/link/../x`` is beside the link's target to the system, not ``out/x``: it was judged on the
    path with ``..`` taken lexically (``out/x``) and let through."""
    from pixelproof.interop.image_guard import check_target, guarding_images, make_folders

    project = _project(tmp_path / "work")
    home = _victim(tmp_path)
    (home / "deep").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(home / "deep", out / "link")
    with guarding_images(project, out, folder=True):
        with pytest.raises(LimitError, match="link") as link:
            check_target(out / "link" / ".." / "a.txt")
        assert str(out / "link") in str(link.value)
        with pytest.raises(LimitError, match="link") as link:
            make_folders(out / "link" / ".." / "new")
        assert str(out / "link") in str(link.value)
        os.symlink(out / "link", out / "again")  # a link to the link: its '..' is the real place's
        with pytest.raises(LimitError, match="outside the export folder"):
            check_target(out / "again" / ".." / "b.txt")
        assert check_target(out / "a" / ".." / "b.txt") == out / "a" / ".." / "b.txt"  # still inside
    from pixelproof.core.folder_links import link_out_of

    assert link_out_of(out, out / ".." / "lead.json", "folder", itself=True) is None  # a path chosen outside
    assert sorted(p.name for p in home.iterdir()) == [".bashrc", "a.txt", "deep"]

"""Open Images: Datumaro's V6 sample, bad rows reported, round trip COCO -> Open Images -> COCO."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.model import Project
from pixelproof.interop import read_coco, write_coco
from pixelproof.interop.openimages import read_openimages, write_openimages

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "open_images_dataset" / "v6"


def _by_image(project: Project) -> dict[str, list]:
    return {
        Path(im.file_name).stem: sorted(project.annotations_of(im.id), key=lambda a: a.id)
        for im in project.images.values()
    }


def test_datumaro_v6_matches_datumaro_expectations() -> None:
    """Datumaro's test_can_import_v6: b has a box and its mask (one object here), c a group box."""
    result = read_openimages(DATA)
    project = result.project
    assert result.problems == [] and result.skipped == {}
    sizes = {Path(im.file_name).stem: (im.width, im.height) for im in project.images.values()}
    assert sizes == {"a": (6, 8), "b": (8, 2), "c": (5, 10), "d": (5, 1)}
    splits = {Path(im.file_name).stem: im.extra["pixelproof"]["split"] for im in project.images.values()}
    assert splits == {"a": "train", "b": "train", "c": "test", "d": "val"}  # validation: val (interop.splits)
    objs = _by_image(project)
    assert objs["a"] == [] and objs["d"] == []
    (b,) = objs["b"]
    assert project.categories[b.category_id].name == "Generic label #0"
    assert b.kind == "mask" and np.array_equal(b.mask(2, 8), np.hstack((np.ones((2, 2)), np.zeros((2, 6)))))
    oi = b.app_extra["openimages"]
    assert np.allclose([v * s for v, s in zip(oi["box"], (8, 8, 2, 2), strict=True)], [1.6, 8, 0.6, 1.0])
    assert oi["box_id"] == "01234567" and oi["predicted_iou"] == 0.5 and oi["confidence"] == 1
    (c,) = objs["c"]
    assert project.categories[c.category_id].name == "Generic label #3"
    assert np.allclose(c.bbox, [3.5, 0, 0.5, 5]) and c.iscrowd == 1 and c.kind == "box"
    assert c.app_extra["openimages"]["occluded"] == 1 and c.app_extra["openimages"]["truncated"] == 0
    # image-level labels are not objects: kept in the image extras
    c_image = next(im for im in project.images.values() if im.file_name.endswith("c.jpg"))
    assert c_image.extra["pixelproof"]["openimages"]["labels"] == [
        ["/m/1", "verification", 1.0],
        ["/m/3", "verification", 1.0],
    ]
    assert project.categories[c.category_id].app_extra["openimages"] == {"mid": "/m/3"}


def test_bad_rows_are_reported_rest_read(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "train" / "x.jpg")
    (tmp_path / "annotations" / "class-descriptions.csv").write_text("/m/cat,Cat\n")
    f = tmp_path / "annotations" / "train-annotations-bbox.csv"
    f.write_text(
        ",".join(("ImageID", "Source", "LabelName", "Confidence", "XMin", "XMax", "YMin", "YMax")) + "\n"
        "x,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n"
        "x,xclick,/m/cat,1,nan,0.5,0.2,0.6\n"
        "x,xclick,/m/cat,1,0.6,0.5,0.2,0.6\n"
        "x,xclick,/m/dog,1,0.1,2.5,0.2,0.6\n"
        "y,xclick,/m/dog,1,0.1,0.5,0.2,0.6\n"
    )
    result = read_openimages(tmp_path)
    assert result.problems == [
        f"{f}:3: XMin/XMax/YMin/YMax must be numbers in 0..1, min <= max; row skipped",
        f"{f}:4: XMin/XMax/YMin/YMax must be numbers in 0..1, min <= max; row skipped",
        f"{f}:5: label /m/dog is not in the class descriptions; named by its MID",
        f"{f}:5: XMin/XMax/YMin/YMax must be numbers in 0..1, min <= max; row skipped",
        f"{f}:6: image y not found in {tmp_path / 'images'} and not in images.meta (no size); "
        "its annotations skipped",
    ]
    (ann,) = result.project.annotations.values()
    assert np.allclose(ann.bbox, [2, 2, 8, 4])


def test_mask_path_cannot_leave_the_masks_folder(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (4, 4)).save(tmp_path / "images" / "train" / "x.jpg")
    Image.new("1", (4, 4), 1).save(tmp_path / "secret.png")
    f = tmp_path / "annotations" / "train-annotations-object-segmentation.csv"
    f.write_text("MaskPath,ImageID,LabelName,BoxID\n../secret.png,x,/m/a,1\n")
    result = read_openimages(tmp_path)
    assert any("MaskPath '../secret.png' must be a plain file name" in p for p in result.problems)
    assert not result.project.annotations


def test_an_all_black_mask_is_said_and_skipped_not_an_empty_object(tmp_path: Path) -> None:
    """A palette mask whose object colour is black reads as all 0 (as OpenCV reads it): the row made an
    object of area 0 without a word."""
    (tmp_path / "annotations").mkdir()
    (tmp_path / "masks").mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (4, 4)).save(tmp_path / "images" / "train" / "x.jpg")
    black = Image.new("P", (4, 4), 0)
    black.putpalette([0, 0, 0, 0, 0, 0])  # index 0 (background) and index 1 (the object) both black
    black.paste(1, (1, 1, 3, 3))
    black.save(tmp_path / "masks" / "x_m_a_1.png")
    Image.new("1", (4, 4), 1).save(tmp_path / "masks" / "x_m_a_2.png")
    f = tmp_path / "annotations" / "train-annotations-object-segmentation.csv"
    f.write_text("MaskPath,ImageID,LabelName,BoxID\nx_m_a_1.png,x,/m/a,1\nx_m_a_2.png,x,/m/a,2\n")
    result = read_openimages(tmp_path)
    (kept,) = result.project.annotations.values()
    assert kept.area == 16  # the second row's mask, whole; the first (black on black: all 0) is none
    said = [p for p in result.problems if "x_m_a_1.png has no pixel set" in p]
    assert len(said) == 1 and said[0].startswith(f"{f}:2: "), result.problems


def test_coco_openimages_coco_round_trip(sample_project: Project, tmp_path: Path) -> None:
    sample_project.annotations[1].iscrowd = 1
    warnings = write_openimages(sample_project, tmp_path / "oi")
    assert warnings == ["2 polygon objects written as mask PNGs (Open Images holds masks)"]
    assert (tmp_path / "oi" / "images" / "train" / "a.png").is_file()
    result = read_openimages(tmp_path / "oi")
    assert result.problems == []
    write_coco(result.project, tmp_path / "back.json")
    back = read_coco(tmp_path / "back.json").project
    orig, new = _by_image(sample_project), _by_image(back)
    assert orig.keys() == new.keys()
    for stem, anns in orig.items():
        im = next(i for i in sample_project.images.values() if Path(i.file_name).stem == stem)
        assert len(new[stem]) == len(anns)
        for a, b in zip(anns, new[stem], strict=True):
            assert sample_project.categories[a.category_id].name == back.categories[b.category_id].name
            assert a.iscrowd == b.iscrowd
            assert b.kind == ("box" if a.kind == "box" else "mask")
            if a.kind == "box":
                assert np.allclose(a.bbox, b.bbox, atol=1e-6)
            assert np.array_equal(a.mask(im.height, im.width), b.mask(im.height, im.width))


def test_a_box_sticking_out_of_its_image_is_clipped_not_lost(sample_project: Project, tmp_path: Path) -> None:
    """A project's box may stick out of its image; written as it was (XMin -0.1), the reader refused the
    row as outside 0..1 and the object was lost on the way back."""
    from pixelproof.core.model import Annotation

    image = next(iter(sample_project.images.values()))
    sample_project.add_annotation(
        Annotation(900, image.id, 1, [-4.0, -2.0, 10.0, image.height + 5.0], None, 10.0 * image.height)
    )
    write_openimages(sample_project, tmp_path / "oi")
    result = read_openimages(tmp_path / "oi")
    assert result.problems == []
    assert len(result.project.annotations) == len(sample_project.annotations)
    back = next(a for a in result.project.annotations.values() if a.bbox[0] == 0 and a.bbox[1] == 0)
    assert np.allclose(back.bbox, [0, 0, 6, image.height])


def test_a_cell_over_the_csv_field_limit_is_reported_with_its_line(tmp_path: Path) -> None:
    """A 200 KB cell made the csv module raise csv.Error (field larger than field limit) out of the reader."""
    (tmp_path / "annotations").mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "train" / "x.jpg")
    names = tmp_path / "annotations" / "class-descriptions.csv"
    names.write_text("/m/cat,Cat\n/m/dog," + "d" * 200_000 + "\n")
    f = tmp_path / "annotations" / "train-annotations-bbox.csv"
    f.write_text(
        "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\n"
        "x,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n"
        "x,xclick," + "c" * 200_000 + ",1,0.1,0.5,0.2,0.6\n"
    )
    result = read_openimages(tmp_path)
    assert result.problems[0].startswith(f"{names}:2: not a readable CSV row (field larger than field limit")
    assert result.problems[1].startswith(f"{f}:3: not a readable CSV row (field larger than field limit")
    assert result.skipped["files"] == 1
    (ann,) = result.project.annotations.values()  # the rows before it are kept
    assert result.project.categories[ann.category_id].name == "Cat"


@contextlib.contextmanager
def _feeding(fifo: Path, data: bytes) -> Iterator[None]:
    """While inside, a thread writes ``data`` to ``fifo`` whenever a reader has it open."""
    stop = threading.Event()

    def feed() -> None:
        while not stop.wait(0.05):
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO while nobody reads
            except OSError:
                continue
            try:
                os.write(fd, data)
            except OSError:
                pass
            finally:
                os.close(fd)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _images_meta_dataset(root: Path, meta: str | None) -> Path:
    """Box rows for images y and z that are not in images/, so their sizes come from images.meta."""
    (root / "annotations").mkdir(parents=True)
    (root / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "images" / "train" / "x.jpg")
    (root / "annotations" / "class-descriptions.csv").write_text("/m/cat,Cat\n")
    (root / "annotations" / "train-annotations-bbox.csv").write_text(
        "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\n"
        "x,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n"
        "y,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n"
        "z,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n"
    )
    if meta is not None:
        (root / "images.meta").write_text(meta)
    return root


def test_images_meta_that_is_no_file_or_has_odd_digits_is_reported(tmp_path: Path) -> None:
    """A FIFO named images.meta blocked the import; a folder raised IsADirectoryError; "²" passed
    str.isdigit and int() raised ValueError out of the reader (so did a 5000-digit side)."""
    odd = _images_meta_dataset(tmp_path / "odd", "y ² ²\nz " + "9" * 5000 + " 5\nz 10 20\n")
    result = read_openimages(odd)
    assert {Path(im.file_name).stem: (im.width, im.height) for im in result.project.images.values()} == {
        "x": (20, 10),
        "z": (20, 10),
    }
    meta = odd / "images.meta"  # said where it is, before the image is said to be missing from it
    assert result.problems[0] == (
        f"{meta}: line 1: not '<image id> <height> <width>' in whole numbers; 2 such lines ignored"
    )
    assert "image y not found" in result.problems[1] and "not in images.meta" in result.problems[1]
    folder = _images_meta_dataset(tmp_path / "folder", None)
    (folder / "images.meta").mkdir()
    result = read_openimages(folder)
    assert (
        result.problems[0]
        == f"{folder / 'images.meta'}: is a folder, not a file to read; its image sizes are not read"
    )
    assert len(result.project.annotations) == 1
    fifo = _images_meta_dataset(tmp_path / "fifo", None)
    os.mkfifo(fifo / "images.meta")
    with _feeding(fifo / "images.meta", b"y 10 20\n"):  # so that a reader blocking on it ends
        result = read_openimages(fifo)
    assert result.problems[0].startswith(
        f"{fifo / 'images.meta'}: is a FIFO (named pipe), not a file to read"
    )
    assert len(result.project.annotations) == 1


def test_a_size_no_image_may_declare_skips_that_image_alone(tmp_path: Path) -> None:
    """images.meta saying 0 x 0 or 99999999999 pixels made Builder.image's LimitError end the whole import."""
    root = _images_meta_dataset(tmp_path / "oi", "y 0 0\nz 99999999999 5\n")
    result = read_openimages(root)
    f = root / "annotations" / "train-annotations-bbox.csv"
    assert f"{f}:3: images/train/y.jpg: width must be a positive integer, got 0; its annotations skipped" in (
        result.problems
    )
    assert any(
        p.startswith(f"{f}:4: images/train/z.jpg: height 99999999999 is over") for p in result.problems
    )
    assert result.skipped["images"] == 2
    assert [im.file_name for im in result.project.images.values()] == ["images/train/x.jpg"]
    assert len(result.project.annotations) == 1


def test_csvs_saved_with_a_bom_are_read(tmp_path: Path) -> None:
    """Excel saves "CSV UTF-8" with a byte-order mark: the first column was then named "\\ufeffImageID"
    and the whole annotation file skipped as missing ImageID (found by fuzzing)."""
    (tmp_path / "annotations").mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "train" / "x.jpg")
    (tmp_path / "annotations" / "class-descriptions.csv").write_text("\ufeff/m/cat,Cat\n", "utf-8")
    (tmp_path / "annotations" / "train-annotations-bbox.csv").write_text(
        "\ufeffImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\nx,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n",
        "utf-8",
    )
    result = read_openimages(tmp_path)
    assert result.problems == []
    (ann,) = result.project.annotations.values()
    assert result.project.categories[ann.category_id].name == "Cat"
    assert np.allclose(ann.bbox, [2, 2, 8, 4])


def test_rows_cut_short_or_without_an_image_or_label_are_reported_not_imported(tmp_path: Path) -> None:
    """A row cut short (``a1,x,/m/2``), an empty ImageID or LabelName: each skipped with its line. An empty
    LabelName made a category named "" (which VOC and CVAT refuse), a short image-label row kept the
    label ``[None, None, None]``, and a blank line put the lines after it one line early."""
    ann = tmp_path / "annotations"
    ann.mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (200, 100)).save(tmp_path / "images" / "train" / "a1.jpg")
    (ann / "class-descriptions.csv").write_text("/m/1,Cat\n/m/2,Dog\n")
    header = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\n"
    (ann / "train-annotations-bbox.csv").write_text(
        header + "a1,x,/m/1,1,0.1,0.5,0.1,0.5\na1,x,/m/2\n,x,/m/2,1,0,1,0,1\n\na1,x,,1,0,1,0,1\n"
    )
    (ann / "train-annotations-human-imagelabels.csv").write_text(
        "ImageID,Source,LabelName,Confidence\na1,verification,/m/2,1\na1\n"
    )
    result = read_openimages(tmp_path)
    project = result.project
    (a,) = project.annotations.values()
    assert project.categories[a.category_id].name == "Cat" and a.bbox == [20.0, 10.0, 80.0, 40.0]
    assert sorted(c.name for c in project.categories.values()) == ["Cat"]
    (image,) = project.images.values()
    assert image.extra["pixelproof"]["openimages"]["labels"] == [["/m/2", "verification", 1.0]]
    boxes, labels = ann / "train-annotations-bbox.csv", ann / "train-annotations-human-imagelabels.csv"
    for where in (f"{boxes}:3", f"{boxes}:4", f"{boxes}:6", f"{labels}:3"):  # a blank line counts
        assert any(p.startswith(f"{where}: ") and "row skipped" in p for p in result.problems), where
    assert sum(result.skipped.values()) == 4


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux's /proc/self/mem")
def test_csvs_that_cannot_be_read_are_reported_and_the_others_read(tmp_path: Path) -> None:
    """A CSV the system will not read (no permission, an I/O error: here /proc/self/mem, a regular file
    whose read fails with EIO even for root) raised OSError out of the reader: the whole import lost."""
    (tmp_path / "annotations").mkdir()
    (tmp_path / "images" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "train" / "x.jpg")
    names = tmp_path / "annotations" / "oidv7-class-descriptions.csv"
    names.symlink_to("/proc/self/mem")
    bad = tmp_path / "annotations" / "validation-annotations-bbox.csv"
    bad.symlink_to("/proc/self/mem")
    (tmp_path / "annotations" / "train-annotations-bbox.csv").write_text(
        "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax\nx,xclick,/m/cat,1,0.1,0.5,0.2,0.6\n"
    )
    result = read_openimages(tmp_path)
    assert f"{names}: cannot be read (Input/output error); its class names are not read" in result.problems
    assert f"{bad}: cannot be read (Input/output error); the rest of the file skipped" in result.problems
    assert result.skipped["files"] == 1
    (ann,) = result.project.annotations.values()
    assert np.allclose(ann.bbox, [2, 2, 8, 4])

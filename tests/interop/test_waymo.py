"""Waymo Open Dataset v2: parquet components built in the test from the published schema (column names of
waymo_open_dataset.v2: ``key.*`` and ``[Component].*``), as the data itself may not be redistributed."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import project_from_dict
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.interop.formats import detect_format
from pixelproof.interop.waymo import read_waymo

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SEGMENT = "10023947602400723454_1120_000_1140_000"
TS = 1507678826876435


def _jpeg(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (90, 90, 90)).save(buf, format="JPEG")
    return buf.getvalue()


def _png16(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr.astype(np.uint16)).save(buf, format="PNG")
    return buf.getvalue()


def _keys(n: int, cameras: list[int]) -> dict:
    return {
        "key.segment_context_name": pa.array([SEGMENT] * n, pa.string()),
        "key.frame_timestamp_micros": pa.array([TS] * n, pa.int64()),
        "key.camera_name": pa.array(cameras, pa.int8()),
    }


def _dataset(root: Path, with_images: bool = True) -> np.ndarray:
    """FRONT (64x48) and SIDE_LEFT (64x30) frames: two boxes, and a panoptic label for FRONT."""
    if with_images:
        (root / "camera_image").mkdir(parents=True)
        jpegs = pa.array([_jpeg(64, 48), _jpeg(64, 30)], pa.binary())
        table = pa.table({**_keys(2, [1, 4]), "[CameraImageComponent].image": jpegs})
        pq.write_table(table, root / "camera_image" / f"{SEGMENT}.parquet")
    (root / "camera_box").mkdir(parents=True)
    box = "[CameraBoxComponent]"
    table = pa.table({
        **_keys(3, [1, 1, 4]),
        "key.camera_object_id": pa.array(["a", "b", "c"], pa.string()),
        f"{box}.box.center.x": pa.array([20.0, 40.0, 10.0], pa.float64()),
        f"{box}.box.center.y": pa.array([10.0, 30.0, float("nan")], pa.float64()),
        f"{box}.box.size.x": pa.array([10.0, 8.0, 4.0], pa.float64()),
        f"{box}.box.size.y": pa.array([6.0, 12.0, 4.0], pa.float64()),
        f"{box}.type": pa.array([1, 2, 1], pa.int8()),
        f"{box}.difficulty_level.detection": pa.array([1, 2, 1], pa.int8()),
        f"{box}.difficulty_level.tracking": pa.array([1, 1, 1], pa.int8()),
    })  # fmt: skip
    pq.write_table(table, root / "camera_box" / f"{SEGMENT}.parquet")
    (root / "camera_segmentation").mkdir(parents=True)
    panoptic = np.full((48, 64), 20 * 1000, np.int64)  # road, no instance
    panoptic[5:15, 10:30] = 2 * 1000 + 1  # car 1
    panoptic[20:40, 35:45] = 9 * 1000 + 3  # pedestrian 3
    panoptic[45:, :] = 0  # undefined: void
    seg = "[CameraSegmentationLabelComponent]"
    ids = f"{seg}.instance_id_to_global_id_mapping"
    table = pa.table({
        **_keys(1, [1]),
        f"{seg}.panoptic_label_divisor": pa.array([1000], pa.int32()),
        f"{seg}.panoptic_label": pa.array([_png16(panoptic)], pa.binary()),
        f"{ids}.local_instance_ids": pa.array([[1, 3]], pa.list_(pa.int32())),
        f"{ids}.global_instance_ids": pa.array([[11, 13]], pa.list_(pa.int32())),
        f"{ids}.is_tracked": pa.array([[True, False]], pa.list_(pa.bool_())),
        f"{seg}.sequence_id": pa.array(["15692902915025018598"], pa.string()),
        f"{seg}.num_cameras_covered": pa.array([b"\x00"], pa.binary()),
    })  # fmt: skip
    pq.write_table(table, root / "camera_segmentation" / f"{SEGMENT}.parquet")
    return panoptic


def test_components_read_boxes_panoptic_and_extracted_images(tmp_path: Path) -> None:
    panoptic = _dataset(tmp_path / "wod")
    assert detect_format(tmp_path / "wod").name == "waymo"
    result = read_waymo(tmp_path / "wod", image_dir=tmp_path / "jpg")
    box_file = tmp_path / "wod" / "camera_box" / f"{SEGMENT}.parquet"
    assert result.problems == [f"{box_file}: row 2: box center/size must be finite, sizes >= 0; skipped"]
    project = result.project
    names = sorted(im.file_name for im in project.images.values())
    assert names == [f"../jpg/{SEGMENT}/{TS}_FRONT.jpg", f"../jpg/{SEGMENT}/{TS}_SIDE_LEFT.jpg"]
    for im in project.images.values():
        assert project.image_path(im).is_file()  # the JPEG bytes were written under the documented name
    front = next(im for im in project.images.values() if im.file_name.endswith("FRONT.jpg"))
    assert (front.width, front.height) == (64, 48)
    assert front.extra["pixelproof"]["waymo"] == {"segment": SEGMENT, "timestamp": TS, "camera": "FRONT"}
    anns = project.annotations_of(front.id)
    boxes = [a for a in anns if a.kind == "box"]
    assert [(project.categories[a.category_id].name, a.bbox) for a in boxes] == [
        ("vehicle", [15.0, 7.0, 10.0, 6.0]),
        ("pedestrian", [36.0, 24.0, 8.0, 12.0]),
    ]
    assert boxes[0].app_extra["waymo"] == {"object_id": "a", "difficulty": {"detection": 1, "tracking": 1}}
    masks = {project.categories[a.category_id].name: a for a in anns if a.kind == "mask"}
    assert sorted(masks) == ["car", "pedestrian", "road", "undefined"]
    assert np.array_equal(masks["car"].mask(48, 64), panoptic == 2001)
    assert masks["car"].app_extra["waymo"] == {"instance": 1}
    assert project.categories[masks["undefined"].category_id].void
    assert project.object_count(front.id) == 5  # 2 boxes + car, pedestrian, road


def test_without_camera_images_the_published_sizes_are_used(tmp_path: Path) -> None:
    _dataset(tmp_path / "wod", with_images=False)
    result = read_waymo(tmp_path / "wod")
    side = next(im for im in result.project.images.values() if "SIDE_LEFT" in im.file_name)
    assert (side.width, side.height) == (1920, 886)
    assert any("sizes are the cameras' published ones" in p for p in result.problems)


def test_missing_pyarrow_is_a_clear_message(tmp_path: Path, monkeypatch, capsys) -> None:
    _dataset(tmp_path / "wod")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert (
        main(["convert", str(tmp_path / "wod"), str(tmp_path / "p.json"), "--from", "waymo", "--to", "coco"])
        == 1
    )
    err = capsys.readouterr().err
    assert "reading Waymo v2 parquet needs pyarrow: pip install 'pixelproof[waymo]'" in err


def test_waymo_is_read_only(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["convert", str(tmp_path), str(tmp_path / "o"), "--from", "coco", "--to", "waymo"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_named_parquet_is_reported_not_waited_on(tmp_path: Path) -> None:
    """pyarrow opened a FIFO named ``*.parquet`` and blocked the import until something wrote to it."""
    _dataset(tmp_path / "wod")
    fifo = tmp_path / "wod" / "camera_box" / "zz.parquet"
    os.mkfifo(fifo)
    done: list = []
    reader = threading.Thread(target=lambda: done.append(read_waymo(tmp_path / "wod")), daemon=True)
    reader.start()
    reader.join(20)
    if reader.is_alive():  # release the blocked open so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
    assert done, "read_waymo blocked on the FIFO"
    (result,) = done
    assert f"{fifo}: is a FIFO (named pipe), not a file to read; skipped" in result.problems
    assert result.skipped["files"] == 1
    assert len(result.project.annotations) == 6  # the real files are read


def _boxes(root: Path, **columns: pa.Array) -> Path:
    """One FRONT box row (center 20, 10, size 10 x 6, type vehicle) with ``columns`` replaced."""
    box = "[CameraBoxComponent]"
    cells = {
        f"{box}.box.center.x": pa.array([20.0]),
        f"{box}.box.center.y": pa.array([10.0]),
        f"{box}.box.size.x": pa.array([10.0]),
        f"{box}.box.size.y": pa.array([6.0]),
        f"{box}.type": pa.array([1], pa.int8()),
        **{f"{box}.{k.replace('__', '.')}": v for k, v in columns.items()},
    }
    (root / "camera_box").mkdir(parents=True)
    pq.write_table(pa.table({**_keys(1, [1]), **cells}), root / "camera_box" / f"{SEGMENT}.parquet")
    return root / "camera_box" / f"{SEGMENT}.parquet"


def test_box_type_and_difficulty_that_are_no_integers_are_reported(tmp_path: Path) -> None:
    """int() of an infinite type or of a text or list difficulty escaped (OverflowError, ValueError ...)."""
    f = _boxes(tmp_path / "inf", type=pa.array([float("inf")]))
    result = read_waymo(tmp_path / "inf")
    assert f"{f}: row 0: box center/size/type missing or not numbers; skipped" in result.problems
    assert not result.project.annotations and result.skipped["boxes"] == 1
    f = _boxes(
        tmp_path / "odd",
        difficulty_level__detection=pa.array(["hard"]),
        difficulty_level__tracking=pa.array([[1, 2]]),
    )
    result = read_waymo(tmp_path / "odd")
    assert f"{f}: row 0: difficulty_level.detection 'hard' is not an integer; not kept" in result.problems
    assert f"{f}: row 0: difficulty_level.tracking [1, 2] is not an integer; not kept" in result.problems
    (ann,) = result.project.annotations.values()  # the box itself is kept
    assert ann.bbox == [15.0, 7.0, 10.0, 6.0] and ann.app_extra["waymo"] == {}


def test_a_box_far_outside_its_image_is_skipped_alone(tmp_path: Path) -> None:
    """A center 1e6 px off a 64 x 48 image: Builder's LimitError ended the whole import."""
    f = _boxes(tmp_path / "wod", box__center__x=pa.array([1e6]))
    (tmp_path / "wod" / "camera_image").mkdir()
    table = pa.table(
        {**_keys(1, [1]), "[CameraImageComponent].image": pa.array([_jpeg(64, 48)], pa.binary())}
    )
    pq.write_table(table, tmp_path / "wod" / "camera_image" / f"{SEGMENT}.parquet")
    result = read_waymo(tmp_path / "wod")
    assert result.problems[0].startswith(f"{f}: row 0: x = 999995.0 is too far outside the image (64 x 48)")
    assert result.problems[0].endswith("; skipped") and result.skipped["boxes"] == 1
    assert len(result.project.images) == 1 and not result.project.annotations


def test_an_object_id_that_is_no_text_is_not_kept(tmp_path: Path) -> None:
    """A binary camera_object_id went into the extras as bytes: the project could not be saved."""
    (tmp_path / "wod").mkdir()
    f = _boxes(tmp_path / "wod")
    table = pq.read_table(f).append_column("key.camera_object_id", pa.array([b"\x00\xff"], pa.binary()))
    pq.write_table(table, f)
    result = read_waymo(tmp_path / "wod")
    assert f"{f}: row 0: camera_object_id b'\\x00\\xff' is not text; not kept" in result.problems
    (ann,) = result.project.annotations.values()
    assert ann.app_extra["waymo"] == {}
    project_from_dict(json.loads(json.dumps(project_to_dict(result.project), allow_nan=False)))


def test_extracting_jpegs_reports_what_it_cannot_write(tmp_path: Path) -> None:
    """A NUL in segment_context_name (ValueError: embedded null byte) or a file where the segment's
    folder goes (FileExistsError) ended the import; a link already at a JPEG's place was written through."""
    (tmp_path / "wod" / "camera_image").mkdir(parents=True)
    segments = ["a\0b", "taken", SEGMENT]
    table = pa.table({
        "key.segment_context_name": pa.array(segments, pa.string()),
        "key.frame_timestamp_micros": pa.array([TS] * 3, pa.int64()),
        "key.camera_name": pa.array([1] * 3, pa.int8()),
        "[CameraImageComponent].image": pa.array([_jpeg(64, 48)] * 3, pa.binary()),
    })  # fmt: skip
    f = tmp_path / "wod" / "camera_image" / f"{SEGMENT}.parquet"
    pq.write_table(table, f)
    out = tmp_path / "jpegs"
    out.mkdir()
    (out / "taken").write_text("a file where the segment's folder goes")
    outside = tmp_path / "outside.txt"
    outside.write_text("not to be overwritten")
    (out / SEGMENT).mkdir()
    (out / SEGMENT / f"{TS}_FRONT.jpg").symlink_to(outside)
    result = read_waymo(tmp_path / "wod", image_dir=out)
    assert f"{f}: row 0: segment_context_name 'a\\x00b' is not a plain name; skipped" in result.problems
    taken = out / "taken" / f"{TS}_FRONT.jpg"
    assert f"{f}: row 1: cannot write {taken} (File exists); its JPEG is not extracted" in result.problems
    assert outside.read_text() == "not to be overwritten"
    written = out / SEGMENT / f"{TS}_FRONT.jpg"
    assert not written.is_symlink() and written.read_bytes()[:2] == b"\xff\xd8"
    assert len(result.project.images) == 2


def test_a_panoptic_label_with_ids_scattered_over_the_picture_skips_that_row_alone(tmp_path: Path) -> None:
    """IdRegions refuses a map whose ids lie scattered over the whole picture (LimitError); KITTI and
    Cityscapes report that file and go on, but the Waymo reader let it out: the whole import was lost,
    and the message named an image path, not the parquet file and row."""
    panoptic = _dataset(tmp_path / "wod")
    scattered = np.zeros((300, 300), np.uint16)  # 60000 ids, each at two far-apart pixels
    scattered.reshape(-1)[:60000] = np.arange(1, 60001)
    scattered.reshape(-1)[-60000:] = np.arange(60000, 0, -1)
    f = tmp_path / "wod" / "camera_segmentation" / f"{SEGMENT}.parquet"
    seg = "[CameraSegmentationLabelComponent]"
    table = pa.table({
        **_keys(2, [2, 1]),  # FRONT_LEFT: a frame of its own (no camera image); FRONT: the good label
        f"{seg}.panoptic_label_divisor": pa.array([1000, 1000], pa.int32()),
        f"{seg}.panoptic_label": pa.array([_png16(scattered), _png16(panoptic)], pa.binary()),
    })  # fmt: skip
    pq.write_table(table, f)
    result = read_waymo(tmp_path / "wod")
    assert any(p.startswith(f"{f}: row 0: 60,000 values whose boxes cover") for p in result.problems)
    assert result.skipped["rows"] == 1
    cameras = sorted(im.extra["pixelproof"]["waymo"]["camera"] for im in result.project.images.values())
    assert cameras == ["FRONT", "SIDE_LEFT"]  # no FRONT_LEFT image without its objects
    front = next(im for im in result.project.images.values() if im.file_name.endswith("_FRONT.jpg"))
    names = {result.project.categories[a.category_id].name for a in result.project.annotations_of(front.id)}
    assert {"car", "pedestrian", "road"} <= names  # the next row is read


def test_extracted_jpegs_never_go_through_a_linked_segment_folder(tmp_path: Path) -> None:
    """--image-dir inside the dataset (its images/ folder, where file names point anyway) whose segment
    folder is a symbolic link the dataset planted: the JPEG was written wherever the link pointed."""
    (tmp_path / "wod" / "camera_image").mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp_path / "wod" / "images").mkdir()
    (tmp_path / "wod" / "images" / SEGMENT).symlink_to(victim)
    table = pa.table(
        {**_keys(1, [1]), "[CameraImageComponent].image": pa.array([_jpeg(64, 48)], pa.binary())}
    )
    f = tmp_path / "wod" / "camera_image" / f"{SEGMENT}.parquet"
    pq.write_table(table, f)
    result = read_waymo(tmp_path / "wod", image_dir=tmp_path / "wod" / "images")
    assert not any(victim.iterdir())
    dst = tmp_path / "wod" / "images" / SEGMENT / f"{TS}_FRONT.jpg"
    out = tmp_path / "wod" / "images"
    message = f"{f}: row 0: cannot write {dst} (a link leads out of {out}); its JPEG is not extracted"
    assert message in result.problems
    assert len(result.project.images) == 1  # the frame itself is read

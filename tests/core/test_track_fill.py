"""Fill Between Frames (core.track_fill): CVAT's linear interpolation of a track's boxes and polygons (those
of other vertex counts resampled as CVAT does) between its key frames, by frame number; frames holding a
drawn object of the track kept, one edit that one revert takes back; a second fill replaces only the filled
objects nobody edited since, an edited one is a key; the CVAT for video export writes the untouched filled
shapes with keyframe="0"."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.clipboard import track_of
from pixelproof.core.coco import new_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.track_fill import (
    BETWEEN,
    OTHER_COUNT,
    SOURCE,
    fill_between_frames,
    sequence_frames,
    untouched_fill,
)
from pixelproof.interop.cvat import read_cvat, write_cvat


def video(frames: list[int], folder: str = "clip") -> Project:
    """Frames ``clip/frame_000NNN.png`` (image id = frame + 1, added out of order) and another folder's
    frame 5 (id 99); class car (1)."""
    p = new_project(["car"])
    for f in reversed(frames):
        p.add_image(ImageRecord(f + 1, f"{folder}/frame_{f:06d}.png", 100, 80))
    p.add_image(ImageRecord(99, "other/frame_000005.png", 100, 80))
    return p


def add(p: Project, frame: int, bbox: list[float], track: int = 3, **kw: object) -> int:
    ann_id = max(p.annotations, default=0) + 1
    p.add_annotation(Annotation(ann_id, frame + 1, 1, bbox, extra={"track_id": track}, **kw))
    return ann_id


def on(p: Project, frame: int) -> list[Annotation]:
    return p.annotations_of(frame + 1)


def test_boxes_between_two_keys_are_cvats_linear_xyxy_by_frame_number() -> None:
    p = video([0, 10, 20, 30, 40])  # every 10th frame, as CVAT's frame_filter step=10 exports
    add(p, 0, [0.0, 0.0, 10.0, 20.0])  # xyxy 0,0,10,20
    add(p, 30, [30.0, 6.0, 40.0, 20.0])  # xyxy 30,6,70,26
    add(p, 10, [50.0, 50.0, 5.0, 5.0], track=4)  # another track: no key of track 3
    assert [f for f, _ in sequence_frames(p, 1)] == [0, 10, 20, 30, 40]
    done = fill_between_frames(p, 1, 3)
    assert done.filled == 2 and done.keys == 2 and done.edit is not None
    assert done.edit.label == "Fill Between Frames (2 frames of track 3)"
    done.edit.apply(p)
    (a10,) = [a for a in on(p, 10) if a.extra["track_id"] == 3]
    (a20,) = on(p, 20)
    # xtl, ytl, xbr, ybr: 0 + 30/3, 0 + 6/3, 10 + 60/3, 20 + 6/3 -> x 10, y 2, w 20, h 20
    assert a10.bbox == pytest.approx([10.0, 2.0, 20.0, 20.0])
    assert a20.bbox == pytest.approx([20.0, 4.0, 30.0, 20.0])
    assert a10.area == pytest.approx(400.0) and a10.kind == "box"
    assert a10.source == SOURCE and a10.app_extra[BETWEEN] == [0, 30] and untouched_fill(a10)
    assert on(p, 40) == [] and p.annotations_of(99) == []  # after the last key; another folder
    done.edit.revert(p)
    assert on(p, 20) == [] and len(p.annotations) == 3


def test_a_drawn_object_of_the_track_is_a_key_and_is_never_overwritten() -> None:
    p = video(list(range(5)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    drawn = add(p, 2, [50.0, 50.0, 10.0, 10.0])  # drawn off the line: a key, kept
    add(p, 4, [40.0, 0.0, 10.0, 10.0])
    done = fill_between_frames(p, 3, 3)
    assert done.keys == 3 and done.filled == 2
    done.edit.apply(p)  # type: ignore[union-attr]
    assert [a.id for a in on(p, 2)] == [drawn] and p.annotations[drawn].bbox == [50.0, 50.0, 10.0, 10.0]
    assert on(p, 1)[0].bbox == pytest.approx([25.0, 25.0, 10.0, 10.0])  # between frame 0 and the key at 2
    assert on(p, 3)[0].bbox == pytest.approx([45.0, 25.0, 10.0, 10.0])


def test_filling_again_replaces_untouched_fills_and_an_edited_fill_becomes_a_key() -> None:
    p = video(list(range(5)))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    last = add(p, 4, [40.0, 0.0, 10.0, 10.0])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    again = fill_between_frames(p, 1, 3)  # nothing changed: nothing to do
    assert again.edit is None and again.unchanged == 3
    edited = clone(on(p, 2)[0])
    edited.bbox = [20.0, 40.0, 10.0, 10.0]  # a person moved the middle one: a key now
    ReplaceAnnotations([edited]).apply(p)
    assert not untouched_fill(p.annotations[edited.id])
    moved = clone(p.annotations[last])
    moved.bbox = [40.0, 40.0, 10.0, 10.0]  # and the last key moved down
    ReplaceAnnotations([moved]).apply(p)
    before = {i: clone(a) for i, a in p.annotations.items()}
    done = fill_between_frames(p, 1, 3)
    assert done.keys == 3 and done.filled == 2 and done.replaced == 2
    assert done.edit.label == "Fill Between Frames (2 frames of track 3, 2 filled again)"  # type: ignore[union-attr]
    done.edit.apply(p)  # type: ignore[union-attr]
    assert [a.bbox for a in on(p, 2)] == [[20.0, 40.0, 10.0, 10.0]]  # the edited one kept
    assert on(p, 1)[0].bbox == pytest.approx([10.0, 20.0, 10.0, 10.0])  # between frame 0 and the edit
    assert on(p, 3)[0].bbox == pytest.approx([30.0, 40.0, 10.0, 10.0])  # between the edit and frame 4
    done.edit.revert(p)  # type: ignore[union-attr]  # one undo: the earlier fills back
    assert {i: (a.bbox, a.source) for i, a in p.annotations.items()} == {
        i: (a.bbox, a.source) for i, a in before.items()
    }


def test_polygons_of_the_same_vertex_count_are_mixed_vertex_by_vertex_others_resampled_as_cvat() -> None:
    p = video(list(range(5)))
    square = [[0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]]
    moved = [[20.0, 0.0, 40.0, 0.0, 40.0, 20.0, 20.0, 20.0]]
    p.add_annotation(Annotation(1, 1, 1, [0.0, 0.0, 10.0, 10.0], square, 100.0, extra={"track_id": 3}))
    p.add_annotation(Annotation(2, 3, 1, [20.0, 0.0, 20.0, 20.0], moved, 400.0, extra={"track_id": 3}))
    triangle = [[0.0, 0.0, 30.0, 0.0, 30.0, 30.0]]
    p.add_annotation(Annotation(3, 5, 1, [0.0, 0.0, 30.0, 30.0], triangle, 450.0, extra={"track_id": 3}))
    done = fill_between_frames(p, 1, 3)
    assert done.filled == 2 and done.skipped == {}  # square -> triangle: once passed over, now resampled
    done.edit.apply(p)  # type: ignore[union-attr]
    (mid,) = on(p, 1)
    assert mid.segmentation == [pytest.approx([10.0, 0.0, 25.0, 0.0, 25.0, 15.0, 10.0, 15.0])]
    assert mid.bbox == pytest.approx([10.0, 0.0, 15.0, 15.0]) and mid.kind == "polygon"
    (resampled,) = on(p, 3)  # CVAT's polyshape_interpolation gives these (its own function, run on them)
    assert resampled.segmentation == [pytest.approx([10.0, 0.0, 35.0, 0.0, 35.0, 25.0, 25.0, 25.0])]
    assert resampled.bbox == pytest.approx([10.0, 0.0, 25.0, 25.0]) and untouched_fill(resampled)


def _area_centroid(ring: list[float]) -> tuple[float, float, float]:
    """A ring's area and centroid (the shoelace formula)."""
    pts = np.asarray(ring).reshape(-1, 2)
    nxt = np.roll(pts, -1, axis=0)
    cross = pts[:, 0] * nxt[:, 1] - nxt[:, 0] * pts[:, 1]
    area = cross.sum() / 2
    cx, cy = ((pts + nxt) * cross[:, None]).sum(axis=0) / (6 * area)
    return float(area), float(cx), float(cy)


def test_a_square_and_a_pentagon_key_give_cvats_resampled_polygon_between_them() -> None:
    p = video([0, 1, 2])
    square = [10.0, 10.0, 30.0, 10.0, 30.0, 30.0, 10.0, 30.0]
    pentagon = [40.0, 10.0, 60.0, 10.0, 66.0, 26.0, 50.0, 38.0, 34.0, 26.0]
    add(p, 0, [10.0, 10.0, 20.0, 20.0], segmentation=[square])
    add(p, 2, [34.0, 10.0, 32.0, 28.0], segmentation=[pentagon])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    ((mid,),) = [a.segmentation for a in on(p, 1)]
    # CVAT's result for these keys at offset 0.5: its polyshape_interpolation (cvat/apps/dataset_manager/
    # annotation.py) run on them outside this repository; core.polygon_interp follows it point for point
    assert mid == pytest.approx([25.0, 10.0, 45.0, 10.0, 48.0, 28.0, 40.0, 34.0, 22.0, 28.0])
    (a0, x0, y0), (a1, x1, y1), (am, xm, ym) = map(_area_centroid, (square, pentagon, mid))
    assert a0 < am < a1 and x0 < xm < x1 and y0 < ym < y1  # 400 < 492 < 608, centroid (20, 20) -> (50, 22.2)


def test_keys_of_one_vertex_count_laid_otherwise_give_cvats_resampled_polygon() -> None:
    """CVAT resamples every polygon pair, of one vertex count too: a CVAT import's fills between such keys
    come out as CVAT's (vertex by vertex gave ``[25, 10, 40, 10, 45, 15, 45, 30, 25, 30]``)."""
    p = video([0, 1, 2])
    top_mid = [10.0, 10.0, 20.0, 10.0, 30.0, 10.0, 30.0, 30.0, 10.0, 30.0]  # a fifth vertex mid-top
    right_mid = [40.0, 10.0, 60.0, 10.0, 60.0, 20.0, 60.0, 30.0, 40.0, 30.0]  # ... and mid-right
    add(p, 0, [10.0, 10.0, 20.0, 20.0], segmentation=[top_mid])
    add(p, 2, [40.0, 10.0, 20.0, 20.0], segmentation=[right_mid])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    ((mid,),) = [a.segmentation for a in on(p, 1)]
    # CVAT's polyshape_interpolation on these keys at offset 0.5, run outside this repository
    assert mid == pytest.approx([25.0, 10.0, 30.0, 10.0, 45.0, 10.0, 45.0, 15.0, 45.0, 30.0, 25.0, 30.0])


def test_keys_of_other_part_counts_are_passed_over() -> None:
    p = video(list(range(3)))
    square = [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]
    add(p, 0, [0.0, 0.0, 10.0, 10.0], segmentation=[square])
    add(p, 2, [0.0, 0.0, 40.0, 10.0], segmentation=[square, [30.0, 0.0, 40.0, 0.0, 40.0, 10.0]])
    done = fill_between_frames(p, 1, 3)
    assert done.edit is None and done.skipped == {OTHER_COUNT: 1}


def test_a_gap_that_can_no_longer_be_filled_keeps_the_earlier_fills() -> None:
    """A key given a second part (other part counts): the frames between are passed over, not emptied."""
    p = video(list(range(4)))
    square = [[0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]]
    moved = [[30.0, 0.0, 40.0, 0.0, 40.0, 10.0, 30.0, 10.0]]
    p.add_annotation(Annotation(1, 1, 1, [0.0, 0.0, 10.0, 10.0], square, 100.0, extra={"track_id": 3}))
    p.add_annotation(Annotation(2, 4, 1, [30.0, 0.0, 10.0, 10.0], moved, 100.0, extra={"track_id": 3}))
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    filled = {f: clone(on(p, f)[0]) for f in (1, 2)}
    key = clone(p.annotations[2])
    key.segmentation = [*moved, [50.0, 0.0, 60.0, 0.0, 60.0, 10.0]]  # a second part
    ReplaceAnnotations([key]).apply(p)
    done = fill_between_frames(p, 1, 3)
    assert done.edit is None and done.skipped == {OTHER_COUNT: 2} and done.removed == ()
    assert {f: [a.segmentation for a in on(p, f)] for f in (1, 2)} == {
        f: [a.segmentation] for f, a in filled.items()
    }


def test_a_key_edited_to_another_vertex_count_refills_the_gap_resampled() -> None:
    """Before, a fifth vertex left the earlier fills as they were (passed over); now they are recomputed."""
    p = video(list(range(3)))
    square = [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]
    add(p, 0, [0.0, 0.0, 10.0, 10.0], segmentation=[square])
    key = add(p, 2, [0.0, 0.0, 10.0, 10.0], segmentation=[square])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    edited = clone(p.annotations[key])
    edited.segmentation = [[4.0, 0.0, 14.0, 0.0, 14.0, 10.0, 9.0, 14.0, 4.0, 10.0]]  # a fifth vertex, moved
    ReplaceAnnotations([edited]).apply(p)
    done = fill_between_frames(p, 1, 3)
    assert done.replaced == 1 and done.filled == 1 and done.skipped == {}
    done.edit.apply(p)  # type: ignore[union-attr]
    assert [a.segmentation for a in on(p, 1)] == [
        [pytest.approx([2.0, 0.0, 12.0, 0.0, 12.0, 10.0, 9.5, 12.0, 2.0, 10.0])]
    ]


def test_cvat_video_export_writes_untouched_fills_as_no_keyframe(tmp_path: Path) -> None:
    p = Project(path=tmp_path / "project.json")
    p.categories.update(new_project(["car"]).categories)
    for f in range(4):
        Image.new("RGB", (100, 80)).save(tmp_path / f"frame_{f:06d}.png")
        p.add_image(ImageRecord(f + 1, f"frame_{f:06d}.png", 100, 80))
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 3, [30.0, 0.0, 10.0, 10.0])
    fill_between_frames(p, 1, 3).edit.apply(p)  # type: ignore[union-attr]
    edited = clone(on(p, 2)[0])
    edited.bbox = [25.0, 5.0, 10.0, 10.0]  # edited: a key again
    ReplaceAnnotations([edited]).apply(p)
    write_cvat(p, tmp_path / "out")
    doc = ET.parse(tmp_path / "out" / "annotations.xml").getroot()
    (track,) = doc.findall("track")
    assert [(s.get("frame"), s.get("keyframe"), s.get("xtl")) for s in track] == [
        ("0", "1", "0.00"),
        ("1", "0", "10.00"),
        ("2", "1", "25.00"),
        ("3", "1", "30.00"),
    ]
    back = read_cvat(tmp_path / "out").project  # read back: the same boxes on the same frames
    assert sorted((a.image_id, a.bbox[0], a.extra["track_id"]) for a in back.annotations.values()) == [
        (i, x, 3) for i, x in zip(sorted(back.images), [0.0, 10.0, 25.0, 30.0], strict=True)
    ]
    # and the same fill: the one keyframe="0" shape (test_cvat_keyframes has more)
    assert [untouched_fill(a) for a in sorted(back.annotations.values(), key=lambda a: a.image_id)] == [
        False, True, False, False
    ]  # fmt: skip


def test_more_frames_to_fill_than_the_limit_is_refused_naming_the_track_and_folder(monkeypatch) -> None:
    """A track drawn on the first and last frame of a long video is refused, saying how many frames and
    what to do, before any object is made (100,000 frames took ~25 s; a million would hang the window)."""
    from pixelproof.core import track_fill

    monkeypatch.setattr(track_fill, "MAX_FILLED", 3)
    p = video([0, 1, 2, 3, 4, 5, 6])
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 4, [40.0, 0.0, 10.0, 10.0])  # 3 frames between: filled
    assert fill_between_frames(p, 1, 3).filled == 3
    add(p, 6, [60.0, 0.0, 10.0, 10.0], track=3)
    add(p, 0, [0.0, 40.0, 10.0, 10.0], track=4)
    add(p, 6, [60.0, 40.0, 10.0, 10.0], track=4)  # 5 frames between
    before = {a.id: a.bbox for a in p.annotations.values()}
    with pytest.raises(track_fill.FillRefused) as refused:
        fill_between_frames(p, 1, 4)
    assert str(refused.value).startswith(
        "track 4 has 5 frames between its drawn ones in folder clip: Fill Between Frames fills at most 3 "
    )
    assert {a.id: a.bbox for a in p.annotations.values()} == before


def test_keys_on_every_other_frame_fill_each_gap() -> None:
    """Keys on every other frame (one pass over the frames, not every key pair over every frame)."""
    p = video(list(range(9)))
    for f in range(0, 9, 2):
        add(p, f, [float(f), 0.0, 10.0, 10.0])
    done = fill_between_frames(p, 1, 3)
    assert done.filled == 4 and done.keys == 5 and done.edit is not None
    done.edit.apply(p)
    assert [on(p, f)[0].bbox[0] for f in (1, 3, 5, 7)] == pytest.approx([1.0, 3.0, 5.0, 7.0])


@pytest.mark.parametrize("odd", [True, False, 1.0, [1], {"id": 1}])
def test_a_track_id_of_true_false_a_float_or_a_list_from_a_file_is_no_track(odd: object) -> None:
    """``"track_id": true`` in a project file is no track: ``true == 1`` had made its objects keys of track
    1, so filling track 1 passed over the frame holding both."""
    p = video([0, 1, 2, 3])
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=1)
    add(p, 3, [30.0, 0.0, 10.0, 10.0], track=1)
    add(p, 1, [50.0, 50.0, 10.0, 10.0], track=odd)  # type: ignore[arg-type]
    assert track_of(p.annotations[3]) is None
    done = fill_between_frames(p, 1, 1)
    assert (done.filled, done.keys) == (2, 2)


def test_a_long_track_id_from_a_file_is_cut_in_the_undo_step_label() -> None:
    p = video([0, 1, 2])
    long_id = "x" * 10_000 + "\nline"
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track=long_id)  # type: ignore[arg-type]
    add(p, 2, [20.0, 0.0, 10.0, 10.0], track=long_id)  # type: ignore[arg-type]
    done = fill_between_frames(p, 1, long_id)
    assert done.edit is not None and done.filled == 1
    assert len(done.edit.label) < 120 and "\n" not in done.edit.label
    assert done.edit.label.startswith("Fill Between Frames (1 frame of track xxx") and "…" in done.edit.label


def test_a_files_text_track_id_and_the_apps_number_are_one_track() -> None:
    """A COCO file's ``"track_id": "3"`` on one frame and the Track field's 3 on another are track 3 for
    Fill (New Track and the Track field already took them as one): the frames between were left empty."""
    p = video([0, 1, 2])
    add(p, 0, [0.0, 0.0, 10.0, 10.0], track="3")  # type: ignore[arg-type]
    add(p, 2, [20.0, 0.0, 10.0, 10.0])
    assert track_of(p.annotations[1]) == track_of(p.annotations[2]) == 3
    done = fill_between_frames(p, 1, 3)
    assert done.filled == 1 and done.edit is not None
    done.edit.apply(p)
    (a1,) = on(p, 1)
    assert a1.bbox == [10.0, 0.0, 10.0, 10.0] and track_of(a1) == 3


def test_a_moved_fill_says_edited_since_in_its_source_and_an_accepted_one_does_not() -> None:
    """Properties' Source read "interpolated: linear" for a filled box dragged since (a key frame now)."""
    from pixelproof.core.track_fill import fill_edited
    from pixelproof.interop.provenance import FILL_EDITED, source_text

    p = video([0, 1, 2])
    add(p, 0, [0.0, 0.0, 10.0, 10.0])
    add(p, 2, [20.0, 0.0, 10.0, 10.0])
    done = fill_between_frames(p, 1, 3)
    assert done.edit is not None
    done.edit.apply(p)
    (fill,) = on(p, 1)
    assert not fill_edited(fill) and source_text(fill, None) == "interpolated: linear"
    fill.review = "accepted"  # a key too, but its shape is the fill's
    assert not untouched_fill(fill) and source_text(fill, None) == "interpolated: linear"
    fill.bbox = [12.0, 0.0, 10.0, 10.0]
    assert fill_edited(fill) and source_text(fill, None) == f"interpolated: linear, {FILL_EDITED}"
    assert source_text(fill, None, edits=False) == "interpolated: linear"  # a long list: not worked out

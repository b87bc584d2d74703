"""A CVAT for video skeleton track's interpolated frames (``keyframe="0"`` on the skeleton between two of its
keyframes that are on the frame) come in as Tracks > Fill Between Frames' fills, as a box track's do
(test_cvat_keyframes.py): the export writes them, the skeleton and its point tracks, with ``keyframe="0"``
again, Fill Between Frames recomputes them and they follow an edited key. Before, they came in as ordinary
poses, which a moved key left where they were. A hand-made task (the layout of
test_cvat_skeleton_tracks.py's): a hand (tip, base) keyed on frames 0 and 4, CVAT's interpolation on 1-3
and on 5 (after the last keyframe)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.keypoints import with_keypoint
from pixelproof.core.model import Annotation, Project
from pixelproof.core.track_fill import BETWEEN, SOURCE, fill_between_frames, untouched_fill
from pixelproof.core.track_refill import refill_after
from pixelproof.interop.cvat import read_cvat, write_cvat
from tests.interop.test_cvat_skeleton_tracks import LABELS, _track

TIP = {0: (0.0, 0.0), 1: (1.0, 1.0), 2: (2.0, 2.0), 3: (3.0, 3.0), 4: (4.0, 4.0), 5: (4.0, 4.0)}
BASE = {f: (x + 10.0, 8.0) for f, (x, _y) in TIP.items()}
KEYS = (0, 4)


def _shape(tag: str, frame: int, points: str, key: bool) -> str:
    return (
        f'<{tag} frame="{frame}" keyframe="{int(key)}" outside="0" occluded="0" points="{points}" '
        f'z_order="0"></{tag}>'
    )


def _xy(p: tuple[float, float]) -> str:
    return f"{p[0]:.2f},{p[1]:.2f}"


def _task(folder: Path, tip_key: int | None = None) -> Path:
    """The hand's task in ``folder`` (frames 0-5 of 20 x 10); ``tip_key``: a frame where the tip's own
    track has a keyframe though the skeleton's shape there is ``keyframe="0"``."""
    (folder / "images").mkdir(parents=True)
    for f in range(6):
        Image.new("RGB", (20, 10)).save(folder / "images" / f"frame_{f:06d}.png")
    skeleton = "".join(_shape("skeleton", f, f"{_xy(TIP[f])};{_xy(BASE[f])}", f in KEYS) for f in TIP)
    parts = "".join(
        f'<track id="{k}" label="{name}" source="manual">'
        + "".join(_shape("points", f, _xy(at[f]), f in KEYS or (name, f) == ("tip", tip_key)) for f in at)
        + "</track>"
        for k, (name, at) in enumerate((("tip", TIP), ("base", BASE)))
    )
    (folder / "annotations.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task>'
        "<size>6</size><mode>interpolation</mode><start_frame>0</start_frame><stop_frame>5</stop_frame>"
        f"{LABELS}<original_size><width>20</width><height>10</height></original_size></task></meta>"
        f'<track id="7" label="hand" source="manual">{skeleton}{parts}</track></annotations>'
    )
    return folder / "annotations.xml"


def _poses(project: Project) -> dict[int, Annotation]:
    """The hand's pose by frame number."""
    return {int(Path(project.image(a.image_id).file_name).stem[6:]): a for a in project.annotations.values()}


def _flags(xml: Path) -> dict[tuple[str, str], str]:
    """(track label, frame) -> keyframe of the skeleton's and its points' shapes."""
    return {(label, frame): attrib["keyframe"] for label, frame, attrib in _track(xml)}


def test_a_skeleton_tracks_interpolated_frames_are_fills(tmp_path: Path) -> None:
    poses = _poses(read_cvat(_task(tmp_path / "in").parent).project)
    for f in (1, 2, 3):
        assert (
            untouched_fill(poses[f]) and poses[f].source == SOURCE and poses[f].app_extra[BETWEEN] == [0, 4]
        )
        assert poses[f].extra["keypoints"] == [f, f, 2, f + 10, 8, 2]
    assert not any(untouched_fill(poses[f]) for f in (0, 4, 5))  # the keys, and after the last keyframe


def test_a_point_track_keyed_where_the_skeleton_is_interpolated_is_no_fill(tmp_path: Path) -> None:
    """The tip's own keyframe on frame 2 is a key CVAT keeps: the pose there is no fill to recompute."""
    poses = _poses(read_cvat(_task(tmp_path / "in", tip_key=2).parent).project)
    assert [untouched_fill(poses[f]) for f in (1, 2, 3)] == [True, False, True]


def test_the_fills_go_back_with_keyframe_0_on_the_skeleton_and_its_point_tracks(tmp_path: Path) -> None:
    given = _task(tmp_path / "in")
    project = read_cvat(given.parent).project
    write_cvat(project, tmp_path / "out", images="copy")
    written = tmp_path / "out" / "annotations.xml"
    assert _track(written) == _track(given)  # every shape as read, its keyframe flag too
    flags = _flags(written)
    assert [flags[(label, str(f))] for label in ("hand", "tip", "base") for f in range(6)] == 3 * [
        "1", "0", "0", "0", "1", "0"
    ]  # fmt: skip
    assert all(untouched_fill(_poses(read_cvat(tmp_path / "out").project)[f]) for f in (1, 2, 3))


def test_moving_a_keys_point_refills_them_and_they_stay_interpolated(tmp_path: Path) -> None:
    """The tip of frame 4 dragged to (8, 0): the refill after the key's edit moves it on frames 1-3 (a
    quarter of the way each), which go back to CVAT as interpolated frames still; Fill Between Frames then
    finds nothing to change."""
    project = read_cvat(_task(tmp_path / "in").parent).project
    key = _poses(project)[4]
    edit = ReplaceAnnotations([with_keypoint(key, project.images[key.image_id], 0, 8.0, 0.0)])
    changes = edit.apply(project)
    refill = refill_after(project, edit, changes)
    assert refill.edit is not None and refill.filled == 3
    refill.edit.apply(project)
    poses = _poses(project)
    for f in (1, 2, 3):
        assert poses[f].extra["keypoints"][:3] == pytest.approx([2.0 * f, 0.0, 2]) and untouched_fill(
            poses[f]
        )
    assert fill_between_frames(project, key.image_id, 7).edit is None
    write_cvat(project, tmp_path / "out", images="copy")
    flags = _flags(tmp_path / "out" / "annotations.xml")
    assert [flags[("tip", str(f))] for f in range(5)] == ["1", "0", "0", "0", "1"]
    assert [flags[("hand", str(f))] for f in range(5)] == ["1", "0", "0", "0", "1"]


def test_a_point_moved_on_an_imported_fill_makes_it_and_the_skeleton_keyframes(tmp_path: Path) -> None:
    """The tip dragged on frame 2 (a fill): the pose is the user's, a key; the tip and the skeleton there go
    back as keyframes, the base (not moved, still CVAT's interpolation) with ``keyframe="0"`` as read."""
    project = read_cvat(_task(tmp_path / "in").parent).project
    fill = _poses(project)[2]
    ReplaceAnnotations([with_keypoint(fill, project.images[fill.image_id], 0, 5.0, 5.0)]).apply(project)
    assert not untouched_fill(_poses(project)[2])
    write_cvat(project, tmp_path / "out", images="copy")
    flags = _flags(tmp_path / "out" / "annotations.xml")
    assert [flags[(label, "2")] for label in ("hand", "tip", "base")] == ["1", "1", "0"]
    assert [flags[(label, "1")] for label in ("hand", "tip", "base")] == ["0", "0", "0"]


def test_fills_of_a_skeleton_with_one_point_track_are_kept_by_fill_between_frames(tmp_path: Path) -> None:
    """A task whose base track is missing: each pose is the tip alone, its box 0 x 0. Fill Between Frames
    finds CVAT's interpolated frames up to date (their never placed base, read 0 0 0, is the fill's 0.0 0.0
    0) and makes no edit; nor does the refill after a key's edit that leaves them where they are. Before,
    both replaced the 3 by themselves (Shift+T an undo step doing nothing); earlier still, the fill deleted
    them ("nothing left")."""
    xml = _task(tmp_path / "in")
    text = xml.read_text()
    xml.write_text(text[: text.index('<track id="1" label="base"')] + "</track></annotations>")
    project = read_cvat(xml.parent).project
    assert [untouched_fill(_poses(project)[f]) for f in range(6)] == [False, True, True, True, False, False]
    done = fill_between_frames(project, min(project.images), 7)
    assert done.edit is None and done.replaced == 0 and done.unchanged == 3
    poses = _poses(project)
    assert sorted(poses) == list(range(6))
    assert [poses[f].extra["keypoints"][:3] for f in (1, 2, 3)] == [
        [1.0, 1.0, 2],
        [2.0, 2.0, 2],
        [3.0, 3.0, 2],
    ]
    assert all(untouched_fill(poses[f]) for f in (1, 2, 3))
    key = clone(poses[4])  # the later key's class attribute set: its points stay, so do the fills
    key.app_extra["attributes"] = {"pose": "standing"}
    edit = ReplaceAnnotations([key])
    assert refill_after(project, edit, edit.apply(project)).edit is None


def test_a_point_track_with_two_shapes_on_one_frame_is_said(tmp_path: Path) -> None:
    """The tip's track given twice on frame 2 (files joined by hand): the last one is the pose's tip there,
    as before, and now said naming the track, the part and the frame (it was taken silently)."""
    xml = _task(tmp_path / "in")
    text = xml.read_text()
    extra = _shape("points", 2, "7.00,7.00", True)
    at = text.index('<track id="1" label="base"')
    xml.write_text(text[: at - len("</track>")] + extra + text[at - len("</track>") :])
    result = read_cvat(xml.parent)
    assert _poses(result.project)[2].extra["keypoints"][:2] == [7.0, 7.0]
    said = [m for m in result.problems if "frame 2" in m and "tip" in m]
    assert said == [f"{xml}: <track> 7 (hand): part 'tip' has 2 shapes on frame 2; the last one read"]

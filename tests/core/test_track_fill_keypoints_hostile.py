"""Fill Between Frames on posed tracks a hostile or unusual file gives (core.keypoint_fill): a pose whose box
is its points' extent and has no width or no height (one labelled point, points in a vertical line) is
filled, not dropped - CVAT's own interpolated poses there were deleted as "nothing left on the frame"; keys
with finite but huge coordinates never give the filled frames NaN or infinity (a project saved so holds
``null`` keypoints)."""

from __future__ import annotations

import math

import pytest

from pixelproof.core.keypoint_fill import point_between
from pixelproof.core.keypoints import BOX_OF_KEYPOINTS
from pixelproof.core.model import Project
from pixelproof.core.track_fill import fill_between_frames, untouched_fill
from tests.core.test_track_fill_keypoints import clip, filled, key

NAMES = ["nose", "left_eye", "right_eye", "tail"]
# nose and tail in a vertical line, the eyes not labelled: the extent box is 0 px wide
LINE0 = [10.0, 10.0, 2, 0, 0, 0, 0, 0, 0, 10.0, 30.0, 2]
LINE4 = [30.0, 10.0, 2, 0, 0, 0, 0, 0, 0, 30.0, 50.0, 2]


def _skeleton_track(k0: list[float], k4: list[float]) -> Project:
    p = clip()
    for frame, values in ((0, k0), (4, k4)):
        xs = [values[i] for i in range(0, 12, 3) if values[i + 2]]
        ys = [values[i + 1] for i in range(0, 12, 3) if values[i + 2]]
        key(p, frame, [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)], keypoints=list(values))
    for a in p.annotations.values():
        a.app_extra[BOX_OF_KEYPOINTS] = True
    return p


@pytest.mark.parametrize(
    ("k0", "k4"),
    [
        (LINE0, LINE4),  # a vertical line: no width
        ([10.0, 10.0, 2] + [0] * 9, [30.0, 20.0, 2] + [0] * 9),  # one labelled point: no width, no height
    ],
)
def test_a_pose_whose_extent_has_no_width_is_filled(k0: list[float], k4: list[float]) -> None:
    anns = filled(_skeleton_track(k0, k4))
    assert sorted(anns) == [0, 1, 2, 3, 4]
    assert anns[2].extra["keypoints"][:3] == [20.0, (k0[1] + k4[1]) / 2, 2] and untouched_fill(anns[2])
    assert anns[2].bbox[:2] == [20.0, (k0[1] + k4[1]) / 2]


def test_fills_already_there_are_not_deleted_for_a_box_of_no_width() -> None:
    """An earlier fill (CVAT's interpolated poses come in so) is recomputed, never removed."""
    p = _skeleton_track(LINE0, LINE4)
    filled(p)
    again = fill_between_frames(p, 1, 3)
    assert again.removed == () and again.edit is None and again.unchanged == 3
    assert len(p.annotations) == 5


def test_huge_coordinates_never_give_nan_or_infinity() -> None:
    assert point_between((1e308, 0.0, 2), (-1e308, 0.0, 2), 0.25)[0] == pytest.approx(0.5e308)
    p = clip()
    key(p, 0, [10.0, 10.0, 20.0, 20.0], keypoints=[1e308, 10.0, 2] * 4)
    key(p, 4, [30.0, 10.0, 20.0, 40.0], keypoints=[-1e308, 10.0, 2] * 4)
    for a in filled(p).values():
        assert all(math.isfinite(v) for v in a.extra["keypoints"]), a.extra["keypoints"]


def test_yolo_points_that_overflow_in_pixels_are_not_filled_as_nan() -> None:
    """A YOLO line's 1e308 is finite normalised and infinite in pixels: the filled frames get the box, not
    NaN keypoints."""
    p = clip()
    p.categories[1].extra.clear()
    a = {"kpt_shape": [1, 2], "keypoints": [1e308, 0.1], "box": [0.2, 0.25, 0.2, 0.25]}
    b = {"kpt_shape": [1, 2], "keypoints": [-1e308, 0.5], "box": [0.4, 0.25, 0.2, 0.25]}
    key(p, 0, [10.0, 10.0, 20.0, 20.0], yolo=a)
    key(p, 4, [30.0, 10.0, 20.0, 20.0], yolo=b)
    for f, ann in filled(p).items():
        held = ann.extra.get("yolo", {}).get("keypoints", [])
        assert all(math.isfinite(v) for v in held), (f, held)

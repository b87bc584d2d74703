"""A YOLO ``kpt_shape`` over ``MAX_KEYPOINTS`` (a hand-edited project file, an object's kept extras) is no
pose dataset's: ``dataset_kpt_shape`` passes it over, so a YOLO pose export never pads each object to 10**9
points (24 GB, a MemoryError or the machine swapping) and Paste never weighs it - one bound, data.yaml's
reader's, for every reader of a kept ``kpt_shape``."""

from __future__ import annotations

import pytest

from pixelproof.core.keypoints import POSE_KEY, dataset_kpt_shape, valid_kpt_shape
from pixelproof.core.limits import MAX_KEYPOINTS
from pixelproof.interop.yolo_writer import pose_of
from tests.core.test_paste_keypoints import _source


@pytest.mark.parametrize(
    "shape",
    [
        [MAX_KEYPOINTS + 1, 3],
        [10**9, 2],
        [0, 3],
        [-1, 3],
        [3, 4],
        ["3", 3],
        [True, 3],
        [[3], 3],
        [3],
        3,
        None,
    ],
)
def test_no_kpt_shape_past_the_limit_or_malformed_is_a_datasets(shape: object) -> None:
    assert not valid_kpt_shape(shape)
    p = _source()  # its YOLO person holds kpt_shape [3, 3]
    p.extra[POSE_KEY] = {"kpt_shape": shape}
    assert dataset_kpt_shape(p) == [3, 3] and pose_of(p) == {"kpt_shape": [3, 3]}
    for a in p.annotations.values():
        if "yolo" in a.extra:
            a.extra["yolo"]["kpt_shape"] = shape
    assert dataset_kpt_shape(p) is None


def test_the_limit_itself_is_one() -> None:
    assert valid_kpt_shape([MAX_KEYPOINTS, 3]) and valid_kpt_shape([1, 2])

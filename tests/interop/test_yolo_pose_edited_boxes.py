"""A pose dataset's keypoints follow their box when it was moved or resized in the project: the app cannot
show keypoints, and an export wrote them where the box had been, training data that no longer belongs to
the box. The affine map of the box read onto the box now, per axis; absent keypoints stay absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.interop.yolo import read_yolo, write_yolo
from tests.interop.test_yolo_ultralytics_yaml import _dataset

# images are 100 x 50; a.png: box at x 40..60, y 15..35 and box at x 20..30, y 10..20; b.png: one box
_MOVED = [0.45, 0.4, 2, 0.55, 0.6, 1, 0.0, 0.0, 0] + [0.5, 0.5, 2] * 14
_SCALED = [0.2, 0.25, 1, 0.3, 0.35, 2, 0.28, 0.32, 0] + [0.25, 0.3, 2] * 14
_KEPT = [0.55, 0.45, 2] * 17


def _line(box: str, points: list[float]) -> str:
    return f"0 {box} " + " ".join(f"{v:g}" for v in points)


def _rows(file: Path) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in file.read_text().splitlines() if line.strip()]


def _project(tmp_path: Path):
    root = _dataset(
        tmp_path / "pose",
        "coco8-pose.yaml",
        {
            "images/train/a.png": _line("0.5 0.5 0.2 0.4", _MOVED)
            + "\n"
            + _line("0.25 0.3 0.1 0.2", _SCALED),
            "images/val/b.png": _line("0.6 0.5 0.3 0.5", _KEPT) + "\n",
        },
    )
    result = read_yolo(root)
    assert result.problems == []
    project = result.project
    moved, scaled, kept = sorted(project.annotations.values(), key=lambda a: a.id)
    assert moved.bbox == pytest.approx([40, 15, 20, 20]) and scaled.bbox == pytest.approx([20, 10, 10, 10])
    return project, moved, scaled, kept


def test_keypoints_move_and_scale_with_their_edited_box_unchanged_ones_as_read(tmp_path: Path) -> None:
    project, moved, scaled, _ = _project(tmp_path)
    save_project(project, tmp_path / "pose" / "project.json")  # saved, opened and edited: box kept
    project = load_project(tmp_path / "pose" / "project.json")
    project.annotations[moved.id].set_geometry(None, [50.0, 15.0, 20.0, 20.0], 400.0)  # +10% of the width
    project.annotations[scaled.id].set_geometry(None, [20.0, 10.0, 20.0, 20.0], 400.0)  # 2x, corner kept
    warnings = write_yolo(project, tmp_path / "out")
    said = [w for w in warnings if "keypoints moved" in w]
    assert said == [
        "2 objects' keypoints moved with their edited boxes (moved or resized since the pose dataset was "
        "read: each keypoint mapped as the box was, visibility kept, absent ones absent)"
    ]
    first, second = _rows(tmp_path / "out" / "labels" / "train" / "a.txt")
    assert first[1:5] == pytest.approx([0.6, 0.5, 0.2, 0.4])
    # x + 0.1, y as it was; the absent one (0 0 0) stays absent
    want = [0.55, 0.4, 2, 0.65, 0.6, 1, 0, 0, 0] + [0.6, 0.5, 2] * 14
    assert first[5:] == pytest.approx(want, abs=5e-7)
    # the box read (cx .25 cy .3 w .1 h .2) onto (cx .3 cy .4 w .2 h .4): x' = .3 + (x - .25) * 2, likewise y
    assert second[1:5] == pytest.approx([0.3, 0.4, 0.2, 0.4])
    # a point set not labelled (v 0) keeps a position, mapped with the box like the others, so it comes
    # back beside its object when made visible again (0.28 0.32 -> .3 + .03 * 2, .4 + .02 * 2)
    want = [0.2, 0.3, 1, 0.4, 0.5, 2, 0.36, 0.44, 0] + [0.3, 0.4, 2] * 14
    assert second[5:] == pytest.approx(want, abs=5e-7)
    assert _rows(tmp_path / "out" / "labels" / "val" / "b.txt")[0][5:] == pytest.approx(_KEPT, abs=5e-7)


def test_nothing_edited_nothing_moved_and_a_project_saved_before_keeps_its_keypoints(tmp_path: Path) -> None:
    project, moved, _, _ = _project(tmp_path)
    assert not any("keypoints moved" in w for w in write_yolo(project, tmp_path / "same"))
    del moved.extra["yolo"]["box"]  # a project saved before the read box was kept: no box to map from
    moved.set_geometry(None, [50.0, 15.0, 20.0, 20.0], 400.0)
    assert not any("keypoints moved" in w for w in write_yolo(project, tmp_path / "out"))
    first = _rows(tmp_path / "out" / "labels" / "train" / "a.txt")[0]
    assert first[1] == pytest.approx(0.6) and first[5:] == pytest.approx(_MOVED, abs=5e-7)


def test_two_value_keypoints_at_0_0_stay_absent(tmp_path: Path) -> None:
    root = _dataset(
        tmp_path / "p2",
        None,
        {"images/train/a.png": "0 0.5 0.5 0.2 0.4 0.45 0.4 0 0\n"},
        yaml_text="train: images/train\nval: images/train\nkpt_shape: [2, 2]\nnames: [hand]\n",
    )
    project = read_yolo(root).project
    (a,) = project.annotations.values()
    a.set_geometry(None, [40.0, 20.0, 20.0, 20.0], 400.0)  # down by 10% of the height
    warnings = write_yolo(project, tmp_path / "out")
    assert "1 object's keypoints moved with its edited box (" in " ".join(warnings)
    assert (tmp_path / "out" / "labels" / "train" / "a.txt").read_text().splitlines() == [
        "0 0.500000 0.600000 0.200000 0.400000 0.450000 0.500000 0.000000 0.000000"
    ]


def test_a_saved_and_reopened_pose_project_writes_untouched_keypoints_as_read(tmp_path: Path) -> None:
    """The project file keeps a box to 1/1000 px: an untouched box of 40.84565 px is 40.846 after a save
    and reopen, which is no edit (the bound was 1e-6 normalised: its keypoints were moved and said moved)."""
    line = _line("0.523457 0.543691 0.230001 0.472003", _KEPT)
    root = _dataset(tmp_path / "pose", "coco8-pose.yaml", {"images/train/a.png": line + "\n"})
    path = tmp_path / "project.json"
    save_project(read_yolo(root).project, path)
    warnings = write_yolo(load_project(path), tmp_path / "out", task="pose")
    assert not any("moved with" in w for w in warnings)
    (row,) = _rows(tmp_path / "out" / "labels" / "train" / "a.txt")
    assert row[5:] == _KEPT

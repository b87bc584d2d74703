"""A pose dataset (Ultralytics' coco8-pose.yaml, tests/data/ultralytics) read and written again: its
data.yaml's kpt_shape and flip_idx and each object's keypoints after its box come back; the export wrote
the boxes only and dropped every keypoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pixelproof.core.model import Annotation
from pixelproof.interop.yolo import read_yolo, write_yolo
from tests.interop.test_yolo_ultralytics_yaml import _dataset

# two people on a.png (visible, occluded and absent keypoints; a 6-decimal value), one on b.png
_A = [
    "0 0.5 0.5 0.2 0.4 " + " ".join(["0.45 0.4 2"] * 8 + ["0.123457 0.654321 1"] * 8 + ["0 0 0"]),
    "0 0.25 0.3 0.1 0.2 " + " ".join(["0.2 0.25 1", "0.3 0.35 2"] * 8 + ["1 1 2"]),
]
_B = ["0 0.6 0.5 0.3 0.5 " + " ".join(["0.55 0.45 2"] * 17)]


def _rows(file: Path) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in file.read_text().splitlines() if line.strip()]


def _read_pose(tmp_path: Path):
    root = _dataset(
        tmp_path / "pose",
        "coco8-pose.yaml",
        {"images/train/a.png": "\n".join(_A) + "\n", "images/val/b.png": _B[0] + "\n"},
    )
    result = read_yolo(root)
    assert result.problems == []
    return root, result.project


def test_pose_dataset_read_and_written_gives_its_lines_and_data_yaml_keys_back(tmp_path: Path) -> None:
    root, project = _read_pose(tmp_path)
    out = tmp_path / "out"
    warnings = write_yolo(project, out)
    assert not any("keypoints" in w for w in warnings), warnings
    for split, name in (("train", "a.txt"), ("val", "b.txt")):
        before, after = _rows(root / "labels" / split / name), _rows(out / "labels" / split / name)
        assert [len(r) for r in after] == [56] * len(before)
        for b, a in zip(before, after, strict=True):
            assert a == pytest.approx(b, abs=5e-7)  # the writer's 6 decimals
    assert (out / "labels" / "train" / "a.txt").read_text().split("\n")[0].endswith(" 0.000000 0.000000 0")
    theirs = yaml.safe_load((root / "coco8-pose.yaml").read_text())
    ours = yaml.safe_load((out / "data.yaml").read_text())
    # the writer never writes path (the YAML's folder is the root) nor a download URL; test is empty there
    assert set(ours) == {k for k, v in theirs.items() if v is not None} - {"path", "download"}
    assert ours["kpt_shape"] == theirs["kpt_shape"] == [17, 3]
    assert ours["flip_idx"] == theirs["flip_idx"]
    again = read_yolo(out)
    assert again.problems == []
    kept = sorted(a.extra["yolo"]["keypoints"] for a in again.project.annotations.values())
    read = sorted(a.extra["yolo"]["keypoints"] for a in project.annotations.values())
    for k, r in zip(kept, read, strict=True):
        assert k == pytest.approx(r, abs=5e-7)


def test_an_object_without_keypoints_gets_k_absent_ones_said_once(tmp_path: Path) -> None:
    _, project = _read_pose(tmp_path)
    image = next(im for im in project.images.values() if im.file_name.endswith("b.png"))
    for n in range(2):  # two boxes drawn in the app: no keypoints
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, 1, [10.0 + n, 5.0, 20.0, 10.0], area=200.0)
        )
    warnings = write_yolo(project, tmp_path / "out")
    said = [w for w in warnings if "without keypoints" in w]
    assert said == [
        "2 objects without keypoints of kpt_shape [17, 3] written with 17 absent ones (0 0, visibility 0 "
        "where kpt_shape has one: Ultralytics' and COCO's 'not labelled')"
    ]
    rows = _rows(tmp_path / "out" / "labels" / "val" / "b.txt")
    assert rows[1][:5] == pytest.approx([0, 0.2, 0.2, 0.2, 0.2])
    assert rows[1][5:] == [0.0] * 51 and rows[2][5:] == [0.0] * 51


def test_two_value_keypoints_and_no_flip_idx(tmp_path: Path) -> None:
    """kpt_shape [2, 2]: x y only, absent as 0 0; no flip_idx read, none written."""
    root = _dataset(
        tmp_path / "p2",
        None,
        {"images/train/a.png": "0 0.5 0.5 0.2 0.4 0.45 0.4 0.55 0.6\n"},
        yaml_text="train: images/train\nval: images/train\nkpt_shape: [2, 2]\nnames: [hand]\n",
    )
    project = read_yolo(root).project
    image = next(iter(project.images.values()))
    project.add_annotation(Annotation(project.next_annotation_id(), image.id, 1, [10.0, 5.0, 20.0, 10.0]))
    write_yolo(project, tmp_path / "out")
    assert (tmp_path / "out" / "labels" / "train" / "a.txt").read_text().splitlines() == [
        "0 0.500000 0.500000 0.200000 0.400000 0.450000 0.400000 0.550000 0.600000",
        "0 0.200000 0.200000 0.200000 0.200000 0.000000 0.000000 0.000000 0.000000",
    ]
    written = yaml.safe_load((tmp_path / "out" / "data.yaml").read_text())
    assert written["kpt_shape"] == [2, 2] and "flip_idx" not in written


def test_task_pose_needs_a_pose_dataset_and_detect_still_drops_the_keypoints(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "det", "coco8.yaml", {"images/train/a.png": "0 0.5 0.5 0.2 0.4\n"})
    with pytest.raises(ValueError, match="task pose: the project was not read from a pose dataset"):
        write_yolo(read_yolo(root).project, tmp_path / "out", task="pose")
    _, project = _read_pose(tmp_path)
    warnings = write_yolo(project, tmp_path / "det_out", task="detect")
    assert "3 objects of a pose dataset written without their keypoints (task detect" in " ".join(warnings)
    assert [len(r) for r in _rows(tmp_path / "det_out" / "labels" / "train" / "a.txt")] == [5, 5]
    assert "kpt_shape" not in yaml.safe_load((tmp_path / "det_out" / "data.yaml").read_text())


def test_bad_flip_idx_is_said_and_not_kept(tmp_path: Path) -> None:
    root = _dataset(
        tmp_path / "bad",
        None,
        {"images/train/a.png": "0 0.5 0.5 0.2 0.4 0.45 0.4 0.55 0.6\n"},
        yaml_text="train: images/train\nval: images/train\nkpt_shape: [2, 2]\nflip_idx: [0, 5]\n"
        "names: [hand]\n",
    )
    result = read_yolo(root)
    assert result.problems == [
        f"{root / 'data.yaml'}: flip_idx: expected 2 keypoint indices 0..1 (kpt_shape), got [0, 5]; not kept "
        "(an export writes no flip_idx)"
    ]
    write_yolo(result.project, tmp_path / "out")
    assert "flip_idx" not in yaml.safe_load((tmp_path / "out" / "data.yaml").read_text())

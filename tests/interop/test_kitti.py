"""KITTI: Datumaro's detection and segmentation samples, DontCare as void in QA, round trips."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from pixelproof.core.model import Project
from pixelproof.interop import read_coco, write_coco
from pixelproof.interop.formats import detect_format
from pixelproof.interop.kitti import read_kitti, write_kitti

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "kitti_dataset"


def _frames(project: Project) -> dict[str, list]:
    return {
        Path(im.file_name).stem: sorted(project.annotations_of(im.id), key=lambda a: a.id)
        for im in project.images.values()
    }


def test_datumaro_detection_matches_datumaro_expectations() -> None:
    """Datumaro's test_can_import_detection: boxes (x, y, w, h), truncated/occluded per object."""
    result = read_kitti(DATA / "kitti_detection")
    assert result.problems == []
    project = result.project
    assert detect_format(DATA / "kitti_detection").name == "kitti"
    frames = _frames(project)
    got = {
        stem: [
            (
                project.categories[a.category_id].name,
                a.bbox,
                a.app_extra["kitti"]["truncated"] > 0,
                a.app_extra["kitti"]["occluded"] > 0,
            )
            for a in anns
        ]
        for stem, anns in frames.items()
    }
    assert got == {
        "000030_10": [("Truck", [0, 1, 2, 2], True, False), ("Van", [0, 5, 1, 3], False, False)],
        "000030_11": [
            ("Van", [0, 0, 2, 2], True, True),
            ("Van", [4, 4, 2, 2], False, False),
            ("Van", [6, 6, 1, 3], False, True),
        ],
    }
    for im in project.images.values():
        # training/ is the split every format calls train (interop.splits)
        assert (im.width, im.height) == (10, 10) and im.extra["pixelproof"]["split"] == "train"
    first = frames["000030_10"][0].app_extra["kitti"]
    assert first == {
        "truncated": 1.0,
        "occluded": 0,
        "alpha": -1.0,
        "dimensions": [-1.0, -1.0, -1.0],
        "location": [-1.0, -1.0, -1.0],
        "rotation_y": -1.0,
    }


def test_datumaro_segmentation_instance_pngs() -> None:
    """Datumaro's test_can_import_segmentation: class x 256 + instance, Cityscapes label ids."""
    result = read_kitti(DATA / "kitti_segmentation")
    assert result.problems == [] and not result.semantic
    project = result.project
    got = {
        stem: sorted(
            (
                project.categories[a.category_id].name,
                a.mask(1, 5)[0].astype(int).tolist(),
                a.app_extra.get("kitti", {}).get("instance", 0),
            )
            for a in anns
        )
        for stem, anns in _frames(project).items()
    }
    assert got == {
        "000030_10": [
            ("out of roi", [1, 1, 0, 0, 0], 0),
            ("truck", [0, 0, 0, 1, 1], 2),
            ("truck", [0, 0, 1, 0, 0], 1),
        ],
        "000030_11": [
            ("out of roi", [0, 0, 0, 1, 1], 0),
            ("train", [1, 1, 0, 0, 0], 1),
            ("wall", [0, 0, 1, 0, 0], 1),
        ],
    }
    void = {c.name for c in project.categories.values() if c.void}
    assert void == {"out of roi"}


def _kitti_with_dontcare(root: Path) -> None:
    (root / "training" / "label_2").mkdir(parents=True)
    (root / "training" / "image_2").mkdir(parents=True)
    Image.new("RGB", (100, 60)).save(root / "training" / "image_2" / "000001.png")
    (root / "training" / "label_2" / "000001.txt").write_text(
        "Car 0.00 0 -1.58 10.00 10.00 40.00 30.00 1.5 1.6 3.9 -1.0 1.7 20.1 -1.59\n"
        "DontCare -1 -1 -10 60.00 5.00 95.00 50.00 -1 -1 -1 -1000 -1000 -1000 -10\n"
        "Pedestrian 0.00 0 nan 50 10 55 30 1.8 0.6 0.8 1 1.7 9 0.1\n"
        "Cyclist 0.00 0 0.2 50 10\n"
    )


def test_bad_lines_reported_and_dontcare_is_void_in_qa(tmp_path: Path) -> None:
    _kitti_with_dontcare(tmp_path / "ref")
    result = read_kitti(tmp_path / "ref")
    label = tmp_path / "ref" / "training" / "label_2" / "000001.txt"
    assert result.problems == [
        f"{label}:3: NaN or infinite value; line skipped",
        f"{label}:4: expected 15 values (16 with a score), got 6; line skipped",
    ]
    project = result.project
    assert {c.name: c.void for c in project.categories.values()} == {"Car": False, "DontCare": True}
    assert project.object_count(1) == 1
    # the candidate finds the car and a "car" inside the DontCare box: the latter is not an FP
    cand = read_kitti(tmp_path / "ref").project
    cand.path = tmp_path / "ref" / "cand.json"
    from pixelproof.core.model import Annotation

    car = next(c for c in cand.categories.values() if c.name == "Car")
    cand.add_annotation(Annotation(99, 1, car.id, [65.0, 10.0, 20.0, 20.0], None, 400.0))
    save_project(cand, cand.path)
    report = tmp_path / "r.json"
    assert main(["qa", str(tmp_path / "ref"), str(cand.path), "--json", str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["reference_kind"] == "kitti"
    assert [r["status"] for r in data["per_object"]] == ["match"]
    assert data["summary"]["fp"] == 0 and data["summary"]["fp_px"] == 0


def test_coco_kitti_coco_detect_keeps_boxes_and_3d(sample_project: Project, tmp_path: Path) -> None:
    sample_project.annotations[1].app_extra["kitti"] = {
        "truncated": 0.5,
        "occluded": 2,
        "alpha": 1.25,
        "dimensions": [1.5, 1.6, 3.9],
        "location": [1.0, 2.0, 30.0],
        "rotation_y": -0.5,
    }
    warnings = write_kitti(sample_project, tmp_path / "k", task="detect")
    assert warnings == [
        "3 polygon/mask objects written as their bounding boxes (KITTI detection holds boxes)",
        "1 category name with spaces written with underscores (KITTI types are one word)",
    ]
    line = (tmp_path / "k" / "training" / "label_2" / "a.txt").read_text().splitlines()[0]
    assert line == "cat 0.50 2 1.25 2.00 3.00 22.00 13.00 1.50 1.60 3.90 1.00 2.00 30.00 -0.50"
    write_coco(read_kitti(tmp_path / "k").project, tmp_path / "back.json")
    back = read_coco(tmp_path / "back.json").project
    orig = {
        Path(im.file_name).stem: sorted(sample_project.annotations_of(im.id), key=lambda a: a.id)
        for im in sample_project.images.values()
    }
    for stem, anns in _frames(back).items():
        assert [back.categories[a.category_id].name for a in anns] == [
            sample_project.categories[a.category_id].name.replace(" ", "_") for a in orig[stem]
        ]
        for a, b in zip(orig[stem], anns, strict=True):
            assert np.allclose(a.bbox, b.bbox, atol=0.005) and b.kind == "box"
            assert b.score == a.score
    assert _frames(back)["a"][0].app_extra["kitti"]["dimensions"] == [1.5, 1.6, 3.9]


def test_coco_kitti_coco_segment_pixel_exact(sample_project: Project, tmp_path: Path) -> None:
    warnings = write_kitti(sample_project, tmp_path / "k")  # auto: the project has shapes
    assert warnings == ["2 categories not in the Cityscapes table: given label ids from 34 on in the PNGs"]
    inst = np.asarray(Image.open(tmp_path / "k" / "training" / "instance" / "a.png"))
    assert sorted(np.unique(inst).tolist()) == [0, 19 * 256, 34 * 256 + 1, 35 * 256 + 1]
    result = read_kitti(tmp_path / "k")
    back = result.project
    # unknown label ids come back named by their id (and reported); every object pixel-exact
    label = tmp_path / "k" / "training" / "instance" / "a.png"
    assert f"{label}: label id 34 is not in the Cityscapes table; imported as label_34" in result.problems
    names = sorted(back.categories[a.category_id].name for a in back.annotations.values())
    assert names == [
        "label_34",
        "label_34",
        "label_35",
        "label_35",
        "traffic light",
        "unlabeled",
        "unlabeled",
    ]
    (light,) = [
        a for a in back.annotations.values() if back.categories[a.category_id].name == "traffic light"
    ]
    ring = next(a for a in sample_project.annotations.values() if a.kind == "mask")
    assert np.array_equal(light.mask(60, 80), ring.mask(60, 80))


def _one_label(root: Path, text: str) -> None:
    """A 10 x 10 image_2/x.png and its label_2/x.txt holding ``text`` (UTF-8)."""
    (root / "label_2").mkdir()
    (root / "image_2").mkdir()
    Image.new("RGB", (10, 10)).save(root / "image_2" / "x.png")
    (root / "label_2" / "x.txt").write_text(text, "utf-8")


@pytest.mark.parametrize("bad", ["Car 0 0 0 5 5 2 2 1 1 1 1 1 1 1\n", "Car 0 0 0 a 5 2 2 1 1 1 1 1 1 1\n"])
def test_invalid_boxes_are_reported(tmp_path: Path, bad: str) -> None:
    _one_label(tmp_path, bad)
    result = read_kitti(tmp_path)
    assert len(result.problems) == 1 and result.problems[0].startswith(
        f"{tmp_path / 'label_2' / 'x.txt'}:1: "
    )
    assert not result.project.annotations and result.skipped == {"lines": 1}


def test_a_box_far_outside_its_image_is_reported_with_its_line(tmp_path: Path) -> None:
    """Found by fuzzing: a corner at 1e9 (finite, so past the NaN check) raised LimitError out of the
    reader: the whole import lost over one line, the message naming the image, not the label file."""
    _one_label(tmp_path, "Car 0 0 0 0 0 1e9 5 1 1 1 1 1 1 1\nCar 0 0 0 1 1 5 5 1 1 1 1 1 1 1\n")
    result = read_kitti(tmp_path)
    assert [a.bbox for a in result.project.annotations.values()] == [[1.0, 1.0, 4.0, 4.0]]
    assert result.skipped == {"lines": 1} and len(result.problems) == 1
    assert result.problems[0].startswith(f"{tmp_path / 'label_2' / 'x.txt'}:1: x = 1000000000.0 is too far")


def test_an_occluded_value_past_64_bits_is_reported(tmp_path: Path) -> None:
    """Found by fuzzing: occluded = 1e20 was kept as the integer 100000000000000000000, and the imported
    project could not be saved (orjson: "Integer exceeds 64-bit range")."""
    _one_label(
        tmp_path, "Car 0 99999999999999999999 0 1 1 5 5 1 1 1 1 1 1 1\nCar 0 2 0 1 1 5 5 1 1 1 1 1 1 1\n"
    )
    result = read_kitti(tmp_path)
    assert [a.app_extra["kitti"]["occluded"] for a in result.project.annotations.values()] == [2]
    assert result.problems == [
        f"{tmp_path / 'label_2' / 'x.txt'}:1: occluded 99999999999999999999 is no small integer (0..3); "
        "line skipped"
    ]
    save_project(result.project, tmp_path / "project.json")


def test_a_file_name_not_utf8_or_ids_scattered_over_the_picture_are_reported(tmp_path: Path) -> None:
    """Found by fuzzing: Builder's refusals (an image whose name is not UTF-8; an instance PNG whose ids lie
    scattered over the whole picture) raised LimitError out of the reader: the whole import lost."""
    for sub in ("label_2", "image_2", "instance"):
        (tmp_path / sub).mkdir()
    for stem in ("ok", "tmp"):
        Image.new("RGB", (10, 10)).save(tmp_path / "image_2" / f"{stem}.png")
        (tmp_path / "label_2" / f"{stem}.txt").write_text("Car 0 0 0 1 1 5 5 1 1 1 1 1 1 1\n")
    for sub, suffix in (("image_2", ".png"), ("label_2", ".txt")):
        os.rename(
            tmp_path / sub / f"tmp{suffix}",
            os.fsencode(tmp_path / sub) + f"/caf\xe9{suffix}".encode("latin-1"),
        )
    ids = np.zeros((300, 300), np.uint16)  # 60000 ids, each at two far-apart pixels
    ids.reshape(-1)[:60000] = np.arange(1, 60001)
    ids.reshape(-1)[-60000:] = np.arange(60000, 0, -1)
    Image.fromarray(ids).save(tmp_path / "instance" / "scattered.png")
    result = read_kitti(tmp_path)
    # the refused PNG's image is left out, not imported as an image without objects
    assert [im.file_name for im in result.project.images.values()] == ["image_2/ok.png"]
    assert len(result.project.annotations) == 1 and result.skipped == {"files": 2}
    assert any("caf\\xe9.png: file name is not UTF-8 text" in p for p in result.problems)
    scattered = tmp_path / "instance" / "scattered.png"
    assert any(p.startswith(f"{scattered}: 60,000 values whose boxes cover") for p in result.problems)


def test_a_label_file_saved_with_a_bom_keeps_its_first_class_name(tmp_path: Path) -> None:
    """A byte-order mark (a label file saved by Notepad) was read into the first line's class name."""
    _one_label(tmp_path, "\ufeffCar 0 0 0 1 1 5 5 1 1 1 1 1 1 1\n")
    result = read_kitti(tmp_path)
    assert result.problems == []
    assert [c.name for c in result.project.categories.values()] == ["Car"]


def test_void_regions_are_written_as_dontcare_in_detect(sample_project: Project, tmp_path: Path) -> None:
    """KITTI's regions to ignore are ``DontCare`` boxes (read as void); a void category of another name was
    written under its own name, so KITTI's evaluation and our reader took it for a class of objects."""
    from pixelproof.core.model import Annotation, Category

    void = sample_project.add_category(Category(sample_project.next_category_id(), "ignore region"))
    void.app_extra["void"] = True
    sample_project.add_annotation(
        Annotation(sample_project.next_annotation_id(), 1, void.id, [60.0, 40.0, 5.0, 5.0])
    )
    warnings = write_kitti(sample_project, tmp_path / "k", task="detect")
    assert any("1 void region written as DontCare" in w for w in warnings)
    line = (tmp_path / "k" / "training" / "label_2" / "a.txt").read_text().splitlines()[-1]
    assert line.startswith("DontCare 0.00 0 -10.00 60.00 40.00 65.00 45.00 ")
    back = read_kitti(tmp_path / "k").project
    voids = [a for a in back.annotations.values() if back.is_void(a)]
    assert [(back.categories[a.category_id].name, a.bbox) for a in voids] == [("DontCare", [60, 40, 5, 5])]


def test_an_8bit_png_in_instance_is_reported_not_read_as_class_0(tmp_path: Path) -> None:
    """KITTI's instance PNGs are 16-bit (class x 256 + instance): an 8-bit one (a semantic PNG put there)
    read every pixel as class 0, its cars as void 'unlabeled' regions, without a word."""
    folder = tmp_path / "training"
    (folder / "image_2").mkdir(parents=True)
    (folder / "instance").mkdir()
    Image.new("RGB", (30, 20)).save(folder / "image_2" / "000001.png")
    ids = np.zeros((20, 30), np.uint8)
    ids[2:6, 2:6] = 26
    Image.fromarray(ids).save(folder / "instance" / "000001.png")
    empty = np.zeros((20, 30), np.uint8)  # all unlabeled: the same in 8 and 16 bits
    Image.new("RGB", (30, 20)).save(folder / "image_2" / "000002.png")
    Image.fromarray(empty).save(folder / "instance" / "000002.png")
    result = read_kitti(tmp_path)
    assert [Path(im.file_name).stem for im in result.project.images.values()] == ["000002"]
    (problem,) = result.problems
    assert problem.startswith(f"{folder / 'instance' / '000001.png'}: ") and "16-bit" in problem
    assert result.skipped == {"files": 1}


def test_semantic_pngs_hold_class_regions_not_crowds(tmp_path: Path) -> None:
    """semantic/ holds one region per class: a car region there is all the cars, not a crowd region."""
    folder = tmp_path / "training"
    (folder / "image_2").mkdir(parents=True)
    (folder / "semantic").mkdir()
    Image.new("RGB", (30, 20)).save(folder / "image_2" / "000001.png")
    ids = np.full((20, 30), 7, np.uint8)  # road
    ids[2:6, 2:6] = 26  # car
    Image.fromarray(ids).save(folder / "semantic" / "000001.png")
    result = read_kitti(tmp_path)
    project = result.project
    assert result.semantic and result.problems == []
    got = sorted(
        (project.categories[a.category_id].name, a.bbox, a.iscrowd) for a in project.annotations.values()
    )
    assert got == [("car", [2.0, 2.0, 4.0, 4.0], 0), ("road", [0.0, 0.0, 30.0, 20.0], 0)]


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux's /proc/self/mem")
def test_a_label_file_that_cannot_be_read_is_reported_and_the_others_read(tmp_path: Path) -> None:
    """A label file the system will not read (no permission, an I/O error: here /proc/self/mem, a
    regular file whose read fails with EIO even for root) raised OSError out of the reader: the whole
    import was lost for one file."""
    _one_label(tmp_path, "Car 0 0 0 1 1 5 5 1 1 1 1 1 1 1\n")
    Image.new("RGB", (10, 10)).save(tmp_path / "image_2" / "bad.png")
    (tmp_path / "label_2" / "bad.txt").symlink_to("/proc/self/mem")
    result = read_kitti(tmp_path)
    bad = tmp_path / "label_2" / "bad.txt"
    assert f"{bad}: cannot be read (Input/output error); skipped" in result.problems
    assert result.skipped == {"files": 1}
    assert len(result.project.annotations) == 1  # the readable file's box
    (bad_image,) = [im for im in result.project.images.values() if im.file_name == "image_2/bad.png"]
    assert result.project.image_status(bad_image.id) != "done"  # not taken for an image labelled empty


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_broken_link_in_label_2_or_semantic_is_said_and_never_opened(tmp_path: Path) -> None:
    """A FIFO or a dangling symlink named as a label file or a semantic PNG was left out without a word;
    the FIFO must not be opened (reading one blocks for good)."""
    _one_label(tmp_path, "Car 0 0 0 1 1 5 5 1 1 1 1 1 1 1\n")
    fifo, broken = tmp_path / "label_2" / "y.txt", tmp_path / "label_2" / "z.txt"
    os.mkfifo(fifo)
    broken.symlink_to(tmp_path / "gone.txt")
    (tmp_path / "semantic").mkdir()
    os.mkfifo(tmp_path / "semantic" / "x.png")
    result = read_kitti(tmp_path)
    said = "not a regular file (a FIFO, device, socket or broken link); skipped"
    for path in (fifo, broken, tmp_path / "semantic" / "x.png"):
        assert f"{path}: {said}" in result.problems
    assert result.skipped == {"files": 3}
    assert len(result.project.annotations) == 1  # x.txt's box

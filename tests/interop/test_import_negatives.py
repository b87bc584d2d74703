"""An image the source records as labelled with nothing (an empty YOLO label file, a VOC file without
objects, a LabelMe file without shapes, an MVTec ``good`` image, an all-background mask or ground-truth
file, an empty slice of a label volume) comes in marked Done: the source's word that it has no objects.
An image the source has no record of (no label file; an image listed by a COCO or CVAT file, which list
images nobody labelled the same way) comes in To do, as does one whose record held something that could
not be read. So marking one image Done after an import no longer makes the next export leave out every
imported negative as "not labelled yet" (``Project.unlabeled_image_ids``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.model import Project
from pixelproof.interop.formats import FORMATS

DATA = Path(__file__).resolve().parents[1] / "data"


def _status(project: Project) -> dict[str, str]:
    """File stem -> status, for images without objects; ``objects`` for the others."""
    return {
        Path(im.file_name).stem.removesuffix("_leftImg8bit"): (
            project.image_status(i) if not project.annotation_count(i) else "objects"
        )
        for i, im in project.images.items()
    }


def _png(path: Path, size: tuple[int, int] = (40, 30), value: int = 90) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size[1], size[0]), value, np.uint8)).save(path)


def _yolo(root: Path) -> None:
    """part_1: a box; part_2: an empty label file (saved with nothing); part_3: no label file; part_4: a
    label file whose only line is broken."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "data.yaml").write_text("names: [scratch]\n")
    for n in range(1, 5):
        _png(root / "images" / f"part_{n}.png")
    (root / "labels").mkdir()
    (root / "labels" / "part_1.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "labels" / "part_2.txt").write_text("")
    (root / "labels" / "part_4.txt").write_text("0 0.5 oops\n")


def test_yolo_empty_label_file_is_done_missing_or_broken_one_is_not(tmp_path: Path) -> None:
    _yolo(tmp_path)
    project = FORMATS["yolo"].read(tmp_path).project
    assert _status(project) == {"part_1": "objects", "part_2": "done", "part_3": "todo", "part_4": "todo"}


def test_after_a_yolo_import_marking_one_image_done_keeps_the_negatives_in_exports(tmp_path: Path) -> None:
    """The walkthrough's case: import, mark the defect image Done, export; the empty-labelled part is
    written (a negative), the part without a label file is left out and named."""
    _yolo(tmp_path / "src")
    project = FORMATS["yolo"].read(tmp_path / "src").project
    project.set_image_status(project.image_by_file_name("images/part_1.png").id, "done")
    warnings = FORMATS["coco"].write(project, tmp_path / "out.json")
    written = json.loads((tmp_path / "out.json").read_text())
    assert sorted(Path(im["file_name"]).stem for im in written["images"]) == ["part_1", "part_2"]
    assert "2 images left out as not labelled yet" in warnings[0]
    assert "part_3.png" in warnings[0] and "part_4.png" in warnings[0]


def test_voc_file_without_objects_is_done(tmp_path: Path) -> None:
    """Datumaro's sample ``@.xml`` (a VOC annotation with no ``<object>``, no ``<size>``), with its image."""
    (tmp_path / "Annotations").mkdir()
    xml = DATA / "datumaro" / "voc_dataset" / "voc_dataset2" / "Annotations" / "@.xml"
    (tmp_path / "Annotations" / "@.xml").write_bytes(xml.read_bytes())
    _png(tmp_path / "JPEGImages" / "@.jpg")
    assert _status(FORMATS["voc"].read(tmp_path).project) == {"@": "done"}


def test_labelme_file_without_shapes_is_done_one_with_only_a_point_is_not(tmp_path: Path) -> None:
    for name, shapes in (
        ("empty", []),
        ("point", [{"label": "pit", "points": [[3, 4]], "shape_type": "point"}]),
    ):
        _png(tmp_path / f"{name}.png")
        doc = {"shapes": shapes, "imagePath": f"{name}.png", "imageWidth": 40, "imageHeight": 30}
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    assert _status(FORMATS["labelme"].read(tmp_path).project) == {"empty": "done", "point": "todo"}


def test_cityscapes_polygon_file_without_objects_is_done(tmp_path: Path) -> None:
    gt = tmp_path / "gtFine" / "val" / "ulm"
    gt.mkdir(parents=True)
    _png(tmp_path / "leftImg8bit" / "val" / "ulm" / "ulm_000000_000019_leftImg8bit.png", (64, 48))
    doc = {"imgWidth": 64, "imgHeight": 48, "objects": []}
    (gt / "ulm_000000_000019_gtFine_polygons.json").write_text(json.dumps(doc))
    assert _status(FORMATS["cityscapes"].read(tmp_path).project) == {"ulm_000000_000019": "done"}


def test_kitti_empty_label_file_is_done(tmp_path: Path) -> None:
    split = tmp_path / "training"
    (split / "label_2").mkdir(parents=True)
    for stem, text in (
        ("000001", "Car 0.00 0 -1.58 10 10 40 30 1.5 1.6 3.9 -1 1.7 20.1 -1.59\n"),
        ("000002", ""),
    ):
        _png(split / "image_2" / f"{stem}.png", (100, 60))
        (split / "label_2" / f"{stem}.txt").write_text(text)
    assert _status(FORMATS["kitti"].read(tmp_path).project) == {"000001": "objects", "000002": "done"}


def test_mvtec_good_images_are_done_a_defect_image_without_its_mask_is_not(tmp_path: Path) -> None:
    obj = tmp_path / "pill"
    _png(obj / "train" / "good" / "000.png")
    _png(obj / "test" / "good" / "001.png")
    _png(obj / "test" / "crack" / "002.png")
    _png(obj / "test" / "crack" / "003.png")
    mask = np.zeros((30, 40), np.uint8)
    mask[5:9, 5:9] = 255
    (obj / "ground_truth" / "crack").mkdir(parents=True)
    Image.fromarray(mask).save(obj / "ground_truth" / "crack" / "002_mask.png")
    status = _status(FORMATS["mvtec"].read(tmp_path).project)
    assert status == {"000": "done", "001": "done", "002": "objects", "003": "todo"}


def test_an_all_background_mask_is_done(tmp_path: Path) -> None:
    for stem, value in (("a", 0), ("b", 1)):
        _png(tmp_path / "images" / f"{stem}.png")
        mask = np.zeros((30, 40), np.uint8)
        mask[3:9, 3:9] = value
        (tmp_path / "masks").mkdir(exist_ok=True)
        Image.fromarray(mask).save(tmp_path / "masks" / f"{stem}.png")
    project = FORMATS["masks"].read(tmp_path / "masks", image_dir=tmp_path / "images").project
    assert _status(project) == {"a": "done", "b": "objects"}


def test_every_slice_of_a_label_volume_is_done_the_empty_ones_too(tmp_path: Path) -> None:
    """The volume is labelled whole (``test_import_status``: a record read whole is Done)."""
    from tests.interop.test_nifti import brats_case

    labels = brats_case(tmp_path, "BRATS_001")
    project = FORMATS["nifti"].read(tmp_path).project
    empty_slices = int((labels.reshape(-1, labels.shape[-1]).max(axis=0) == 0).sum())
    assert 0 < empty_slices < len(project.images) == labels.shape[-1]
    assert all(project.image_status(i) == "done" for i in project.images)


def test_images_listed_by_coco_or_cvat_without_objects_stay_to_do(tmp_path: Path) -> None:
    """Both list every image of a task, labelled or not (CVAT's exports do): no word that one is empty."""
    coco = {
        "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
        "annotations": [],
        "categories": [{"id": 1, "name": "pore"}],
    }
    (tmp_path / "coco.json").write_text(json.dumps(coco))
    assert _status(FORMATS["coco"].read(tmp_path / "coco.json", check_images=False).project) == {"a": "todo"}
    (tmp_path / "cvat.xml").write_text(
        '<annotations><version>1.1</version><image id="0" name="b.png" width="40" height="30"/></annotations>'
    )
    assert _status(FORMATS["cvat"].read(tmp_path / "cvat.xml").project) == {"b": "todo"}


def test_a_mask_with_only_void_is_done_and_exported(tmp_path: Path) -> None:
    """A mask holding nothing but background and void (255: pixels to ignore) records no object: the image
    is Done like an all-background one, so once an image is marked Done an export still writes it, not
    leaves it out as not labelled yet."""
    for stem, value in (("a", 255), ("b", 1)):
        _png(tmp_path / "images" / f"{stem}.png")
        mask = np.zeros((30, 40), np.uint8)
        mask[3:9, 3:9] = value
        (tmp_path / "masks").mkdir(exist_ok=True)
        Image.fromarray(mask).save(tmp_path / "masks" / f"{stem}.png")
    project = FORMATS["masks"].read(tmp_path / "masks", image_dir=tmp_path / "images").project
    ids = {Path(im.file_name).stem: i for i, im in project.images.items()}
    assert project.annotation_count(ids["a"]) == 1 and project.object_count(ids["a"]) == 0  # the void
    assert project.image_status(ids["a"]) == "done"
    project.set_image_status(ids["b"], "done")
    assert project.unlabeled_image_ids() == []

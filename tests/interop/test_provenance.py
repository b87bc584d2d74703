"""Where an object came from, in words: an object read from another tool's file is said to be imported,
with the format and the file or folder read, not "manual" as if drawn here (its file gave no source). The
import mark lives on each image, stays in the project file, and stays out of other formats' files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.masks import polygons_bbox, segmentation_area
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.formats import FORMATS
from pixelproof.interop.provenance import DRAWN, NOT_RECORDED, imported_from, source_text
from tests.interop.test_geojson_cells import _export


def _small(root: Path) -> Path:
    """A saved project over one 40 x 30 picture: a box drawn in PixelProof and a model's pending mask."""
    root.mkdir()
    Image.fromarray(np.full((30, 40, 3), 200, np.uint8)).save(root / "a.png")
    project = Project()
    project.add_category(Category(1, "cat"))
    project.add_image(ImageRecord(1, "a.png", 40, 30))
    project.add_annotation(Annotation(1, 1, 1, [2.0, 3.0, 10.0, 8.0], area=80.0, source="manual"))
    project.add_annotation(
        Annotation(
            2,
            1,
            1,
            [20.0, 5.0, 6.0, 6.0],
            [[20, 5, 26, 5, 26, 11, 20, 11]],
            36.0,
            source="model:otsu",
            review="pending",
        )
    )
    save_project(project, root / "project.json")
    return root / "project.json"


def test_what_pixelproof_made_says_who_made_it_and_a_foreign_file_says_it_is_not_recorded() -> None:
    image = ImageRecord(1, "a.png", 40, 30)
    ann = Annotation(1, 1, 1, [0, 0, 1, 1])
    assert source_text(ann, image) == NOT_RECORDED  # a COCO file of another tool opened as a project
    ann.source = "manual"
    assert source_text(ann, image) == DRAWN == "drawn in PixelProof"
    ann.source = "model:threshold/otsu@1"
    assert source_text(ann, image) == "model: threshold/otsu@1"
    ann.source = "consensus:majority"
    assert source_text(ann, image) == "consensus: majority"
    ann.source = "interpolation:shape-based"  # Edit > Fill Between Slices
    assert source_text(ann, image) == "interpolated: shape-based"
    ann.source = "semi-auto"  # a value another tool wrote: as written
    assert source_text(ann, image) == "semi-auto"


def test_qupath_cells_say_they_were_imported_and_a_shape_edited_since_says_so(tmp_path: Path) -> None:
    _export(tmp_path / "qupath_export")
    mine = tmp_path / "mine.json"
    assert (
        main(["convert", str(tmp_path / "qupath_export"), str(mine), "--from", "geojson", "--to", "coco"])
        == 0
    )
    project = load_project(mine)  # the mark survived the save and the load
    (image,) = project.images.values()
    assert imported_from(image) == ("geojson", "qupath_export")
    cells = list(project.annotations.values())
    assert {source_text(a, image) for a in cells} == {"imported: QuPath GeoJSON (qupath_export)"}
    a = cells[0]
    flat = [float(v) for v in (10, 10, 20, 10, 20, 20, 10, 20)]  # the outline moved in the app
    box = polygons_bbox([flat])
    a.set_geometry([flat], box, segmentation_area([flat], box, image.height, image.width))
    save_project(project, mine)
    project = load_project(mine)
    image = project.images[a.image_id]
    assert source_text(project.annotations[a.id], image) == (
        "imported: QuPath GeoJSON (qupath_export), shape edited since"
    )
    assert (
        source_text(project.annotations[a.id], image, edits=False)
        == "imported: QuPath GeoJSON (qupath_export)"
    )
    assert source_text(project.annotations[cells[1].id], image) == "imported: QuPath GeoJSON (qupath_export)"
    # read again as COCO (a PixelProof project imported): where the objects came from first stays
    again = FORMATS["coco"].read(mine).project
    assert imported_from(next(iter(again.images.values()))) == ("geojson", "qupath_export")


def test_cvat_keeps_its_own_source_beside_the_import(tmp_path: Path) -> None:
    project_file = _small(tmp_path / "p")
    assert main(["convert", str(project_file), str(tmp_path / "cvat_task"), "--from", "coco", "--to", "cvat",
                 "--pending", "keep"]) == 0  # fmt: skip
    read = FORMATS["cvat"].read(tmp_path / "cvat_task").project
    image = next(iter(read.images.values()))
    said = sorted(source_text(a, image) for a in read.annotations.values())
    where = "imported: CVAT for images 1.1 XML (cvat_task)"  # the kind it was, not the list's title for both
    assert said == [f"{where}, CVAT source auto", f"{where}, CVAT source manual"]


def test_yolo_and_label_studio_objects_say_their_format_and_a_models_prediction_its_model(
    tmp_path: Path,
) -> None:
    project_file = _small(tmp_path / "p")
    assert main(["convert", str(project_file), str(tmp_path / "yolo"), "--from", "coco", "--to", "yolo"]) == 0
    read = FORMATS["yolo"].read(tmp_path / "yolo").project
    image = next(iter(read.images.values()))
    assert [source_text(a, image) for a in read.annotations.values()] == [
        "imported: YOLO dataset (Ultralytics) (yolo)"
    ]
    assert (
        main(["convert", str(project_file), str(tmp_path / "ls"), "--from", "coco", "--to", "labelstudio"])
        == 0
    )
    read = FORMATS["labelstudio"].read(tmp_path / "ls" / "tasks.json").project
    image = next(iter(read.images.values()))
    said = sorted(source_text(a, image) for a in read.annotations.values())
    assert said == ["imported: Label Studio JSON (tasks.json)", "model: otsu"]


def test_the_mark_stays_in_the_project_and_out_of_other_formats_files(tmp_path: Path) -> None:
    _export(tmp_path / "qupath_export")
    mine = tmp_path / "mine.json"
    assert (
        main(["convert", str(tmp_path / "qupath_export"), str(mine), "--from", "geojson", "--to", "coco"])
        == 0
    )
    project = load_project(mine)
    (image,) = project.images.values()
    image.extra["pixelproof"]["flags"] = {"checked": True}  # an image extra LabelMe holds: still written
    save_project(project, mine)
    assert '"imported"' in mine.read_text()
    for fmt in ("labelme", "coco-panoptic", "geojson", "cvat", "labelstudio", "cityscapes", "voc", "yolo"):
        out = tmp_path / fmt
        code = main(["convert", str(mine), str(out), "--from", "coco", "--to", fmt])
        assert code in (0, 3), fmt  # 3: converted, something said lost (QuPath's measurements in a VOC file)
        texts = [p.read_text() for p in out.rglob("*") if p.suffix in (".json", ".xml", ".txt", ".geojson")]
        assert texts and not any("imported" in t for t in texts), fmt
    (labelme,) = (tmp_path / "labelme").rglob("slide.json")
    doc = json.loads(labelme.read_text())
    assert doc["flags"] == {"checked": True} and "pixelproof" not in doc  # the mark alone was left out
    (panoptic,) = (tmp_path / "coco-panoptic" / "annotations").glob("*.json")
    assert "pixelproof" not in json.loads(panoptic.read_text())["images"][0]

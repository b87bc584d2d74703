"""An image whose record the source holds, read whole, comes in Done, with objects or without: the source's
word that it is labelled. An MVTec AD dataset read into PixelProof listed its images with defect masks as To
do and its good images as Done (``pixelproof info``: done 5, todo 4), the reverse of what an inspection
engineer reads from a fully labelled benchmark; a YOLO or VOC folder alike. Label Studio already marks a
task with an annotation Done. An image without a record, whose record held something unreadable, or with
objects awaiting a decision (pending) stays To do."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.model import Project
from pixelproof.interop.formats import FORMATS


def _png(path: Path, size: tuple[int, int] = (40, 30)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size[1], size[0]), 90, np.uint8)).save(path)


def _status(project: Project) -> dict[str, str]:
    return {Path(im.file_name).stem: project.image_status(i) for i, im in project.images.items()}


def test_every_mvtec_image_read_whole_is_done(tmp_path: Path) -> None:
    obj = tmp_path / "plate"
    _png(obj / "train" / "good" / "000.png")
    _png(obj / "test" / "good" / "001.png")
    for n in ("002", "003", "004"):
        _png(obj / "test" / "dent" / f"{n}.png")
    mask = np.zeros((30, 40), np.uint8)
    mask[5:9, 5:9] = 255
    mask[20:25, 30:36] = 255  # two dents, one mask
    (obj / "ground_truth" / "dent").mkdir(parents=True)
    Image.fromarray(mask).save(obj / "ground_truth" / "dent" / "002_mask.png")
    Image.fromarray(mask * 0).save(obj / "ground_truth" / "dent" / "004_mask.png")
    result = FORMATS["mvtec"].read(tmp_path)
    assert len(result.problems) == 2  # 003's mask is missing, 004's is empty: both said
    assert _status(result.project) == {
        "000": "done",
        "001": "done",
        "002": "done",
        "003": "todo",
        "004": "todo",
    }


def test_a_yolo_label_file_with_objects_is_done_a_broken_one_is_not(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_text("names: [scratch]\n")
    for n in range(1, 5):
        _png(tmp_path / "images" / f"part_{n}.png")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "part_1.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "labels" / "part_2.txt").write_text("")
    (tmp_path / "labels" / "part_4.txt").write_text("0 0.5 0.5 0.2 0.2\n0 0.5 oops\n")
    project = FORMATS["yolo"].read(tmp_path).project
    assert _status(project) == {"part_1": "done", "part_2": "done", "part_3": "todo", "part_4": "todo"}


def test_a_labelme_file_with_a_pending_proposal_is_not_done(tmp_path: Path) -> None:
    """A model's proposal nobody decided is no label: the image is not checked."""
    for stem, ours in (("drawn", {}), ("proposed", {"source": "model:x@1", "review": "pending"})):
        _png(tmp_path / f"{stem}.png")
        shape = {"label": "cat", "points": [[2, 2], [20, 15]], "shape_type": "rectangle", "pixelproof": ours}
        doc = {"shapes": [shape], "imagePath": f"{stem}.png", "imageHeight": 30, "imageWidth": 40}
        (tmp_path / f"{stem}.json").write_text(json.dumps(doc))
    project = FORMATS["labelme"].read(tmp_path).project
    assert len(project.annotations) == 2
    assert _status(project) == {"drawn": "done", "proposed": "todo"}


def test_geojson_follows_the_rule_as_labelme_does(tmp_path: Path) -> None:
    """A QuPath GeoJSON file is the record of its image, as a LabelMe JSON is: read whole it is Done, with
    a pending proposal To do, one whose geometry was skipped (a Point) not Done (README, "Reading a
    format"): a pathologist's walkthrough asked whether Done was right for QuPath files; it is the rule."""
    square = {"type": "Polygon", "coordinates": [[[2, 2], [20, 2], [20, 15], [2, 15], [2, 2]]]}
    point = {"type": "Point", "coordinates": [5, 5]}
    cases = {
        "drawn": [(square, {})],
        "proposed": [(square, {"source": "model:x@1", "review": "pending"})],
        "pointed": [(square, {}), (point, {})],
    }
    for stem, features in cases.items():
        _png(tmp_path / "qp" / f"{stem}.png")
        doc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"classification": {"name": "Tumor"}, "pixelproof": ours},
                }
                for geometry, ours in features
            ],
        }
        (tmp_path / "qp" / f"{stem}.geojson").write_text(json.dumps(doc))
    project = FORMATS["geojson"].read(tmp_path / "qp").project
    assert _status(project) == {"drawn": "done", "proposed": "todo", "pointed": "todo"}

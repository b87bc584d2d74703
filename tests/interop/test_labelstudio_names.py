"""An export to Label Studio names its regions, image tag and task data key as the imported label config
did (``<RectangleLabels name="box" toName="img">``, ``<Image name="img" value="$photo">``), so its tasks
import into the user's own project, whose config stays as it was; read back by label-studio-converter
with that config. A config with none or several tags of a kind the export writes keeps PixelProof's
names, said."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

DATA = Path(__file__).resolve().parents[1] / "data" / "labelstudio"

# the user's project config: the labels of tests/data/labelstudio's two configs, under their own names
CONFIG = """<View>
  <Image name="img" value="$photo" zoom="true"/>
  <RectangleLabels name="box" toName="img">
    <Label value="parasites" background="rgba(218, 1, 238, 1)"/><Label value="white"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Airplane"/><Label value="Car"/></PolygonLabels>
</View>"""


def _renamed(task: dict) -> dict:
    """A task of Label Studio's export as the user's project holds it: its own names."""
    task["data"] = {"photo": task["data"].pop("image")}
    for a in task["annotations"]:
        for r in a["result"]:
            r["from_name"] = {"rectanglelabels": "box", "polygonlabels": "poly"}[r["type"]]
            r["to_name"] = "img"
    return task


def _export(tmp_path: Path, config: str = CONFIG) -> tuple[list[str], list[dict]]:
    """The real exports renamed, read, saved as the app saves them, written to ``out``: (warnings, tasks)."""
    tasks = [
        _renamed(t) for f in ("data.json", "data_polygons.json") for t in json.loads((DATA / f).read_text())
    ]
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    (tmp_path / "label_config.xml").write_text(config)
    project = read_labelstudio(tmp_path / "export.json").project
    save_project(project, tmp_path / "project.json")
    warnings = write_labelstudio(load_project(tmp_path / "project.json"), tmp_path / "out")
    return warnings, json.loads((tmp_path / "out" / "tasks.json").read_text())


def _results(tasks: list[dict]) -> list[dict]:
    return [r for t in tasks for a in t.get("annotations", []) for r in a["result"]]


def test_regions_keep_the_imported_configs_names(tmp_path: Path) -> None:
    warnings, tasks = _export(tmp_path)
    assert not [w for w in warnings if "label config" in w]
    assert [set(t["data"]) for t in tasks] == [{"photo"}] * 3
    names = {(r["type"], r["from_name"], r["to_name"]) for r in _results(tasks)}
    assert names == {("rectanglelabels", "box", "img"), ("polygonlabels", "poly", "img")}
    written = (tmp_path / "out" / "label_config.xml").read_text()
    assert (
        '<Image name="img" value="$photo"' in written
        and '<RectangleLabels name="box" toName="img"' in written
    )
    # our reader reads the output with the user's config as it was
    (tmp_path / "out" / "label_config.xml").write_text(CONFIG)
    again = read_labelstudio(tmp_path / "out" / "tasks.json").project
    assert sorted(a.kind for a in again.annotations.values()) == ["box", "box", "box", "box", "polygon"]


def test_label_studio_converter_reads_the_output_with_the_users_config(tmp_path: Path) -> None:
    pytest.importorskip("label_studio_converter")
    from label_studio_converter import Converter

    _export(tmp_path)
    (tmp_path / "user_config.xml").write_text(CONFIG)
    logging.disable(logging.WARNING)  # it logs each image it cannot download
    try:
        Converter(str(tmp_path / "user_config.xml"), str(tmp_path)).convert_to_coco(
            str(tmp_path / "out" / "tasks.json"), str(tmp_path / "coco"), is_dir=False
        )
    finally:
        logging.disable(logging.NOTSET)
    coco = json.loads((tmp_path / "coco" / "result.json").read_text())
    assert len(coco["images"]) == 3
    labels = {c["id"]: c["name"] for c in coco["categories"]}
    found = sorted((labels[a["category_id"]], bool(a["segmentation"])) for a in coco["annotations"])
    # task 1's latest annotation (parasites, white), task 2's (white, white), the polygons task's airplane
    assert found == [("Airplane", True), ("parasites", False), *[("white", False)] * 3]


def test_a_config_with_two_tags_of_a_kind_keeps_pixelproofs_names_said(tmp_path: Path) -> None:
    two = CONFIG.replace(
        "</View>", '<RectangleLabels name="box2" toName="img"><Label value="x"/></RectangleLabels></View>'
    )
    warnings, tasks = _export(tmp_path, two)
    said = [w for w in warnings if "label config" in w]
    assert len(said) == 1 and "<RectangleLabels> (2)" in said[0] and "PolygonLabels" not in said[0]
    names = {(r["type"], r["from_name"], r["to_name"]) for r in _results(tasks)}
    assert names == {("rectanglelabels", "label", "img"), ("polygonlabels", "poly", "img")}


def test_an_image_read_from_data_split_keeps_its_image(tmp_path: Path) -> None:
    """A config whose image reads ``$split`` (the data field our writer keeps a split in): the reader took
    each image's URL for its split, and the writer wrote the split over the image (tasks with no image)."""
    tasks = [_renamed(t) for t in json.loads((DATA / "data.json").read_text())]
    for t in tasks:
        t["data"] = {"split": t["data"].pop("photo")}
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    (tmp_path / "label_config.xml").write_text(CONFIG.replace('value="$photo"', 'value="$split"'))
    project = read_labelstudio(tmp_path / "export.json").project
    assert all("split" not in im.extra.get("pixelproof", {}) for im in project.images.values())
    for im in project.images.values():
        im.extra.setdefault("pixelproof", {})["split"] = "train"
    save_project(project, tmp_path / "project.json")
    warnings = write_labelstudio(load_project(tmp_path / "project.json"), tmp_path / "out")
    written = json.loads((tmp_path / "out" / "tasks.json").read_text())
    assert [t["data"]["split"].rsplit("/", 1)[-1] for t in written] == ["image1", "image2"]  # the images
    assert "2 images whose split is not written: the imported config's image reads $split" in " ".join(
        warnings
    )

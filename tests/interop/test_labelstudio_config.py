"""The ``label_config.xml`` written for Label Studio, read by Label Studio's own parser
(``label_studio_tools.core.label_config.parse_config``): every category under every region tag, and every
result of ``tasks.json`` declared by a tag of its type on its ``to_name``; a choice list the user's config
declared comes back whole, not only the values some image used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Project
from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

label_config = pytest.importorskip("label_studio_tools.core.label_config")

CONFIG = """<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img">
    <Label value="Car" hotkey="c"/><Label value="Person"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Car"/><Label value="Person"/></PolygonLabels>
  <BrushLabels name="paint" toName="img"><Label value="Road"/></BrushLabels>
  <Choices name="weather" toName="img" choice="single" showInLine="true">
    <Choice value="Sunny"/><Choice value="Rainy"/><Choice value="Night"/>
  </Choices>
  <Choices name="flags" toName="img" choice="multiple">
    <Choice value="blurry"/><Choice value="dark"/>
  </Choices>
  <TextArea name="comment" toName="img"/>
</View>"""


def _result(kind: str, name: str, value: dict) -> dict:
    return {"type": kind, "from_name": name, "to_name": "img", "value": value}


def _written(tmp_path: Path) -> Project:
    """An export read, saved as the app saves it, and written back to ``tmp_path/out``; the project."""
    box = {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": ["Car"]}
    poly = {"points": [[50, 50], [70, 50], [60, 80]], "polygonlabels": ["Person"]}
    region = {"original_width": 200, "original_height": 100}
    tasks = [
        {"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": [
            {**_result("rectanglelabels", "box", box), **region},
            {**_result("polygonlabels", "poly", poly), **region},
            _result("choices", "weather", {"choices": ["Rainy"]}),
            _result("textarea", "comment", {"text": ["blurry corner"]}),
        ]}]},
        {"id": 2, "data": {"image": "b.png"}, "annotations": [],
         "predictions": [{"model_version": "m1", "result": [
             {**_result("rectanglelabels", "box", box), **region, "score": 0.9}]}]},
    ]  # fmt: skip
    for name in ("a.png", "b.png"):
        Image.new("RGB", (200, 100)).save(tmp_path / name)
    (tmp_path / "label_config.xml").write_text(CONFIG)
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    project = read_labelstudio(tmp_path / "export.json").project
    save_project(project, tmp_path / "project.json")  # what the app saves, then exports
    write_labelstudio(load_project(tmp_path / "project.json"), tmp_path / "out")
    return project


def test_the_written_config_declares_what_tasks_use_and_every_option(tmp_path: Path) -> None:
    project = _written(tmp_path)

    parsed = label_config.parse_config((tmp_path / "out" / "label_config.xml").read_text())
    categories = [c.name for c in project.categories.values()]
    assert categories == ["Car", "Person", "Road"]
    for tag in ("RectangleLabels", "PolygonLabels", "BrushLabels"):
        (decl,) = [d for d in parsed.values() if d["type"] == tag]
        assert decl["labels"] == categories
    tag_of = {"rectanglelabels": "RectangleLabels", "polygonlabels": "PolygonLabels",
              "brushlabels": "BrushLabels", "choices": "Choices", "textarea": "TextArea"}  # fmt: skip
    written = json.loads((tmp_path / "out" / "tasks.json").read_text())
    results = [
        r for t in written for a in t.get("annotations", []) + t.get("predictions", []) for r in a["result"]
    ]
    assert {r["type"] for r in results} == {"rectanglelabels", "polygonlabels", "choices", "textarea"}
    for r in results:
        decl = parsed[r["from_name"]]
        assert decl["type"] == tag_of[r["type"]] and r["to_name"] in decl["to_name"]
        for label in r["value"].get(r["type"], []) if r["type"] != "textarea" else []:
            assert label in decl["labels"]
    # the options the user chose from in Label Studio, not only the one image a.png used
    assert parsed["weather"]["labels"] == ["Sunny", "Rainy", "Night"]
    assert parsed["flags"]["labels"] == ["blurry", "dark"]
    config = (tmp_path / "out" / "label_config.xml").read_text()
    assert 'choice="multiple"' in config  # several of them per image, as before


def test_written_tasks_read_by_label_studio_converter_as_by_our_reader(tmp_path: Path) -> None:
    """label-studio-converter's COCO and YOLO of the written tasks hold the annotated boxes and polygons
    our reader reads back (the converter reads annotations only: the model's predictions are ours)."""
    import logging

    from label_studio_converter import Converter

    _written(tmp_path)
    out = tmp_path / "out"
    back = read_labelstudio(out / "tasks.json", import_predictions="skip").project
    ours = sorted(
        (back.categories[a.category_id].name, *(round(v, 3) for v in a.bbox))
        for a in back.annotations.values()
    )
    logging.disable(logging.WARNING)  # it logs each image it cannot download
    try:
        converter = Converter(str(out / "label_config.xml"), str(out))
        converter.convert_to_coco(str(out / "tasks.json"), str(tmp_path / "coco"), is_dir=False)
        converter.convert_to_yolo(str(out / "tasks.json"), str(tmp_path / "yolo"), is_dir=False)
    finally:
        logging.disable(logging.NOTSET)
    coco = json.loads((tmp_path / "coco" / "result.json").read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    theirs = sorted((names[a["category_id"]], *(round(v, 3) for v in a["bbox"])) for a in coco["annotations"])
    assert theirs == ours and len(ours) == 2
    classes = (tmp_path / "yolo" / "classes.txt").read_text().split()
    (labels,) = (tmp_path / "yolo" / "labels").iterdir()
    yolo = []
    for line in labels.read_text().splitlines():
        k, *xy = line.split()
        if len(xy) == 4:  # a box: centre and size, normalised
            cx, cy, w, h = (float(v) for v in xy)
            yolo.append((classes[int(k)], round((cx - w / 2) * 200, 3), round((cy - h / 2) * 100, 3)))
        else:  # a polygon's points: its box's corner
            pts = [float(v) for v in xy]
            yolo.append((classes[int(k)], round(min(pts[0::2]) * 200, 3), round(min(pts[1::2]) * 100, 3)))
    assert sorted(yolo) == [o[:3] for o in ours]


def test_keypoint_labels_are_no_categories_and_stay_under_their_own_tag(tmp_path: Path) -> None:
    """A config's ``KeyPointLabels`` name points, which PixelProof keeps with the image, not regions: its
    labels made categories no object could have (``Nose`` in the Categories panel, offered for boxes) and
    the written config listed them under the rectangle, polygon and brush tags. A label declared for
    regions too (``Car`` here) stays a category."""
    config = """<View><Image name="img" value="$image"/>
      <RectangleLabels name="box" toName="img"><Label value="Car"/></RectangleLabels>
      <KeyPointLabels name="kp" toName="img"><Label value="Nose"/><Label value="Car"/></KeyPointLabels>
    </View>"""
    box = {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": ["Car"]}
    point = {"x": 5, "y": 5, "width": 1, "keypointlabels": ["Nose"]}
    region = {"original_width": 200, "original_height": 100}
    tasks = [{"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": [
        {**_result("rectanglelabels", "box", box), **region},
        {**_result("keypointlabels", "kp", point), **region},
    ]}]}]  # fmt: skip
    Image.new("RGB", (200, 100)).save(tmp_path / "a.png")
    (tmp_path / "label_config.xml").write_text(config)
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    project = read_labelstudio(tmp_path / "export.json").project
    assert [c.name for c in project.categories.values()] == ["Car"]
    write_labelstudio(project, tmp_path / "out")
    parsed = label_config.parse_config((tmp_path / "out" / "label_config.xml").read_text())
    assert parsed["kp"]["type"] == "KeyPointLabels" and parsed["kp"]["labels"] == ["Nose", "Car"]
    for decl in parsed.values():
        if decl["type"] in ("RectangleLabels", "PolygonLabels", "BrushLabels"):
            assert decl["labels"] == ["Car"]
    (task,) = json.loads((tmp_path / "out" / "tasks.json").read_text())
    kept = [r for r in task["annotations"][0]["result"] if r["type"] == "keypointlabels"]
    assert [r["value"] for r in kept] == [point]


HOTKEYS = """<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img">
    <Label value="Car" hotkey="c"/><Label value="Person" hotkey="2"/><Label value="Road" hotkey="1"/>
    <Label value="Tree" hotkey="ctrl+3"/><Label value="Bus" hotkey="2"/><Label value="Sky"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Person" hotkey="4"/></PolygonLabels>
</View>"""


def test_label_hotkeys_digits_become_category_keys_the_others_are_said(tmp_path: Path) -> None:
    """A config's ``hotkey`` on a label was dropped without a word: a Label Studio user pressing 2 for
    Person got whatever category came second. A digit 1-9 is now that category's key (the Categories
    panel's Key column); a letter or chord (PixelProof's letters are tool keys: B, P, E, F, ...), a
    digit another label took first, or a second key for one category are named with their label in one
    line, and given a digit Label Studio left free (Car 5, Tree 6, Bus 7); Sky, without a hotkey, has 3,
    the key Label Studio gives it (``test_labelstudio_hotkeys``). The hotkeys are read with Label
    Studio's own parser."""
    hotkeys = {
        name: attrs["hotkey"]
        for tag in label_config.parse_config(HOTKEYS).values()
        for name, attrs in tag["labels_attrs"].items()
        if "hotkey" in attrs
    }
    assert hotkeys["Person"] in ("2", "4") and hotkeys["Car"] == "c"  # what Label Studio reads
    Image.new("RGB", (20, 10)).save(tmp_path / "a.png")
    (tmp_path / "label_config.xml").write_text(HOTKEYS)
    (tmp_path / "export.json").write_text(json.dumps([{"id": 1, "data": {"image": "a.png"}}]))
    result = read_labelstudio(tmp_path / "export.json")
    keys = {c.name: c.shortcut for c in result.project.categories.values()}
    assert keys == {"Car": "5", "Person": "2", "Road": "1", "Tree": "6", "Bus": "7", "Sky": "3"}
    (line,) = [p for p in result.problems if "hotkey" in p]
    assert line.startswith(f"{tmp_path / 'label_config.xml'}: ")
    for said in (
        "'Car' c (its key here: 5)",
        "'Tree' ctrl+3 (its key here: 6)",
        "'Bus' 2 (taken by 'Person'; its key here: 7)",
        "'Person' 4 (it has 2 already)",
    ):
        assert said in line
    assert "number keys 1-9" in line
    save_project(result.project, tmp_path / "project.json")  # a key the saved project keeps
    assert load_project(tmp_path / "project.json").category_by_name("Person").shortcut == "2"

"""Label Studio hotkeys and PixelProof's category keys, both ways. The keys expected are those Label
Studio's editor binds (``Annotation.setupHotKeys``): every ``hotkey`` first, then, in config order, each
label, choice, number or rating without one gets the first of ``1234567890qwet...`` no control has. The
configs are in the style of Label Studio's own templates; the written config is read with Label Studio's
parser (``label_studio_tools``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.core.category_keys import category_keys
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

label_config = pytest.importorskip("label_studio_tools.core.label_config")

TEMPLATE = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Cat" hotkey="1" background="#FFA39E"/>
    <Label value="Dog" background="#D4380D"/>
    <Label value="Bird" hotkey="2" background="#FFC069"/>
  </RectangleLabels>
</View>"""


def _read(tmp_path: Path, config: str, name: str = "label_config.xml") -> tuple[Project, list[str]]:
    Image.new("RGB", (20, 10)).save(tmp_path / "a.png")
    (tmp_path / name).write_text(config)
    (tmp_path / "export.json").write_text(json.dumps([{"id": 1, "data": {"image": "a.png"}}]))
    result = read_labelstudio(tmp_path / "export.json", label_config=tmp_path / name)
    return result.project, result.problems


def _keys(project: Project) -> dict[str, str]:
    """The category each digit chooses in the app (the Key column, the digit actions)."""
    return {k: c.name for k, c in category_keys(project.categories.values()).items()}


def _written_hotkeys(config: str) -> dict[str, dict[str, str]]:
    """Label Studio's reading of a written config: tag type -> label -> its hotkey."""
    return {
        tag["type"]: {n: a["hotkey"] for n, a in tag["labels_attrs"].items() if "hotkey" in a}
        for tag in label_config.parse_config(config).values()
    }


def test_a_label_without_hotkey_gets_the_key_label_studio_gives_it(tmp_path: Path) -> None:
    """Cat has 1, Bird 2, Dog none: Label Studio binds Dog to 3, the first key no label has. PixelProof
    gave Dog no key at all (its place, 2, was Bird's), so the key that picked Dog in Label Studio did
    nothing and Dog could only be chosen with the mouse."""
    project, problems = _read(tmp_path, TEMPLATE)
    assert _keys(project) == {"1": "Cat", "2": "Bird", "3": "Dog"}
    assert not [p for p in problems if "hotkey" in p]


def test_keys_label_studio_gives_in_config_order_across_tags(tmp_path: Path) -> None:
    """Label Studio keys choices too, in config order: with the weather choices first and no hotkeys,
    Car is 3 and Person 4 there, so they are here; 1 and 2 (choices) pick no category."""
    config = """<View>
      <Image name="image" value="$image"/>
      <Choices name="weather" toName="image"><Choice value="Sunny"/><Choice value="Rainy"/></Choices>
      <RectangleLabels name="label" toName="image">
        <Label value="Car"/><Label value="Person"/>
      </RectangleLabels>
    </View>"""
    project, _ = _read(tmp_path, config)
    assert _keys(project) == {"3": "Car", "4": "Person"}


def test_hotkeys_come_back_on_export_and_round_trip(tmp_path: Path) -> None:
    """The written ``label_config.xml`` had no ``hotkey``: a project read from Label Studio with its
    keys went back with Label Studio's own keys in their place (Dog on 2, Bird on 3). Each category's
    key is now its label's ``hotkey`` under the tag of the project's kind of object (rectangles here),
    the other tags' labels left to Label Studio, and reading the export back gives the same keys."""
    project, _ = _read(tmp_path, TEMPLATE)
    (image,) = project.images.values()
    cat = project.category_by_name("Dog")
    project.add_annotation(Annotation(1, image.id, cat.id, bbox=[1, 1, 5, 5]))
    save_project(project, tmp_path / "project.json")  # what the app saves, then exports
    write_labelstudio(load_project(tmp_path / "project.json"), tmp_path / "out")
    written = (tmp_path / "out" / "label_config.xml").read_text()
    hotkeys = _written_hotkeys(written)
    assert hotkeys["RectangleLabels"] == {"Cat": "1", "Dog": "3", "Bird": "2"}
    assert hotkeys["PolygonLabels"] == hotkeys["BrushLabels"] == {}
    back = read_labelstudio(tmp_path / "out" / "tasks.json", import_predictions="skip")
    assert _keys(back.project) == {"1": "Cat", "2": "Bird", "3": "Dog"}
    assert not [p for p in back.problems if "hotkey" in p]


def test_the_hotkeys_go_on_the_tag_of_the_projects_objects(tmp_path: Path) -> None:
    """A project of polygons: its keys go on ``PolygonLabels`` (pressing 2 in Label Studio picks Dog for
    a polygon, not a rectangle), its keys by place (no key set: 1 = first) written as they work here. A
    category no digit picks (a tenth) gets no hotkey: Label Studio then gives it one of its own."""
    project = Project()
    image = project.add_image(ImageRecord(1, "a.png", 20, 10))
    for n in range(1, 11):
        project.add_category(Category(n, f"c{n}", shortcut="9" if n == 1 else None))
    project.add_annotation(Annotation(1, image.id, 2, [1, 1, 4, 4], [[1, 1, 5, 1, 5, 5]]))
    assert _keys(project) == {"9": "c1", **{str(n): f"c{n}" for n in range(2, 9)}}
    write_labelstudio(project, tmp_path / "out")
    hotkeys = _written_hotkeys((tmp_path / "out" / "label_config.xml").read_text())
    assert hotkeys["PolygonLabels"] == {"c1": "9", **{f"c{n}": str(n) for n in range(2, 9)}}
    assert hotkeys["RectangleLabels"] == hotkeys["BrushLabels"] == {}
    back = read_labelstudio(tmp_path / "out" / "tasks.json")
    assert _keys(back.project) == _keys(project)


@pytest.mark.parametrize(
    ("labels", "keys", "said"),
    [
        # two labels on one key: Label Studio binds both; the second gets a key Label Studio left free
        ('<Label value="A" hotkey="1"/><Label value="B" hotkey="1"/>', {"1": "A", "2": "B"},
         ["'B' 1 (taken by 'A'; its key here: 2)"]),
        # a chord and letters (a capital is Label Studio's same key) are no category keys here
        ('<Label value="A" hotkey="ctrl+1"/><Label value="B" hotkey="Q"/><Label value="C"/>',
         {"1": "C", "2": "A", "3": "B"},
         ["'A' ctrl+1 (its key here: 2)", "'B' Q (its key here: 3)"]),
        # a hotkey on a label without a value: no category; Label Studio keeps its key bound
        ('<Label value="" hotkey="1"/><Label value="A"/>', {"2": "A"},
         ['<RectangleLabels name="label">: a <Label> without a value (hotkey 1) skipped']),
        # a hotkey thousands of characters long is cut in the line that names it
        (f'<Label value="A" hotkey="{"x" * 5000}"/>', {"1": "A"}, ["'A' 'xxxx"]),
    ],
)  # fmt: skip
def test_hotkeys_no_digit_can_hold_are_said_and_given_a_free_digit(
    tmp_path: Path, labels: str, keys: dict[str, str], said: list[str]
) -> None:
    config = f"""<View><Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image">{labels}</RectangleLabels></View>"""
    project, problems = _read(tmp_path, config, "ls config.xml")
    assert _keys(project) == keys
    lines = [p for p in problems if "hotkey" in p or "<Label>" in p]
    assert lines and all(p.startswith(f"{tmp_path / 'ls config.xml'}: ") for p in lines)
    assert all(len(p) < 1000 for p in lines)
    for text in said:
        assert any(text in p for p in lines), (text, lines)


# Label Studio's Choice tag takes hotkey, alias (what results hold instead of the value), hint, selected,
# style, html; a KeyPointLabels' Label hotkey and background (labelstud.io/tags/choice, /tags/label)
CHOICES = """<View>
  <Image name="image" value="$image"/>
  <Choices name="weather" toName="image" choice="single" showInline="true">
    <Choice value="Sunny" hotkey="s" hint="clear sky"/>
    <Choice value="Rainy" hotkey="r" alias="wet"/>
    <Choice value="Night" hotkey="n" selected="true"/>
  </Choices>
  <Choices name="quality" toName="image" choice="multiple">
    <Choice value="blurry" hotkey="b"/><Choice value="dark"/>
  </Choices>
  <KeyPointLabels name="kp" toName="image"><Label value="nose" hotkey="k" background="red"/></KeyPointLabels>
  <RectangleLabels name="label" toName="image">
    <Label value="Car" hotkey="1"/><Label value="Person"/>
  </RectangleLabels>
</View>"""
KEPT_NAMES = ("weather", "quality", "kp")


def _exported(tmp_path: Path, project: Project, name: str) -> str:
    """The project saved as the app saves it, exported to ``tmp_path/name``; its label config."""
    save_project(project, tmp_path / f"{name}.json")
    write_labelstudio(load_project(tmp_path / f"{name}.json"), tmp_path / name)
    return (tmp_path / name / "label_config.xml").read_text()


def test_choice_hotkeys_and_attributes_round_trip(tmp_path: Path) -> None:
    """A Choice's ``hotkey`` (and ``alias``, ``hint``, ``selected``; a key point label's ``hotkey`` and
    ``background``) was dropped on export: the Choices came back with their values only, so the keys a
    team chose for them were gone and Label Studio gave them its own (taking 1, 2... ahead of the labels),
    and an aliased choice came back as a second choice named by its alias. Label Studio's parser now
    reads the written tags' choices as it reads the imported ones, also after a second round trip."""
    Image.new("RGB", (20, 10)).save(tmp_path / "a.png")
    (tmp_path / "label_config.xml").write_text(CHOICES)
    chose = {"type": "choices", "from_name": "weather", "to_name": "image", "value": {"choices": ["wet"]}}
    task = {"id": 1, "data": {"image": "a.png"}, "annotations": [{"id": 1, "result": [chose]}]}
    (tmp_path / "export.json").write_text(json.dumps([task]))
    project = read_labelstudio(tmp_path / "export.json").project
    assert _keys(project) == {"1": "Car", "3": "Person"}  # Label Studio's: dark 2 (no hotkey), Person 3
    original = label_config.parse_config(CHOICES)
    written = label_config.parse_config(_exported(tmp_path, project, "out"))
    for name in KEPT_NAMES:
        assert written[name]["labels"] == original[name]["labels"], name
        assert written[name]["labels_attrs"] == original[name]["labels_attrs"], name
    assert written["label"]["labels_attrs"]["Car"]["hotkey"] == "1"
    back = read_labelstudio(tmp_path / "out" / "tasks.json", import_predictions="skip")
    assert _keys(back.project) == _keys(project)
    again = label_config.parse_config(_exported(tmp_path, back.project, "again"))
    assert {n: again[n]["labels_attrs"] for n in KEPT_NAMES} == {
        n: written[n]["labels_attrs"] for n in KEPT_NAMES
    }


def test_a_choice_hotkey_a_category_key_took_is_left_to_label_studio_and_said(tmp_path: Path) -> None:
    """Person given 3 in PixelProof, the key of the choice Rainy: the category keeps it (written on its
    label), the choice's hotkey is left out, so one key does not pick both in Label Studio (which gives
    the choice a key of its own), and the export says so."""
    Image.new("RGB", (20, 10)).save(tmp_path / "a.png")
    (tmp_path / "label_config.xml").write_text(CHOICES.replace('hotkey="r"', 'hotkey="3"'))
    (tmp_path / "export.json").write_text(json.dumps([{"id": 1, "data": {"image": "a.png"}}]))
    project = read_labelstudio(tmp_path / "export.json").project
    assert _keys(project) == {"1": "Car", "4": "Person"}
    project.category_by_name("Person").shortcut = "3"
    save_project(project, tmp_path / "p.json")
    warnings = write_labelstudio(load_project(tmp_path / "p.json"), tmp_path / "out")
    written = label_config.parse_config((tmp_path / "out" / "label_config.xml").read_text())
    assert written["label"]["labels_attrs"]["Person"]["hotkey"] == "3"
    assert written["weather"]["labels_attrs"]["wet"] == {"value": "Rainy", "alias": "wet"}
    assert written["weather"]["labels_attrs"]["Sunny"]["hotkey"] == "s"
    said = [w for w in warnings if "hotkey" in w]
    assert said == [
        "label_config.xml: hotkeys of the imported config left out, a category's key here (one key would "
        "pick both; Label Studio gives each its own): "
        "<Choices name=\"weather\">: 'Rainy' 3 (category 'Person')"
    ], warnings

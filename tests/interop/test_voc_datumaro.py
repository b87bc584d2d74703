"""Pascal VOC from Datumaro's test assets (tests/data/datumaro/voc_dataset, MIT): the expectations are
Datumaro's (tests/integration/cli/test_voc_format.py: voc_layout and voc_action). Datumaro reads the
corners as plain coordinates, which is ``one_based=False`` here."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pixelproof.interop.voc import read_voc, write_voc

VOC1 = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "voc_dataset" / "voc_dataset1"
ACTIONS = {
    "other": 1, "jumping": 0, "phoning": 1, "playinginstrument": 0, "reading": 1, "ridingbike": 0,
    "ridinghorse": 1, "running": 0, "takingphoto": 1, "usingcomputer": 0, "walking": 1,
}  # fmt: skip


def _boxes(project) -> list[tuple[str, list[float], dict]]:
    return [
        (project.categories[a.category_id].name, a.bbox, a.app_extra) for a in project.annotations.values()
    ]


def test_parts_are_boxes_linked_to_their_object_and_actions_are_kept() -> None:
    result = read_voc(VOC1, one_based=False)
    assert result.problems == []
    (image,) = result.project.images.values()
    assert (image.width, image.height) == (20, 10)
    cat, person, head = _boxes(result.project)
    assert cat == ("cat", pytest.approx([1, 2, 2, 2]), {"difficult": 0, "truncated": 1})
    # Datumaro: Bbox(4, 5, 2, 2, person) and Bbox(5.5, 6, 2, 2, head) in the same group
    assert person[:2] == ("person", pytest.approx([4, 5, 2, 2]))
    assert head[:2] == ("head", pytest.approx([5.5, 6, 2, 2]))
    assert head[2]["group_id"] == person[2]["group_id"] and head[2]["part_of"] == "person"
    assert "group_id" not in cat[2]
    assert person[2]["actions"] == ACTIONS  # VOC Action: one flag per action


def test_one_based_default_shifts_parts_like_their_objects() -> None:
    person, head = _boxes(read_voc(VOC1).project)[1:]
    assert person[1] == pytest.approx([3, 4, 3, 3]) and head[1] == pytest.approx([4.5, 5, 3, 3])


def test_parts_and_actions_are_written_back_inside_their_object(tmp_path: Path) -> None:
    project = read_voc(VOC1).project
    project.annotations[3].bbox = [4.0, 5.0, 3.0, 3.0]  # whole pixels: VOC writes integers
    write_voc(project, tmp_path)
    doc = ET.parse(tmp_path / "Annotations" / "2007_000001.xml").getroot()
    objects = doc.findall("object")
    assert [o.findtext("name") for o in objects] == ["cat", "person"]
    (part,) = objects[1].findall("part")
    assert part.findtext("name") == "head"
    assert [part.findtext(f"bndbox/{t}") for t in ("xmin", "ymin", "xmax", "ymax")] == ["5", "6", "7", "8"]
    assert {a.tag: int(a.text) for a in objects[1].find("actions")} == ACTIONS
    again = _boxes(read_voc(tmp_path).project)
    assert [(n, b) for n, b, _ in again] == [(n, b) for n, b, _ in _boxes(project)]
    assert again[2][2] == {"group_id": 2, "part_of": "person"}

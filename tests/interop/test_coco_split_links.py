"""Reading a COCO export folder of several splits renumbers a later file's colliding object ids: the links
PixelProof keeps between objects (``from_box``, ``consensus_of``) and its "not a problem" decisions
(``lint.dismissed``) follow them, as ``pixelproof renumber``'s do; one naming no object of its own file
(another split's, or a deleted one) is removed and said, never left to name whatever took that id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pixelproof.interop import read_coco

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"


def _export(tmp_path: Path) -> Path:
    """The sample export (train: image 5 with object 1; val: image 40 with objects 1 and 2) with
    PixelProof's links and decisions written into each split's file, in that file's ids."""
    src = tmp_path / "coco"
    shutil.copytree(DATA, src)
    train = src / "annotations" / "instances_train.json"
    doc = json.loads(train.read_text())
    doc["pixelproof"] = {"lint": {"dismissed": ["tiny_box|5|1", "no_objects|5|-"]}}
    train.write_text(json.dumps(doc))
    val = src / "annotations" / "instances_val.json"
    doc = json.loads(val.read_text())
    first, second = doc["annotations"]
    second["pixelproof"] = {"from_box": 1}  # val's own object 1 (train has an object 1 too)
    first["pixelproof"] = {"consensus_of": [2, 77], "from_box": 77}  # 77: in no file of the export
    doc["pixelproof"] = {"lint": {"dismissed": ["overlap|40|1+2", "tiny_box|40|77", "tiny_box|5|1"]}}
    val.write_text(json.dumps(doc))
    return src


def test_links_and_decisions_follow_the_renumbered_objects_of_their_own_split(tmp_path: Path) -> None:
    src = _export(tmp_path)
    result = read_coco(src)
    project = result.project
    by_image = {i.file_name: i.id for i in project.images.values()}
    train_image, val_image = by_image["images/train/a.jpg"], by_image["images/val/b.jpg"]
    (train_obj,) = project.annotations_of(train_image)
    val_objs = sorted(project.annotations_of(val_image), key=lambda a: a.area)
    box = next(a for a in val_objs if "consensus_of" in a.app_extra)  # val's object 1, renumbered
    mask = next(a for a in val_objs if a is not box)  # val's object 2
    assert train_obj.id == 1 and box.id not in (1, 2)  # val's 1 collided with train's 1
    assert mask.app_extra == {"from_box": box.id}  # val's own box, not train's object 1
    assert box.app_extra == {"consensus_of": [mask.id]}  # 77 named nothing in val: removed
    assert project.app["lint"]["dismissed"] == [
        "tiny_box|5|1",
        "no_objects|5|-",
        f"overlap|{val_image}|{box.id}+{mask.id}",
    ]
    val = src / "annotations" / "instances_val.json"
    assert (
        f"{val}: 4 references to objects or images not in this file removed (1 annotations[].pixelproof."
        "consensus_of, 1 annotations[].pixelproof.from_box, 2 pixelproof.lint.dismissed): each file's links "
        "name its own objects, so another split's (or a deleted) one cannot be told apart from the object "
        "that took its id"
    ) in result.problems


def test_files_whose_ids_do_not_collide_keep_their_links_and_say_nothing(tmp_path: Path) -> None:
    src = _export(tmp_path)
    train = src / "annotations" / "instances_train.json"
    doc = json.loads(train.read_text())
    doc["annotations"][0]["id"] = 9  # no collision: nothing is renumbered
    doc["pixelproof"] = {"lint": {"dismissed": ["tiny_box|5|9"]}}
    train.write_text(json.dumps(doc))
    val = src / "annotations" / "instances_val.json"
    doc = json.loads(val.read_text())
    doc["annotations"][0]["pixelproof"] = {"consensus_of": [2]}
    doc["pixelproof"] = {"lint": {"dismissed": ["overlap|40|1+2"]}}
    val.write_text(json.dumps(doc))
    result = read_coco(src)
    project = result.project
    assert sorted(project.annotations) == [1, 2, 9]
    assert project.annotations[2].app_extra == {"from_box": 1}
    assert project.annotations[1].app_extra == {"consensus_of": [2]}
    assert project.app["lint"]["dismissed"] == ["tiny_box|5|9", "overlap|40|1+2"]
    assert not [p for p in result.problems if "not in this file removed" in p]


def test_the_last_prelabel_runs_images_follow_their_split_and_one_run_is_joined(tmp_path: Path) -> None:
    src = _export(tmp_path)
    run = {"run": "r1", "inputs": {"--backend": "onnx"}}
    train = src / "annotations" / "instances_train.json"
    doc = json.loads(train.read_text())
    doc["pixelproof"] = {"prelabel_run": {**run, "images": [5, 99], "done": [5, 99]}}  # 99: in no file
    train.write_text(json.dumps(doc))
    val = src / "annotations" / "instances_val.json"
    doc = json.loads(val.read_text())
    doc["images"][0]["id"] = 5  # val's image takes train's id: renumbered
    for a in doc["annotations"]:
        a["image_id"] = 5
    doc["pixelproof"] = {"prelabel_run": {**run, "images": [5], "done": []}}
    val.write_text(json.dumps(doc))
    result = read_coco(src)
    by_image = {i.file_name: i.id for i in result.project.images.values()}
    train_image, val_image = by_image["images/train/a.jpg"], by_image["images/val/b.jpg"]
    assert train_image == 5 and val_image != 5
    assert result.project.app["prelabel_run"] == {**run, "images": [5, val_image], "done": [5]}
    assert any("2 pixelproof.prelabel_run" in p for p in result.problems if p.startswith(str(train)))


def test_a_joined_runs_shrink_factors_come_from_each_file(tmp_path: Path) -> None:
    """The factors of done images shrunk a lot to the model's input (``shrunk``) follow their images from
    each split file: the second file's were dropped, so a continued run's summary named fewer."""
    src = _export(tmp_path)
    run = {"run": "r1", "inputs": {"--backend": "onnx"}}
    train = src / "annotations" / "instances_train.json"
    doc = json.loads(train.read_text())
    doc["pixelproof"] = {"prelabel_run": {**run, "images": [5], "done": [5], "shrunk": [[5, 6.0]]}}
    train.write_text(json.dumps(doc))
    val = src / "annotations" / "instances_val.json"
    doc = json.loads(val.read_text())
    doc["images"][0]["id"] = 5  # renumbered on reading: its factor follows it
    for a in doc["annotations"]:
        a["image_id"] = 5
    doc["pixelproof"] = {"prelabel_run": {**run, "images": [5], "done": [5], "shrunk": [[5, 9.5]]}}
    val.write_text(json.dumps(doc))
    project = read_coco(src).project
    by_image = {i.file_name: i.id for i in project.images.values()}
    train_image, val_image = by_image["images/train/a.jpg"], by_image["images/val/b.jpg"]
    assert project.app["prelabel_run"]["shrunk"] == [[train_image, 6.0], [val_image, 9.5]]

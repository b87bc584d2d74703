"""The review view's Reference line says what is compared with what: which file or folder, what in it
is the ground truth, and that this project's objects are scored against it ("project.json (project)" left
open whether "project" meant the open one)."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.interop.references import load_reference, reference_line

CANDIDATE = " · Candidate: this project's objects"


def _coco(path) -> None:  # type: ignore[no-untyped-def]
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, "x.png", 30, 20))
    save_project(project, path)


def test_a_coco_file_is_named_with_what_it_holds_and_the_candidate_beside_it(tmp_path) -> None:
    _coco(tmp_path / "project.json")
    own = tmp_path / "work" / "labels.json"
    own.parent.mkdir()
    _coco(own)
    reference = load_reference(tmp_path / "project.json")
    line, tip = reference_line(tmp_path / "project.json", reference, None, own)
    assert line == "objects in project.json, read as COCO JSON" + CANDIDATE
    assert str(tmp_path / "project.json") in tip and "ground truth" in tip
    # before it is read: the file, nothing guessed
    assert (
        reference_line(tmp_path / "project.json", None, None, own)[0] == "the file project.json" + CANDIDATE
    )


def test_the_projects_own_file_is_said_to_be_it(tmp_path) -> None:
    own = tmp_path / "project.json"
    _coco(own)
    line, tip = reference_line(tmp_path / "." / "project.json", load_reference(own), None, own)
    assert line == "this project's file as last saved (project.json) · Candidate: its objects as edited now"
    assert "not saved" in tip


def test_mask_folders_say_instance_or_semantic(tmp_path) -> None:
    inst = np.zeros((20, 30), np.uint8)
    inst[2:8, 2:8] = 1
    inst[10:16, 10:18] = 2
    instances, semantic = tmp_path / "instances", tmp_path / "semantic"
    for folder in (instances, semantic):
        folder.mkdir()
        Image.fromarray(inst, mode="L").save(folder / "x.png")
    (instances / "classes.json").write_text(json.dumps({"instances": {"x.png": {"1": "cat", "2": "cat"}}}))
    (semantic / "classes.json").write_text(json.dumps({"1": "cat", "2": "dog"}))
    line = reference_line(instances, load_reference(instances))[0]
    assert line == "instance masks in the folder instances" + CANDIDATE
    line = reference_line(semantic, load_reference(semantic))[0]
    assert line == "semantic masks (one region per class) in the folder semantic" + CANDIDATE


def test_a_dataset_folder_names_the_format_it_is_read_as(tmp_path) -> None:
    gt = tmp_path / "cs" / "gtFine" / "val" / "x"
    gt.mkdir(parents=True)
    Image.fromarray(np.full((20, 30), 7, np.uint8)).save(gt / "f_000000_000019_gtFine_labelIds.png")
    reference = load_reference(tmp_path / "cs")
    line = reference_line(tmp_path / "cs", reference)[0]
    assert line == "labels (one region per class) in the folder cs, read as Cityscapes (gtFine)" + CANDIDATE
    # before the read, a format the user named (the folder's layout said nothing)
    line = reference_line(tmp_path / "cs", None, "labelme")[0]
    assert line == "labels in the folder cs, read as LabelMe folder" + CANDIDATE
    assert reference_line(tmp_path / "cs")[0] == "the folder cs" + CANDIDATE

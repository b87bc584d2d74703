"""The class mapping remembered per model names categories: renaming a category carries the mapping
along (else the next run re-creates the old name as a new, empty category), it is saved so, and undo
brings it back; recolouring leaves it alone."""

from __future__ import annotations

import copy

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits.model_mapping import MAPPINGS, RememberMapping, remembered
from pixelproof.core.edits.taxonomy import ReplaceCategory
from pixelproof.core.taxonomy import rename_category


def test_renaming_a_category_renames_it_in_the_remembered_mappings(tmp_path) -> None:
    project = new_project(["cat", "dog"])
    RememberMapping("threshold/builtin", {"object": "cat", "noise": None}).apply(project)
    RememberMapping("yolo-onnx/best.onnx", {"kitten": "cat", "puppy": "dog"}).apply(project)
    before = copy.deepcopy(project.app[MAPPINGS])
    edit = rename_category(project, "cat", "kitty")  # the Categories panel's Rename and `taxonomy rename`
    edit.apply(project)
    assert remembered(project, "threshold/builtin") == {"object": "kitty", "noise": None}
    assert remembered(project, "yolo-onnx/best.onnx") == {"kitten": "kitty", "puppy": "dog"}
    save_project(project, tmp_path / "p.json")
    assert remembered(load_project(tmp_path / "p.json"), "threshold/builtin")["object"] == "kitty"
    edit.revert(project)
    assert project.app[MAPPINGS] == before
    recolour = copy.deepcopy(project.category_by_name("dog"))
    recolour.color = "#123456"
    ReplaceCategory(recolour).apply(project)  # not a rename: the mappings are left alone
    assert project.app[MAPPINGS] == before

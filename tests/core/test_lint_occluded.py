"""fragmented_mask on an object seen in parts past the objects in front of it (LabelMe's own example,
converted by its labelme2coco: a sofa drawn as four polygons around the three people sitting on it, one
object by its group_id). The parts are not islands to split off: the people bridge them. Without the
people, or with an object of the same class between them (two sofas drawn as one), they still are."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import load_project
from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.model import Project

RULES = parse_rules({})


@pytest.fixture
def sofa_scene(shared_fixtures: Path) -> tuple[Project, int]:
    path = shared_fixtures / "labelme" / "instance_segmentation" / "data_dataset_coco" / "annotations.json"
    project = load_project(path)
    (sofa,) = [a.id for a in project.annotations.values() if project.categories[a.category_id].name == "sofa"]
    assert len(project.annotations[sofa].segmentation) == 4  # four parts, one object
    return project, sofa


def fragmented(project: Project, aid: int) -> list:
    return [
        p
        for p in lint_project(project, RULES).problems
        if p.kind == "fragmented_mask" and p.annotation_id == aid
    ]


def in_front(project: Project, sofa: int) -> list[int]:
    image = project.annotations[sofa].image_id
    return [a.id for a in project.annotations_of(image) if a.id != sofa]


def test_parts_seen_past_the_objects_in_front_are_one_object(sofa_scene) -> None:
    project, sofa = sofa_scene
    assert fragmented(project, sofa) == []


def test_parts_with_nothing_between_them_are_still_islands(sofa_scene) -> None:
    project, sofa = sofa_scene
    for aid in in_front(project, sofa):
        project.remove_annotation(aid)
    (problem,) = fragmented(project, sofa)
    assert problem.fix["action"] == "split"


def test_an_object_of_the_same_class_between_parts_does_not_bridge_them(sofa_scene) -> None:
    """Two sofas drawn as one object, another sofa between them: still one to split."""
    project, sofa = sofa_scene
    for aid in in_front(project, sofa):
        project.annotations[aid].category_id = project.annotations[sofa].category_id
    assert len(fragmented(project, sofa)) == 1

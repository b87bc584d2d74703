"""A missing object found by running a model (``lint --backend``, the Problems panel's Model panel source)
is the model's prediction, not an object of the project: its fix adds a copy. It named the prediction's
id as a pending object of the project to accept (``prediction_id``), an id the project hands out to its
next objects: after a pre-label of another image, Shift+F accepted that image's pending prediction (of
another class) and left the missing object missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.lint import lint_project
from pixelproof.core.lint.apply import fix_edit
from pixelproof.core.lint.fixes import describe
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.inference.apply import predict_project
from pixelproof.inference.base import Backend, Prediction


class Dogs(Backend):
    """A confident dog at the same spot of every picture."""

    name = "dogs"
    kind = "detect"

    def categories(self) -> list[str]:
        return ["dog"]

    def predict(self, image, prompt=None):
        return [Prediction("dog", 0.99, [10, 10, 20, 20])]


def _project(tmp_path: Path) -> Project:
    p = Project()
    p.path = tmp_path / "project.json"
    for i in (1, 2):
        Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(tmp_path / f"{i}.png")
        p.add_image(ImageRecord(i, f"{i}.png", 40, 40))
    p.add_category(Category(1, "dog"))
    p.add_category(Category(2, "cat"))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 20.0, 20.0], None, 400.0))  # image 2's dog is missing
    return p


def test_a_model_runs_missing_object_is_added_not_an_object_of_the_project_accepted(tmp_path: Path) -> None:
    project = _project(tmp_path)
    predictions, _, _ = predict_project(project, Dogs())
    (problem,) = [p for p in lint_project(project, None, predictions).problems if p.kind == "missing_object"]
    assert problem.image_id == 2
    assert "prediction_id" not in problem.fix["annotation"]
    assert describe(problem.fix, {1: "dog"}) == "add the model's dog as a label"
    # meanwhile image 1 is pre-labeled: its pending cats take the next ids, those the predictions had
    first = project.next_annotation_id(2)
    cats = [Annotation(first + k, 1, 2, [k, 0.0, 5.0, 5.0], None, 25.0, review="pending") for k in (0, 1)]
    AddAnnotations(cats).apply(project)
    fix_edit(project, problem.fix).apply(project)
    assert [project.annotations[c.id].review for c in cats] == ["pending"] * 2  # none taken for the dog
    (added,) = project.annotations_of(2)
    assert (added.category_id, added.bbox) == (1, [10.0, 10.0, 20.0, 20.0])


class Unsure(Dogs):
    """yolo11n's way: its best scores stay under ObjectLab's 0.95."""

    def predict(self, image, prompt=None):
        return [Prediction("dog", 0.9, [10, 10, 20, 20])]


def test_a_model_that_never_reaches_confident_is_said_with_its_highest_score(tmp_path: Path) -> None:
    """No prediction reached --confident (0.95), so missing_object and wrong_class found nothing, without a
    word: with yolo11n none of 12 dropped labels was found until --confident 0.5."""
    from pixelproof.core.lint.predictions import unconfident_note
    from pixelproof.core.lint.rules import parse_rules

    project = _project(tmp_path)
    predictions, _, _ = predict_project(project, Unsure())
    result = lint_project(project, None, predictions)
    assert not [p for p in result.problems if p.kind == "missing_object"]
    assert result.options["unconfident"] == {"predictions": 2, "highest": 0.9, "confident": 0.95}
    note = unconfident_note(result.options, "--confident")
    assert note == (
        "no prediction reaches the confident score 0.95 (the highest of 2 is 0.9): missing_object and "
        "wrong_class can find nothing; lower --confident (0.5 suits a small model such as yolo11n)"
    )
    lowered = lint_project(project, parse_rules({"classes": {"dog": {"confident": 0.5}}}), predictions)
    assert lowered.options["unconfident"] is None  # a class's own threshold is reached
    assert [p.image_id for p in lowered.problems if p.kind == "missing_object"] == [2]
    assert lint_project(project).options["unconfident"] is None  # no model

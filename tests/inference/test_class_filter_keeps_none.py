"""``keeps_none``: why a run keeping to the project's categories cannot add anything (said before it runs)."""

from __future__ import annotations

from pixelproof.inference.class_filter import ClassFilter, keeps_none


def test_keeps_none_only_when_no_class_reaches_a_project_category() -> None:
    project = frozenset({"lesion"})
    coco = ["person", "dining table"]
    assert keeps_none(coco, ClassFilter({}, True, project)) == (
        "none of the model's 2 classes is one of the project's categories"
    )
    assert keeps_none(coco, ClassFilter({"person": "lesion"}, True, project)) == ""  # mapped onto one
    assert keeps_none(coco, ClassFilter({}, False, project)) == ""  # new categories allowed
    assert keeps_none([], ClassFilter({}, True, project)) == ""  # the model does not name its classes


def test_one_class_or_prediction_is_worded_as_one() -> None:
    """Never "none of the model's 1 classes": a one-class model (a custom detector) is said as such, in
    the pre-run refusal (CLI and app) and in lint's "knows none of the project's classes"."""
    from pixelproof.inference.apply import knows_none

    project = frozenset({"lesion"})
    assert keeps_none(["zebra"], ClassFilter({}, True, project)) == (
        "the model's one class is not one of the project's categories"
    )
    assert knows_none({1: []}, 1) == "the model's one prediction is not of a class the project has"
    assert knows_none({1: [], 2: []}, 3) == "none of the model's 3 predictions is of a class the project has"

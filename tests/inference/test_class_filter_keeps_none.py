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

"""A confident prediction whose box touches labels of other classes but no label of its own class is a
``missing_object`` too (a person seated at a labelled table among bottles and bowls, never labelled):
ObjectLab (cleanlab) counts a prediction as overlooked only when it overlaps no label at all, FiftyOne's
evaluation shows it as an unmatched detection. It scores below ObjectLab's own missing objects."""

from __future__ import annotations

from pixelproof.core.lint import LintOptions, lint_project, parse_rules
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

PERSON, TABLE, BOTTLE = 1, 2, 3
RULES = {"thresholds": {"confident": 0.5}}


def scene(*anns: Annotation) -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 400, 200))
    for cid, name in ((PERSON, "person"), (TABLE, "table"), (BOTTLE, "bottle")):
        p.add_category(Category(cid, name))
    for a in anns:
        p.add_annotation(a)
    return p


def box(aid: int, bbox: list[float], cid: int, **kw) -> Annotation:
    return Annotation(aid, 1, cid, [float(v) for v in bbox], None, float(bbox[2] * bbox[3]), **kw)


TABLE_LABEL = box(1, [50, 100, 200, 80], TABLE)
BOTTLE_LABEL = box(2, [120, 60, 20, 40], BOTTLE)
SEATED = box(100, [100, 40, 80, 120], PERSON, score=0.91)  # IoU 0.23 with the table, 0.08 with the bottle
PREDICTIONS = {
    1: [
        SEATED,
        box(101, [50, 100, 200, 80], TABLE, score=0.8),
        box(102, [120, 60, 20, 40], BOTTLE, score=0.7),
    ]
}


def lint(project: Project, predictions=PREDICTIONS):
    return lint_project(project, parse_rules(RULES), predictions, LintOptions(min_score=0.5)).problems


def test_a_person_among_other_classes_labels_is_a_missing_object_with_the_models_box() -> None:
    found = lint(scene(TABLE_LABEL, BOTTLE_LABEL))
    assert [(p.kind, p.bbox) for p in found] == [("missing_object", SEATED.bbox)]
    p = found[0]
    assert abs(p.score - 0.85 * 0.91) < 1e-9
    assert p.figures["own_class_iou"] == 0 and 0.2 < p.figures["other_class_iou"] < 0.5
    assert "no person label covers (box IoU 0.00)" in p.message and "other classes" in p.message
    assert p.fix is not None and p.fix["action"] == "add"
    assert p.fix["annotation"]["bbox"] == SEATED.bbox and p.fix["annotation"]["category_id"] == PERSON


def test_it_ranks_below_the_missing_objects_objectlab_finds() -> None:
    """A person overlapping no label at all scores as cleanlab scores it (>= 0.9), above the seated one."""
    alone = box(103, [300, 20, 40, 60], PERSON, score=0.6)
    found = lint(scene(TABLE_LABEL, BOTTLE_LABEL), {1: [*PREDICTIONS[1], alone]})
    assert [(p.kind, p.bbox) for p in found] == [
        ("missing_object", alone.bbox),
        ("missing_object", SEATED.bbox),
    ]
    assert "other_class_iou" not in found[0].figures and found[0].score >= 0.9


def test_one_person_seen_twice_is_one_problem() -> None:
    """As for ObjectLab's missing objects: of two boxes of a class at ``near_duplicate_iou`` or more (a
    results file without NMS), only the stronger is listed, or Shift+F on each adds the person twice."""
    twice = box(104, [101, 41, 80, 120], PERSON, score=0.88)
    found = lint(scene(TABLE_LABEL, BOTTLE_LABEL), {1: [*PREDICTIONS[1], twice]})
    assert [(p.kind, p.bbox) for p in found] == [("missing_object", SEATED.bbox)]


def test_a_prediction_on_a_label_of_its_class_or_on_another_class_label_is_not_missing() -> None:
    own = box(3, [100, 40, 30, 40], PERSON)  # inside the person's box: IoU 0.125 >= 0.1
    assert not [p for p in lint(scene(TABLE_LABEL, BOTTLE_LABEL, own)) if p.kind == "missing_object"]
    on_table = box(4, [100, 40, 80, 120], TABLE)  # a table label on the person's box: a wrong_class, not this
    found = lint(scene(TABLE_LABEL, BOTTLE_LABEL, on_table))
    assert [p.kind for p in found if p.kind == "missing_object"] == []


def test_a_clean_scene_has_no_problem() -> None:
    person = box(5, [100, 40, 80, 120], PERSON)
    assert lint(scene(TABLE_LABEL, BOTTLE_LABEL, person)) == []

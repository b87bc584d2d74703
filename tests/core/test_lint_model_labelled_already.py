"""A label ObjectLab matches to a prediction that another label of its class already matches (the
model's other bowl scores under ``min_prediction_score``, so the bowl beside it is judged against the
first bowl's box) gets no fix: the fix moved it onto the first bowl, a duplicate, and one Shift+F made
one on a LabelMe photo's table of four bowls. The message names the label that holds the object."""

from __future__ import annotations

from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def _project(second_bowl: list[float]) -> tuple[Project, dict[int, list[Annotation]]]:
    p = Project()
    p.add_image(ImageRecord(1, "table.jpg", 200, 200))
    p.add_category(Category(1, "bowl"))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 40.0, 30.0], None, 1200.0))
    x, y, w, h = second_bowl
    p.add_annotation(Annotation(2, 1, 1, [x, y, w, h], None, w * h))
    predictions = {
        1: [
            Annotation(101, 1, 1, [10.0, 10.0, 40.0, 30.0], None, 1200.0, score=0.76),
            Annotation(
                102, 1, 1, [45.0, 12.0, 40.0, 30.0], None, 1200.0, score=0.45
            ),  # the second bowl, unsure
        ]
    }
    return p, predictions


def _located(project: Project, predictions: dict[int, list[Annotation]]) -> list:
    rules = parse_rules({"thresholds": {"confident": 0.5}})
    kinds = ("partial_box", "oversized_box", "bad_location")
    return [p for p in lint_project(project, rules, predictions).problems if p.kind in kinds]


def test_a_label_matched_to_an_object_another_label_holds_gets_no_fix_moving_it_there() -> None:
    project, predictions = _project([45.0, 12.0, 40.0, 30.0])
    (problem,) = _located(project, predictions)
    assert (problem.kind, problem.annotation_id) == ("bad_location", 2)
    assert problem.fix is None
    assert problem.message == (
        "bowl is matched to a bowl the model sees (box IoU 0.06, model score 0.76) that #1 labels already "
        "(box IoU 1.00): another bowl the model scores low, or a stray box?"
    )


def test_a_speck_on_a_labelled_object_gets_no_fix_and_alone_says_under_1_percent_not_0() -> None:
    project, predictions = _project([20.0, 20.0, 1.0, 3.0])
    (problem,) = _located(project, predictions)
    assert (problem.kind, problem.fix) == ("partial_box", None)
    assert "(box IoU 0.00, model score 0.76) that #1 labels already" in problem.message
    project.remove_annotation(1)
    (problem,) = _located(project, predictions)
    assert problem.message == "bowl covers only under 1% of the object the model sees (model score 0.76)"


def test_a_shifted_label_whose_object_has_no_other_label_keeps_its_fix() -> None:
    project, predictions = _project([45.0, 12.0, 40.0, 30.0])
    project.remove_annotation(1)
    predictions[1][0].bbox = [30.0, 10.0, 40.0, 30.0]  # the second bowl's box, shifted 15 px
    (problem,) = _located(project, predictions)
    assert problem.fix == {"action": "set_bbox", "annotation_id": 2, "bbox": [30.0, 10.0, 40.0, 30.0],
                           "expects": problem.fix["expects"]}  # fmt: skip
    assert problem.message.startswith("bowl is shifted from the object the model sees")


def test_a_label_stretched_from_its_object_onto_a_labelled_one_says_it_overlaps_its_own() -> None:
    """A bus label dragged wide over the next bus (labelled) is matched to that bus: no fix either, and the
    message points at the bus it also overlaps, its likely own, not at a bus the model scores low."""
    project, predictions = _project([25.0, 10.0, 95.0, 30.0])
    predictions[1][1].bbox, predictions[1][1].score = [105.0, 10.0, 40.0, 30.0], 0.8
    (problem,) = _located(project, predictions)
    assert (problem.kind, problem.annotation_id, problem.fix) == ("bad_location", 2, None)
    assert problem.message == (
        "bowl is matched to a bowl the model sees (box IoU 0.23, model score 0.76) that #1 labels already "
        "(box IoU 1.00): it also overlaps another bowl the model sees (box IoU 0.12): drawn off that one?"
    )

"""What the lint reports name: the CSV holds what the JSON holds, under the JSON's field names (the other
object of a duplicate, the model's box behind a location problem, the figures, the key: the problem's
identity across runs); the JSON's options do not give a dataset figure the name of a flag."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.lint import report as lint_report
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def box(aid: int, bbox: list[float], **kw) -> Annotation:
    return Annotation(aid, 1, 1, [float(v) for v in bbox], None, float(bbox[2] * bbox[3]), **kw)


def test_every_json_field_of_a_problem_is_a_csv_column(tmp_path: Path) -> None:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 400, 200))
    p.add_category(Category(1, "cat"))
    for a in (box(1, [10, 10, 50, 50]), box(2, [10, 10, 50, 50]), box(3, [200, 50, 20, 20])):
        p.add_annotation(a)
    seen = {1: [box(100, [10, 10, 50, 50], score=0.9), box(101, [200, 50, 60, 60], score=0.9)]}
    data = lint_report.to_dict(lint_project(p, parse_rules({"thresholds": {"confident": 0.5}}), seen))
    problems = {q["kind"]: q for q in data["problems"]}
    assert {"duplicate", "partial_box"} <= set(problems)
    lint_report.write_csv(data, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["kind"]: r for r in csv.DictReader(fh)}
    assert set().union(*(q.keys() for q in data["problems"])) <= set(next(iter(rows.values())))
    for kind, q in problems.items():
        row = rows[kind]
        assert row["key"] == q["key"]
        assert row["related_annotation_id"] == str(q.get("related_annotation_id", ""))
        assert json.loads(row["model_bbox"] or "null") == q.get("model_bbox")
        assert json.loads(row["figures"] or "null") == q.get("figures")
    assert rows["duplicate"]["related_annotation_id"] in ("1", "2")
    assert json.loads(rows["partial_box"]["model_bbox"]) == [200, 50, 60, 60]


def test_the_lowest_prediction_score_is_not_named_as_the_flag(tmp_path: Path) -> None:
    """``options.min_prediction_score`` held the lowest score of any prediction (0.12 here) and was read as
    the ``--min-prediction-score`` threshold (0.3), which ``rules.thresholds`` gives."""
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 400, 200))
    p.add_category(Category(1, "cat"))
    p.add_annotation(box(1, [10, 10, 50, 50]))
    seen = {1: [box(100, [10, 10, 50, 50], score=0.9), box(101, [200, 50, 60, 60], score=0.12)]}
    options = lint_report.to_dict(
        lint_project(p, parse_rules({"thresholds": {"min_prediction_score": 0.3}}), seen)
    )["options"]
    assert options["lowest_prediction_score"] == 0.12 and "min_prediction_score" not in options
    assert options["rules"]["thresholds"]["min_prediction_score"] == 0.3

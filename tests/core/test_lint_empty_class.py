"""``empty_class``: a class no object of the project has, a problem of the project as a whole (no image)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pixelproof.core import taxonomy
from pixelproof.core.edits import DismissProblems
from pixelproof.core.lint import LintOptions, dismissed_keys, lint_project
from pixelproof.core.lint import report as lint_report
from pixelproof.core.lint.classes import EMPTY_MIN_OBJECTS
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

W, H = 200, 100


def box(aid: int, bbox: list[float], cid: int = 1, image: int = 1) -> Annotation:
    return Annotation(aid, image, cid, [float(v) for v in bbox], None, bbox[2] * bbox[3])


def project(cats: int = EMPTY_MIN_OBJECTS) -> Project:
    """``cats`` boxes of class cat on three images; classes dog (no object), background, a void class."""
    p = Project()
    for i in (1, 2, 3):
        p.add_image(ImageRecord(i, f"{i}.png", W, H))
    for cid, name in enumerate(["cat", "dog", "_Background_ ", "ignore region"], start=1):
        p.add_category(Category(cid, name))
    p.categories[4].app_extra["void"] = True
    for k in range(cats):
        p.add_annotation(box(k + 1, [8 * (k % 20), 40 * (k // 20), 6, 6], image=1 + k % 3))
    return p


def empties(p: Project, **opts) -> list:  # type: ignore[no-untyped-def]
    return [x for x in lint_project(p, options=LintOptions(**opts)).problems if x.kind == "empty_class"]


def test_a_class_without_objects_is_a_problem_of_the_project() -> None:
    """A class nobody labelled said nothing: lint named every problem of an object or an image only."""
    p = project()
    (found,) = empties(p)
    assert (found.category, found.image_id, found.file_name, found.annotation_id) == ("dog", None, "", None)
    assert found.key == "empty_class|-|dog" and found.fix is None
    assert found.message == "class dog has no objects in the project; 1 of the 2 classes have none"
    assert found.score == pytest.approx(0.7 - 2 / 12)  # background and void classes are not counted
    assert empties(p, kinds=frozenset({"duplicate"})) == []
    # a pending prediction of the class is no label: still empty, and said
    pending = box(900, [150, 60, 20, 20], cid=2)
    pending.review, pending.source, pending.score = "pending", "model:m@1", 0.9
    p.add_annotation(pending)
    (found,) = empties(p)
    assert "has no objects in the project; 1 pending or rejected object;" in found.message
    # one labelled dog: nothing
    p.add_annotation(box(901, [150, 10, 20, 20], cid=2))
    assert empties(p) == []


def test_a_project_being_started_lists_no_class() -> None:
    """Under EMPTY_MIN_OBJECTS labelled objects every class not reached yet would be listed."""
    assert empties(project(EMPTY_MIN_OBJECTS - 1)) == []
    assert empties(project(0)) == []


def test_many_empty_classes_score_low_as_a_subset_exported_with_the_whole_class_list() -> None:
    p = project()
    for cid in range(5, 25):
        p.add_category(Category(cid, f"class{cid}"))
    found = empties(p)
    assert len(found) == 21 and all(x.score < 0.5 for x in found)
    assert empties(p, min_score=0.5) == []


def test_reports_and_the_sort_take_a_problem_of_no_image(tmp_path: Path) -> None:
    """JSON, CSV and HTML carry it (image_id null, "(project)" where a file is named) beside image
    problems, sorted with them."""
    p = project()
    p.add_annotation(box(500, [0, 0, 6, 6]))  # a duplicate of cat 1: an image problem beside it
    result = lint_project(p)
    assert {x.kind for x in result.problems} == {"empty_class", "duplicate"}
    data = lint_report.to_dict(result, "p.json")
    (row,) = [x for x in data["problems"] if x["kind"] == "empty_class"]
    assert row["image_id"] is None and row["file_name"] == "" and row["category"] == "dog"
    assert data["summary"]["by_kind_and_class"]["empty_class"] == {"dog": 1}
    lint_report.write_json(data, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["problems"] == data["problems"]
    lint_report.write_csv(data, tmp_path / "r.csv")
    rows = list(csv.DictReader((tmp_path / "r.csv").open(newline="", encoding="utf-8-sig")))
    assert [r["image_id"] for r in rows if r["kind"] == "empty_class"] == [""]
    lint_report.write_html(data, tmp_path / "r.html", p, read_image=lambda _path: None)  # type: ignore[arg-type,return-value]
    html = (tmp_path / "r.html").read_text()
    assert "empty_class" in html and "(project)" in html


def test_the_app_s_recheck_follows_the_class_and_not_a_problem_is_kept(tmp_path: Path) -> None:
    """The Problems panel re-checks edited images with the run's figures: the project's own problems are
    worked out again from the project (``Rechecker.dataset``), so a dog drawn takes it off the list. Its
    "not a problem" decision is stored by class name and follows a rename."""
    p = project()
    result = lint_project(p)
    assert result.rechecker is not None
    assert [x.key for x in result.rechecker.dataset(p)] == ["empty_class|-|dog"]
    p.add_annotation(box(901, [150, 10, 20, 20], cid=2, image=2))
    assert result.rechecker.dataset(p) == []
    p = project()
    dismiss = DismissProblems(p, ["empty_class|-|dog"], image_id=None)  # as the panel passes it
    dismiss.apply(p)
    assert dismissed_keys(p) == {"empty_class|-|dog"}
    dismiss.revert(p)
    assert dismissed_keys(p) == frozenset()
    dismiss.apply(p)
    assert empties(p, dismissed=dismissed_keys(p)) == []
    taxonomy.rename_category(p, "dog", "canine").apply(p)
    assert dismissed_keys(p) == {"empty_class|-|canine"}
    assert empties(p, dismissed=dismissed_keys(p)) == []

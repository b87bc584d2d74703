"""Lint's inputs and outputs: rules documents, COCO results files, reports, and the lint edits."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from pixelproof.core import masks
from pixelproof.core.coco import dumps_project, save_project
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.core.edits import SetLintRules
from pixelproof.core.lint import (
    PredictionsError,
    RulesError,
    lint_project,
    load_rules_file,
    parse_predictions,
    parse_rules,
    pending_predictions,
    read_predictions,
    rules_of,
)
from pixelproof.core.lint import report as lint_report
from pixelproof.core.lint.rules import Size
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def small_project() -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 100, 80))
    p.add_image(ImageRecord(2, "b.png", 100, 80))
    p.add_category(Category(1, "cat"))
    p.add_category(Category(2, '=HYPERLINK("x")'))  # a name a spreadsheet would run
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 1.0, 1.0], None, 1.0))
    p.add_annotation(Annotation(2, 1, 2, [50.0, 10.0, 1.0, 1.0], None, 1.0))
    return p


# ------------------------------------------------------------------------------------------------
# rules


def test_rules_resolve_defaults_classes_and_thresholds() -> None:
    rules = parse_rules(
        {
            "thresholds": {"duplicate_iou": 0.9},
            "default": {"min_area": "0.5%", "border": False},
            "classes": {"cat": {"min_area": 10, "kinds": ["box", "mask"], "countable": True, "outlier_z": 5}},
        }
    )
    cat, dog = rules.for_class("cat"), rules.for_class("dog")
    assert cat.min_area == Size(10) and dog.min_area == Size(0.005, relative=True)
    assert dog.min_area.pixels(1000) == pytest.approx(5)
    assert cat.min_width == Size(2)  # built-in default kept
    assert not cat.border and not dog.border and cat.countable and not dog.countable
    assert cat.kinds == ("box", "mask") and dog.kinds == ("box", "polygon", "mask")
    assert cat.threshold("outlier_z") == 5 and dog.threshold("outlier_z") == 3.5
    assert cat.threshold("duplicate_iou") == dog.threshold("duplicate_iou") == 0.9
    again = parse_rules(rules.to_json())
    assert again.for_class("cat") == cat and again.for_class("dog") == dog


def test_bad_rules_name_every_problem_with_its_location() -> None:
    with pytest.raises(RulesError) as e:
        parse_rules(
            {
                "tresholds": {},
                "thresholds": {"confident": 1.5, "nope": 1},
                "classes": {
                    "cat": {"min_width": "ten", "max_area": -1, "kinds": ["circle"], "border": "no"},
                    "dog": {"min_aspect": 2, "max_aspect": 1, "min_height": float("nan")},
                    "eel": [],
                },
            }
        )
    got = "\n".join(e.value.problems)
    for where in (
        "rules.tresholds: unknown section",
        "rules.thresholds.confident: expected a number in 0..1",
        "rules.thresholds.nope: unknown threshold",
        "rules.classes.cat.min_width: expected pixels",
        "rules.classes.cat.max_area: expected pixels",
        "rules.classes.cat.kinds: expected a non-empty list of box, polygon, mask",
        "rules.classes.cat.border: expected true or false",
        "rules.classes.dog: min_aspect 2 is larger than max_aspect 1",
        "rules.classes.dog.min_height: expected pixels",
        "rules.classes.eel: expected an object",
    ):
        assert where in got
    assert len(e.value.problems) == 10


def test_rules_files_json_and_yaml(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "classes:\n  cat:\n    min_area: 2%\n    border: false\n", encoding="utf-8"
    )
    assert load_rules_file(tmp_path / "r.yaml").for_class("cat").min_area == Size(0.02, relative=True)
    (tmp_path / "r.json").write_text('{"classes": {"cat": {"min_area": 7}}}', encoding="utf-8")
    assert load_rules_file(tmp_path / "r.json").for_class("cat").min_area == Size(7)
    for name, text, message in (
        ("bad.yaml", "classes: [1, 2", "not valid YAML"),
        ("bad.json", "{", "not valid JSON"),
        ("bad2.json", '{"classes": {"cat": {"min_area": "x"}}}', "rules.classes.cat.min_area"),
        ("long.yaml", "classes: {cat: {min_area: " + "7" * 5000 + "}}", "not valid YAML"),  # int() refuses
        ("long.json", '{"classes": {"cat": {"min_area": ' + "7" * 5000 + "}}}", "not valid JSON"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(RulesError) as e:
            load_rules_file(tmp_path / name)
        assert str(tmp_path / name) in e.value.problems[0] and message in e.value.problems[0]
    with pytest.raises(RulesError):
        load_rules_file(tmp_path / "missing.yaml")
    with pytest.raises(RulesError):
        load_rules_file(tmp_path)  # a folder


def test_hostile_rules_and_predictions_files_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    (tmp_path / "bomb.yaml").write_text(bomb, encoding="utf-8")
    with pytest.raises(RulesError, match="aliases"):
        load_rules_file(tmp_path / "bomb.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    os.mkfifo(tmp_path / "fifo.json")
    for name in ("fifo.yaml", "fifo.json"):
        with pytest.raises(RulesError, match="not a file to read"):
            load_rules_file(tmp_path / name)  # refused at once, no hang
    with pytest.raises(PredictionsError, match="not a file to read"):
        read_predictions(tmp_path / "fifo.json", small_project())
    (tmp_path / "big.yaml").write_bytes(b"#" * (2 << 20))
    with pytest.raises(RulesError, match="larger than 1,048,576 bytes"):
        load_rules_file(tmp_path / "big.yaml")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(PredictionsError):
        read_predictions(deep, small_project())


def test_deep_or_huge_rules_are_one_short_line_each(tmp_path: Path) -> None:
    """YAML rules of 200,000 nested brackets hung lint (PyYAML's time grows with the cube of the nesting),
    3,000 raised a RecursionError; a 400 KB value or class name was quoted whole in the problem."""
    (tmp_path / "deep.yaml").write_text("classes: " + "[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(RulesError) as e:
        load_rules_file(tmp_path / "deep.yaml")
    assert e.value.problems == [
        f"{tmp_path / 'deep.yaml'}: YAML nested 200000 levels deep (at most 100 are read)"
    ]
    name, value = "n" * 400_000, "x" * 400_000
    (tmp_path / "big.yaml").write_text(f"classes:\n  ? {name}\n  : {{min_area: '{value}'}}\n", "utf-8")
    with pytest.raises(RulesError) as e:
        load_rules_file(tmp_path / "big.yaml")
    [problem] = e.value.problems
    assert problem.startswith(f"{tmp_path / 'big.yaml'}: rules.classes.{'n' * 60}….min_area: expected pixels")
    assert len(problem) < 300 + len(str(tmp_path))


def test_rules_live_in_the_project_and_survive_save(tmp_path: Path) -> None:
    p = small_project()
    doc = {"classes": {"cat": {"min_area": "1%"}}}
    before = dumps_project(p)
    edit = SetLintRules(doc)
    edit.apply(p)
    assert rules_of(p.app).for_class("cat").min_area == Size(0.01, relative=True)
    path = save_project(p, tmp_path / "p.json")
    assert json.loads(path.read_text())["pixelproof"]["rules"] == doc
    edit.revert(p)
    p.app.pop("history")  # the save recorded the project's change-log head (core.history)
    assert dumps_project(p) == before


# ------------------------------------------------------------------------------------------------
# predictions


def results(tmp_path: Path, items: list) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def test_coco_results_are_read_as_pycocotools_reads_them(tmp_path: Path) -> None:
    p = small_project()
    m = np.zeros((80, 100), bool)
    m[20:40, 30:60] = True
    rle = masks.encode(m)
    items = [
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 2, "segmentation": rle, "bbox": masks.bbox(m), "score": 0.4},
        {"image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.7, "id": 77},
    ]
    path = results(tmp_path, items)
    preds, problems = read_predictions(path, p)
    assert problems == []
    assert [len(preds[1]), len(preds[2])] == [2, 1]
    coco = COCO()
    coco.dataset = project_to_dict(p)
    coco.createIndex()
    theirs = coco.loadRes(str(path))
    for ours, (_, ref) in zip(preds[1] + preds[2], sorted(theirs.anns.items()), strict=True):
        assert ours.bbox == pytest.approx(ref["bbox"]) and ours.score == ref["score"]
        assert ours.category_id == ref["category_id"] and ours.image_id == ref["image_id"]
    assert len(p.annotations) == 2  # nothing was added to the project


def test_bad_prediction_entries_are_left_out_with_their_location(tmp_path: Path) -> None:
    p = small_project()
    items = [
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 9, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 5, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 1.5},
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20]},
        "junk",
        {"image_id": 1, "category_id": 1, "bbox": [10, "NaN", 20, 20], "score": 0.5},
    ]
    preds, problems = parse_predictions(items, p)
    assert len(preds[1]) == 1 and preds[2] == []
    text = "\n".join(problems)
    for where in (
        "predictions[1].image_id: image 9 does not exist",
        "predictions[2].category_id: category 5 does not exist",
        "predictions[3].bbox",
        "predictions[4].score: expected a number in 0..1",
        "predictions[5].score",
        "predictions[6]: expected an object",
        "predictions[7].bbox",
    ):
        assert where in text
    assert len(problems) == 7


def test_predictions_with_no_area_in_the_image_are_left_out_with_their_location() -> None:
    """A box wholly outside its image (often predictions made on a resized copy) or of zero size would
    be a missing object nobody can see, and its fix would add it as a label."""
    p = small_project()  # 100 x 80 images
    items = [
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [120, 10, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [-30, 10, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [50, 50, 0, 10], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [90, 70, 20, 20], "score": 0.9},  # partly inside: kept
    ]
    preds, problems = parse_predictions(items, p)
    assert [a.bbox for a in preds[1]] == [[10.0, 10.0, 20.0, 20.0], [90.0, 70.0, 20.0, 20.0]]
    assert [m.split(":")[0] for m in problems] == [f"predictions[{i}].bbox" for i in (1, 2, 3)]
    assert "no area inside the 100x80 image" in problems[0]


@pytest.mark.parametrize(
    ("content", "message"), [(b"", "empty"), (b"{oops", "not valid JSON"), (b'{"a": 1}', "expected a list")]
)
def test_unreadable_predictions_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(PredictionsError) as e:
        read_predictions(path, small_project())
    assert message in e.value.problems[0]
    with pytest.raises(PredictionsError):
        read_predictions(tmp_path / "missing.json", small_project())


def test_pending_predictions_are_the_model_side() -> None:
    p = small_project()
    pred = Annotation(
        3, 1, 1, [10.0, 10.0, 5.0, 5.0], None, 25.0, score=0.8, source="model:x/y@1", review="pending"
    )
    accepted = Annotation(
        4, 1, 1, [40.0, 40.0, 5.0, 5.0], None, 25.0, source="model:x/y@1", review="accepted"
    )
    p.add_annotation(pred)
    p.add_annotation(accepted)
    preds, left_out = pending_predictions(p)
    assert [a.id for a in preds[1]] == [3] and preds[2] == [] and left_out == []
    result = lint_project(p, predictions=preds)
    assert result.objects == 3 and result.predictions == 1


def test_pending_predictions_scored_outside_0_1_are_left_out_with_their_place() -> None:
    """A project's scores may be any finite number (an import of raw logits): as a probability, 2.0 gave
    problem scores above 1 (up to 1e297) and a NaN image score."""
    p = small_project()
    for aid, score in ((3, 2.0), (4, -0.5), (5, 0.9)):
        p.add_annotation(
            Annotation(
                aid,
                2,
                1,
                [30.0, 10.0, 20.0, 20.0],
                None,
                400.0,
                score=score,
                source="model:x",
                review="pending",
            )
        )
    preds, left_out = pending_predictions(p)
    assert [a.id for a in preds[2]] == [5]
    assert left_out == [
        "annotation 3 (b.png): score 2.0 is not in 0..1",
        "annotation 4 (b.png): score -0.5 is not in 0..1",
    ]
    result = lint_project(p, predictions=preds)
    assert all(0.0 <= x.score <= 1.0 for x in result.problems)
    assert all(np.isfinite(s.score) for s in result.image_scores.values())


def test_pending_predictions_with_no_area_in_the_image_are_left_out_with_their_place() -> None:
    """A results file's box with no area inside its image is left out and said; a pending prediction's
    was used: a zero-size box at the centre of a labelled cat was a confident cat "no label covers"
    (a missing object at 0.99, a point nobody can see) and left the cat itself an unsupported label."""
    p = small_project()
    p.add_annotation(Annotation(3, 2, 1, [30.0, 10.0, 20.0, 20.0], None, 400.0))
    for aid, bbox in (
        (4, [40.0, 20.0, 0.0, 0.0]),
        (5, [40.0, 20.0, 0.0, 10.0]),
        (6, [120.0, 10.0, 5.0, 5.0]),
    ):
        p.add_annotation(
            Annotation(aid, 2, 1, bbox, None, 0.0, score=0.99, source="model:x", review="pending")
        )
    p.add_annotation(
        Annotation(
            7, 2, 1, [30.0, 10.0, 20.0, 20.0], None, 400.0, score=0.9, source="model:x", review="pending"
        )
    )
    preds, left_out = pending_predictions(p)
    assert [a.id for a in preds[2]] == [7]
    assert left_out == [
        "annotation 4 (b.png): box [40, 20, 0, 0] has no area inside the 100x80 image",
        "annotation 5 (b.png): box [40, 20, 0, 10] has no area inside the 100x80 image",
        "annotation 6 (b.png): box [120, 10, 5, 5] has no area inside the 100x80 image",
    ]
    result = lint_project(p, predictions=preds)
    assert [x.kind for x in result.problems if x.image_id == 2] == []


# ------------------------------------------------------------------------------------------------
# reports


def test_json_csv_and_html_reports(tmp_path: Path) -> None:
    p = small_project()
    result = lint_project(p)
    data = lint_report.to_dict(result, "p.json")
    assert set(data) >= {"problems", "summary", "options"}
    first = data["problems"][0]
    assert set(first) >= {
        "kind",
        "score",
        "image_id",
        "file_name",
        "annotation_id",
        "category",
        "bbox",
        "message",
        "fix",
    }
    assert data["summary"]["by_kind"] == {"tiny": 2}
    lint_report.write_json(data, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["problems"] == 2
    lint_report.write_csv(data, tmp_path / "r.csv")
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert [r["kind"] for r in rows] == ["tiny", "tiny"]
    assert {r["category"] for r in rows} == {"cat", '\'=HYPERLINK("x")'}  # no formula
    assert json.loads(rows[0]["fix"])["action"] == "delete"
    lint_report.write_html(data, tmp_path / "r.html", p)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "tiny" in page and "&quot;x&quot;" in page and "<script" not in page


def test_html_report_has_crops_of_readable_images(tmp_path: Path) -> None:
    p = small_project()
    p.path = tmp_path / "p.json"
    Image.fromarray(np.full((80, 100, 3), 128, np.uint8)).save(tmp_path / "a.png")
    data = lint_report.to_dict(lint_project(p))
    lint_report.write_html(data, tmp_path / "r.html", p)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("data:image/jpeg;base64,") == 2

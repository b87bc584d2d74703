"""A category name from another tool's file, or a class name a model's metadata gives, may be 10,000
characters long or hold a line break. It is kept whole where it is stored (the file's, the model's name for
the class), and shown on one short line: in the QA report's HTML tables, in an edit's label (the Edit
menu's Undo entry, the history); a model class pre-labeling turns into a new category is reported as an
import reports such a name."""

from __future__ import annotations

import json
import re

from pixelproof.core import taxonomy
from pixelproof.core.coco import load_project, new_project
from pixelproof.core.demo import install_demo
from pixelproof.core.edits.taxonomy import AddCategory
from pixelproof.core.limits import NAME_SHOWN
from pixelproof.core.model import Category
from pixelproof.core.qa import run_qa
from pixelproof.core.report import to_dict, write_html, write_json
from pixelproof.inference.apply import PredictionMapper
from pixelproof.interop.references import load_reference

HUGE = "W" * 10_000
TWO_LINES = "first line\nsecond line"


def renamed(path, names: dict[str, str]) -> None:
    data = json.loads(path.read_text())
    for c in data["categories"]:
        c["name"] = names.get(c["name"], c["name"])
    path.write_text(json.dumps(data))


def qa_pages(project_file, cand, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The demo's candidate ``cand`` scored against its reference: qa.html and qa.json written in
    ``tmp_path``; returns the HTML page."""
    data = to_dict(run_qa(load_reference(project_file.parent / "reference.json", cand), cand))
    write_html(data, tmp_path / "qa.html")
    write_json(data, tmp_path / "qa.json")
    return (tmp_path / "qa.html").read_text()


def test_the_qa_html_shows_a_10000_character_class_short_and_the_json_keeps_it_whole(tmp_path) -> None:
    project_file = install_demo(tmp_path / "demo")
    for f in (project_file, project_file.parent / "reference.json"):
        renamed(f, {"coin": HUGE, "cell": TWO_LINES})
    cand = load_project(project_file)
    page = qa_pages(project_file, cand, tmp_path)
    runs = [len(m) for m in re.findall(r"W+", page)]
    assert runs and max(runs) <= NAME_SHOWN, max(runs)  # cut in every cell, not 10,000 wide
    assert "first line\\nsecond line" in page  # one line: the break shown as an escape
    classes = [c["category"] for c in json.loads((tmp_path / "qa.json").read_text())["per_class"]]
    assert HUGE in classes and TWO_LINES in classes  # the data keep the names whole


def test_edit_labels_name_a_long_class_on_one_short_line() -> None:
    project = new_project([HUGE, TWO_LINES, "dog"])
    edits = [
        taxonomy.rename_category(project, HUGE, "short"),
        taxonomy.rename_category(project, TWO_LINES, "short"),
        taxonomy.merge_categories(project, "dog", HUGE),
        taxonomy.merge_categories(project, HUGE, TWO_LINES),
        taxonomy.delete_category(project, HUGE, None),
        taxonomy.delete_category(project, HUGE, TWO_LINES),
        taxonomy.split_category(project, HUGE, HUGE, "other")[0],
        taxonomy.describe_category(project, HUGE, description="a class"),
    ]
    edits.append(AddCategory(Category(9, HUGE)))
    for edit in edits:
        assert "\n" not in edit.label and len(edit.label) <= 200, edit.label[:80]
    assert project.categories[1].name == HUGE  # nothing applied, nothing changed


def test_a_long_model_class_becomes_a_category_kept_whole_and_reported() -> None:
    """A model's metadata may name a class anything: the category made for it is named as the model
    names it (so its mapping, the next run and an export to the model's dataset agree), and the mapper
    says it, as an import says such a name, the name shortened."""
    project = new_project(["dog"])
    mapper = PredictionMapper(project, "model")
    for name in (HUGE, TWO_LINES, "cat", HUGE):
        cat, _ = mapper.category_for(name)
        assert cat is not None and cat.name == name
    assert len(mapper.problems) == 2, mapper.problems  # each name once, the plain one not at all
    assert all(len(p) < 300 and "\n" not in p for p in mapper.problems)
    assert "10,000 characters" in mapper.problems[0] and "line break" in mapper.problems[1]
    assert "kept whole" in mapper.problems[0]


def test_the_qa_and_lint_html_show_a_10000_character_file_name_short_keeping_its_end(tmp_path) -> None:
    """A file name from another tool's COCO file may be any length (a URL, a deep path). The QA page printed
    it whole in its tables, captions and lists, one unbreakable run 10,000 characters wide, and so did the
    lint page; both now cut it in the middle as the Images list does, the end and extension kept, and the
    JSON keeps it whole."""
    from pixelproof.core.lint import LintOptions, lint_project, parse_rules
    from pixelproof.core.lint.report import to_dict as lint_dict
    from pixelproof.core.lint.report import write_html as lint_html
    from pixelproof.core.names import FILE_NAME_SHOWN

    project_file = install_demo(tmp_path / "demo")
    long_name = "images/" + "W" * 10_000 + "_end.png"
    for f in (project_file, project_file.parent / "reference.json"):
        data = json.loads(f.read_text())
        next(im for im in data["images"] if im["file_name"] == "images/coins.png")["file_name"] = long_name
        f.write_text(json.dumps(data))
    cand = load_project(project_file)
    page = qa_pages(project_file, cand, tmp_path)
    runs = [len(m) for m in re.findall(r"W+", page)]
    assert runs and max(runs) < FILE_NAME_SHOWN, max(runs)
    assert "W_end.png" in page  # which file: its end shows
    assert long_name in (tmp_path / "qa.json").read_text()
    # a lint problem on that image (a duplicate object) names it
    first = next(a for a in cand.annotations.values() if cand.images[a.image_id].file_name == long_name)
    copy = type(first)(
        10_000, first.image_id, first.category_id, list(first.bbox), first.segmentation, first.area
    )
    cand.add_annotation(copy)
    result = lint_project(cand, parse_rules(None), None, LintOptions(min_score=0.5))
    assert any(p.file_name == long_name for p in result.problems)
    lint_html(lint_dict(result, "project.json"), tmp_path / "lint.html", cand)
    page = (tmp_path / "lint.html").read_text()
    runs = [len(m) for m in re.findall(r"W+", page)]
    assert runs and max(runs) < FILE_NAME_SHOWN, max(runs)
    assert "W_end.png" in page

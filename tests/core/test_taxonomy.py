"""Taxonomy: info per category, taxonomy files, and rename/merge/split/delete as undoable edits."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import taxonomy
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.edits.lint import SetLintRules
from pixelproof.core.model import Category
from pixelproof.core.taxonomy import TaxonomyError
from tests.core.teams_data import make_project


def _names(project) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.name for c in project.categories.values()]


def _undo_restores(project, edit) -> None:  # type: ignore[no-untyped-def]
    before = dumps_project(project)
    edit.apply(project)
    after = dumps_project(project)
    assert after != before
    edit.revert(project)
    assert dumps_project(project) == before
    edit.apply(project)  # redo
    assert dumps_project(project) == after


def test_rename_merge_split_delete_are_undoable_edits(tmp_path: Path) -> None:
    p = make_project(tmp_path, 6)
    cats = {c.name: c.id for c in p.categories.values()}
    n_dog = sum(1 for _ in p.annotations_with_category(cats["dog"]))

    edit = taxonomy.rename_category(p, "cat", "feline")
    _undo_restores(p, edit)
    assert _names(p) == ["feline", "dog", "bird"]

    edit = taxonomy.merge_categories(p, "dog", "bird")
    _undo_restores(p, edit)
    assert _names(p) == ["feline", "bird"]
    assert sum(1 for _ in p.annotations_with_category(cats["bird"])) == 4 + n_dog

    edit, listed = taxonomy.split_category(p, "bird", "songbird", "raptor")
    _undo_restores(p, edit)
    assert _names(p) == ["feline", "songbird", "raptor"] and len(listed) == 4 + n_dog
    assert all(
        p.annotations[i].review == "pending" and p.annotations[i].category_id == cats["bird"] for i in listed
    )

    edit = taxonomy.delete_category(p, "raptor", reassign_to="feline")
    _undo_restores(p, edit)
    n = len(p.annotations)
    edit = taxonomy.delete_category(p, "feline", reassign_to=None)
    _undo_restores(p, edit)
    assert len(p.annotations) == n - 4 and _names(p) == ["songbird"]


def test_taxonomy_changes_refuse_what_would_lose_or_clash(tmp_path: Path) -> None:
    p = make_project(tmp_path, 2)
    with pytest.raises(TaxonomyError, match="exists already"):
        taxonomy.rename_category(p, "cat", "dog")
    with pytest.raises(TaxonomyError, match="no category 'cow'"):
        taxonomy.merge_categories(p, "cow", "dog")
    with pytest.raises(TaxonomyError, match="into itself"):
        taxonomy.merge_categories(p, "dog", "dog")
    with pytest.raises(TaxonomyError, match="different names"):
        taxonomy.split_category(p, "dog", "a", "a")


def test_a_name_that_is_another_class_but_for_case_or_has_blanks_around_it_is_refused(tmp_path: Path) -> None:
    """QA pairs classes and the image filter finds them without case, and CVAT's and LabelMe's readers
    strip a name: 'Dog' beside 'dog', or ' cow ', made two classes here that are one (or another) there."""
    p = make_project(tmp_path, 2)
    with pytest.raises(TaxonomyError, match="exists already \\(as 'dog'"):
        taxonomy.rename_category(p, "cat", "DOG")
    with pytest.raises(TaxonomyError, match="exists already \\(as 'dog'"):
        taxonomy.split_category(p, "cat", "cat", "Dog")
    with pytest.raises(TaxonomyError, match="differ in more than case"):
        taxonomy.split_category(p, "cat", "Cow", "cow")
    with pytest.raises(TaxonomyError, match="blanks around it; give it as 'cow'"):
        taxonomy.rename_category(p, "cat", " cow ")
    assert _names(p) == ["cat", "dog", "bird"]
    with pytest.raises(TaxonomyError, match="did you mean 'dog'"):  # not a list of names shown alike
        taxonomy.merge_categories(p, "cat", "Dog ")
    edit = taxonomy.rename_category(p, "cat", "Cat")  # its own name in other case: a rename
    _undo_restores(p, edit)
    assert _names(p) == ["Cat", "dog", "bird"]


def test_export_then_apply_to_another_project_embeds_example_crops(tmp_path: Path) -> None:
    src = make_project(tmp_path, 2)
    (tmp_path / "images").mkdir()
    pixels = np.zeros((48, 64, 3), np.uint8)
    pixels[10:20, 30:50] = (255, 0, 0)
    Image.fromarray(pixels).save(tmp_path / "images" / "img001.png")
    example = {"file_name": "images/img001.png", "bbox": [30, 10, 20, 10], "caption": "a red one"}
    taxonomy.describe_category(
        src,
        "cat",
        description="Felis catus",
        guideline="# Cats\nWhole body, *tail included*.",
        examples=[example],
    ).apply(src)
    save_project(src)
    data, warnings = taxonomy.export_taxonomy(load_project(src.path))
    assert warnings == []
    cat = data["categories"][0]
    assert cat["description"] == "Felis catus" and cat["guideline"].startswith("# Cats")
    crop = Image.open(__import__("io").BytesIO(base64.b64decode(cat["examples"][0]["png"])))
    assert crop.size == (20, 10) and crop.convert("RGB").getpixel((5, 5)) == (255, 0, 0)
    for suffix in (".json", ".yaml"):
        path = tmp_path / f"tax{suffix}"
        taxonomy.write_taxonomy(data, path)
        assert taxonomy.read_taxonomy(path) == data

    (tmp_path / "other").mkdir()
    other = make_project(tmp_path / "other", 1)
    other.categories[2].name = "horse"  # "dog" missing, "horse" not in the taxonomy
    plan = taxonomy.apply_taxonomy(other, taxonomy.read_taxonomy(tmp_path / "tax.yaml"))
    assert plan.added == ["dog"] and plan.updated == ["cat"] and plan.not_in_taxonomy == ["horse"]
    _undo_restores(other, plan.edit)
    assert taxonomy.info(other.category_by_name("cat"))["examples"][0]["caption"] == "a red one"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_category_named_empty_exports_and_applies(tmp_path: Path, suffix: str) -> None:
    """A project file may name a category "" (COCO files from other tools do); the export wrote it and
    apply refused the whole file ('categories[0].name: expected a non-empty string')."""
    project = make_project(tmp_path, 1)
    project.categories[1].name = ""
    data, _ = taxonomy.export_taxonomy(project)
    taxonomy.write_taxonomy(data, tmp_path / f"tax{suffix}")
    other = make_project(tmp_path, 1, name="other.json")
    plan = taxonomy.apply_taxonomy(other, taxonomy.read_taxonomy(tmp_path / f"tax{suffix}"))
    assert plan.added == [""] and plan.not_in_taxonomy == ["cat"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("categories: [{name: a}, {name: a}]\n", "appears twice"),
        ("categories: [{name: a, color: red}]\n", "color"),
        ("categories: [{name: a, examples: [{png: 'AAAA'}]}]\n", "not a PNG"),
        ("categories: [{name: a, examples: [{file_name: x.png, bbox: [0, 0, -1, 2]}]}]\n", "bbox"),
        ("pixelproof_taxonomy: 9\ncategories: []\n", "version"),
        ("[unclosed\n", "not valid YAML"),
        ("categories: [{name: a, n: " + "1" * 5000 + "}]\n", "not valid YAML"),  # past int() digits
        ('{"categories": [{"name": "a", "n": ' + "1" * 5000 + "}]}", "not valid JSON"),
    ],
)
def test_bad_taxonomy_files_are_located_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ("t.json" if text.startswith("{") else "t.yaml")
    path.write_text(text)
    with pytest.raises(TaxonomyError, match=message) as e:
        taxonomy.read_taxonomy(path)
    assert str(path) in str(e.value)


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "t.json"
    os.mkfifo(fifo)
    with pytest.raises(TaxonomyError, match="FIFO"):
        taxonomy.read_taxonomy(fifo)


def test_remembered_model_mappings_follow_rename_merge_split_and_delete(tmp_path: Path) -> None:
    """A mapping remembered for a model names categories; after the class is renamed, merged or deleted
    the next pre-label must not bring the old name back as a new category."""
    p = make_project(tmp_path, 6)
    table = {"onnx/m.onnx": {"kitty": "cat", "puppy": "dog", "tree": None}, "onnx/n.onnx": {"x": "bird"}}
    p.app["model_mappings"] = {k: dict(v) for k, v in table.items()}

    def mappings() -> dict:  # type: ignore[type-arg]
        return p.app["model_mappings"]

    _undo_restores(p, taxonomy.rename_category(p, "cat", "feline"))
    assert mappings()["onnx/m.onnx"] == {"kitty": "feline", "puppy": "dog", "tree": None}
    _undo_restores(p, taxonomy.merge_categories(p, "dog", "feline"))
    assert mappings()["onnx/m.onnx"] == {"kitty": "feline", "puppy": "feline", "tree": None}
    _undo_restores(p, taxonomy.split_category(p, "bird", "songbird", "raptor")[0])
    assert mappings()["onnx/n.onnx"] == {"x": "songbird"}
    _undo_restores(p, taxonomy.delete_category(p, "songbird", None))
    assert mappings()["onnx/n.onnx"] == {"x": None}  # the class is gone: its model class is ignored
    assert mappings()["onnx/m.onnx"] == {"kitty": "feline", "puppy": "feline", "tree": None}


@pytest.mark.parametrize("color", ["#zzzzzz", "#1_2345", "#+12345", "# 12345"])
def test_a_colour_the_project_would_refuse_is_refused_by_the_taxonomy(tmp_path: Path, color: str) -> None:
    """apply wrote such a colour into the project, which then did not open ('pixelproof.color: expected
    #rrggbb'); the taxonomy check and the project loader now agree on what a colour is."""
    project = make_project(tmp_path, 1)
    save_project(project)
    path = tmp_path / "t.yaml"
    path.write_text(f"categories: [{{name: cat, color: '{color}'}}]\n")
    with pytest.raises(TaxonomyError, match=r"categories\[0\]\.color"):
        taxonomy.read_taxonomy(path)
    project.categories[1].color = color
    save_project(project)
    with pytest.raises(Exception, match="color"):
        load_project(project.path)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_taxonomy_file_with_a_byte_order_mark_is_read(tmp_path: Path, suffix: str) -> None:
    """Windows editors save UTF-8 with a BOM; the JSON one was 'not valid JSON at line 1 column 1'."""
    data = {"pixelproof_taxonomy": 1, "categories": [{"name": "cat", "description": "Felis"}]}
    path = tmp_path / f"t{suffix}"
    taxonomy.write_taxonomy(data, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert taxonomy.read_taxonomy(path) == data


def test_a_renamed_class_keeps_its_lint_rules(tmp_path: Path) -> None:
    """Per-class rules are stored by class name: after a rename (or a split that renames) they named a
    class that no longer existed, and lint silently checked the class with the defaults only."""
    from pixelproof.core.lint.rules import rules_of

    p = make_project(tmp_path, 2)
    p.app["rules"] = {
        "default": {"min_area": 9},
        "classes": {"cat": {"kinds": ["box"]}, "bird": {"min_area": 50}},
    }
    _undo_restores(p, taxonomy.rename_category(p, "cat", "feline"))
    assert rules_of(p.app).for_class("feline").kinds == ("box",)
    assert list(p.app["rules"]["classes"]) == ["feline", "bird"]
    bird = rules_of(p.app).for_class("bird")
    _undo_restores(p, taxonomy.split_category(p, "bird", "songbird", "raptor")[0])
    assert list(p.app["rules"]["classes"]) == ["feline", "songbird"]
    assert rules_of(p.app).for_class("songbird") == bird != rules_of(p.app).for_class("raptor")


def test_a_merged_class_s_lint_rules_go_to_the_target_whose_own_keys_win(tmp_path: Path) -> None:
    """A merge deleted the source with its rules left under a name no class has: its objects, now the
    target's, were checked without them. The target keeps what it sets and takes the rest, in the merge's
    one undo step; a delete that gives its objects to a class is a merge."""
    from pixelproof.core.lint.rules import Size, rules_of

    p = make_project(tmp_path, 2)
    p.app["rules"] = {
        "classes": {
            "cat": {"min_area": 40, "kinds": ["box"], "countable": True},
            "dog": {"min_area": 90, "border": False},
        }
    }
    merge = taxonomy.merge_categories(p, "cat", "dog")
    assert taxonomy.rules_note(merge) == "Move the lint rules of cat to dog (dog keeps its own min_area)"
    _undo_restores(p, merge)
    assert p.app["rules"]["classes"] == {
        "dog": {"min_area": 90, "kinds": ["box"], "countable": True, "border": False}
    }
    dog = rules_of(p.app).for_class("dog")
    assert (dog.min_area, dog.kinds, dog.countable, dog.border) == (Size(90), ("box",), True, False)
    # into a class without rules: the source's whole entry, under the target's name
    q = make_project(tmp_path, 2, name="q.json")
    q.app["rules"] = {"thresholds": {"outlier_z": 3}, "classes": {"cat": {"min_area": 40}}}
    edit = taxonomy.delete_category(q, "cat", "bird")
    assert taxonomy.rules_note(edit) == "Move the lint rules of cat to bird"
    _undo_restores(q, edit)
    assert q.app["rules"] == {"thresholds": {"outlier_z": 3}, "classes": {"bird": {"min_area": 40}}}
    # a class without rules merged: the rules are left as they are
    edit = taxonomy.merge_categories(q, "dog", "bird")
    assert taxonomy.rules_note(edit) == "" and not any(isinstance(e, SetLintRules) for e in edit.parts)


def test_a_rename_onto_a_name_with_rules_of_its_own_combines_them(tmp_path: Path) -> None:
    """Rules written for a name no class has yet (ahead of a rename) kept theirs and the renamed class's
    own were left behind under the old name, unused; now the entry under the new name keeps its keys and
    takes the others."""
    p = make_project(tmp_path, 2)
    p.app["rules"] = {"classes": {"cat": {"min_area": 40, "kinds": ["box"]}, "feline": {"min_area": 9}}}
    edit = taxonomy.rename_category(p, "cat", "feline")
    _undo_restores(p, edit)
    assert p.app["rules"]["classes"] == {"feline": {"min_area": 9, "kinds": ["box"]}}
    assert taxonomy.rules_note(edit) == "Move the lint rules of cat to feline (feline keeps its own min_area)"


def test_a_renamed_class_keeps_its_not_a_problem_decisions_on_missing_objects(tmp_path: Path) -> None:
    """A "missing object" decision is stored by class name (the object does not exist to give an id):
    after a rename every such problem the user had dismissed was listed again."""
    from pixelproof.core.lint import dismissed_keys
    from pixelproof.core.lint.problems import Problem

    p = make_project(tmp_path, 2)
    missing = Problem("missing_object", 0.9, 1, "a.png", None, "cat", [10, 12, 5, 6], "m")
    odd = Problem("missing_object", 0.9, 1, "a.png", None, "cat@x|y", [1, 2, 3, 4], "m")  # @ and | in a name
    other = Problem("duplicate", 0.9, 1, "a.png", 3, "cat", [0, 0, 1, 1], "d", related_id=4)
    p.app["lint"] = {"dismissed": [missing.key, other.key, odd.key], "mine": 1}
    _undo_restores(p, taxonomy.rename_category(p, "cat", "feline"))
    missing.category = "feline"
    assert dismissed_keys(p) == {missing.key, other.key, odd.key} and p.app["lint"]["mine"] == 1
    p.add_category(Category(max(p.categories) + 1, "cat@x|y"))
    _undo_restores(p, taxonomy.rename_category(p, "cat@x|y", "odd"))
    odd.category = "odd"
    assert dismissed_keys(p) == {missing.key, other.key, odd.key}


def test_a_taxonomy_of_many_classes_is_applied_without_a_scan_per_class_and_too_many_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """apply looked each class up by a scan of the project's classes (``category_by_name``): 30,000
    classes applied again took tens of seconds, 100,000 (the most a class list may hold) minutes. Counted
    here, not timed: a lookup per class is the quadratic cost. More than that many classes is refused."""
    from pixelproof.core.limits import MAX_CLASSES
    from pixelproof.core.model import Project

    p = make_project(tmp_path, 1)
    data = {"categories": [{"name": f"c{i}", "description": "d"} for i in range(2_000)]}
    taxonomy.apply_taxonomy(p, data).edit.apply(p)
    data["categories"][0]["description"] = "new"
    scans = []
    by_name = Project.category_by_name
    monkeypatch.setattr(Project, "category_by_name", lambda self, n: scans.append(n) or by_name(self, n))
    plan = taxonomy.apply_taxonomy(p, data)
    assert plan.updated == ["c0"] and len(plan.not_in_taxonomy) == 3
    assert len(scans) < 10, f"{len(scans)} scans of the class list for 2,000 classes"
    too_many = {"categories": [{"name": f"c{i}"} for i in range(MAX_CLASSES + 1)]}
    assert taxonomy.check_taxonomy(too_many) == [
        f"categories: {MAX_CLASSES + 1} classes, more than {MAX_CLASSES}"
    ]


@pytest.mark.parametrize("name", ["other.json", "data.yaml", "picture.json"])
def test_export_never_overwrites_a_file_that_is_not_a_taxonomy(tmp_path: Path, name: str) -> None:
    """`taxonomy export a.json -o b.json` (the arguments the wrong way round) replaced project b.json by a
    taxonomy, with no backup: every annotation lost. A YOLO data.yaml went the same way."""
    from pixelproof.core.coco import ProjectSaveError

    project = make_project(tmp_path, 2)
    target = tmp_path / name
    if name == "other.json":
        save_project(make_project(tmp_path, 3), target)
    elif name == "data.yaml":
        target.write_text("names: [cat, dog]\nnc: 2\n")
    else:
        target.write_bytes(b"\x89PNG\r\n\x1a\n")
    before = target.read_bytes()
    data, _ = taxonomy.export_taxonomy(project)
    with pytest.raises(ProjectSaveError, match="not a taxonomy file"):
        taxonomy.write_taxonomy(data, target)
    assert target.read_bytes() == before
    taxonomy.write_taxonomy(data, tmp_path / "tax.yaml")  # a taxonomy, new or existing, is written
    data["categories"][0]["description"] = "again"
    taxonomy.write_taxonomy(data, tmp_path / "tax.yaml")
    assert taxonomy.read_taxonomy(tmp_path / "tax.yaml") == data


def test_a_class_deleted_with_its_objects_takes_its_lint_rules_with_it(tmp_path: Path) -> None:
    """Deleting a class and its objects left its rules under a name no class has (applying again to a
    class made later under that name); they go in the same undo step, the others' kept."""
    p = make_project(tmp_path, 2)
    p.app["rules"] = {
        "thresholds": {"outlier_z": 3},
        "classes": {"cat": {"min_area": 40}, "dog": {"min_area": 90}},
    }
    edit = taxonomy.delete_category(p, "cat", None)
    assert taxonomy.rules_note(edit) == "Remove the lint rules of cat"
    _undo_restores(p, edit)
    assert "cat" not in _names(p)
    assert p.app["rules"] == {"thresholds": {"outlier_z": 3}, "classes": {"dog": {"min_area": 90}}}
    edit.revert(p)  # one undo brings back the class, its objects and its rules
    assert "cat" in _names(p) and p.app["rules"]["classes"]["cat"] == {"min_area": 40}
    edit.apply(p)
    _undo_restores(p, taxonomy.delete_category(p, "dog", None))  # the last class with rules: none left
    assert p.app["rules"] == {"thresholds": {"outlier_z": 3}}
    # a class without rules deleted: the rules are left as they are
    edit = taxonomy.delete_category(p, "bird", None)
    assert taxonomy.rules_note(edit) == "" and not any(
        isinstance(e, SetLintRules) for e in getattr(edit, "parts", [edit])
    )


def test_a_merged_class_s_not_a_problem_decisions_go_to_the_target_as_a_rename_s_do(tmp_path: Path) -> None:
    """A rename moved the "not a problem" decisions naming the class (its missing objects, its being
    empty); a merge left them under the source's name, so the same findings, now the target's, were listed
    again. They follow the merge in its undo step; a decision the target has already is kept once. The
    source's being empty is dropped, not moved: moved, it would hide the target's becoming empty."""
    from pixelproof.core.lint import dismissed_keys
    from pixelproof.core.lint.problems import Problem

    p = make_project(tmp_path, 2)
    missing = Problem("missing_object", 0.9, 1, "a.png", None, "cat", [10, 12, 5, 6], "m")
    other = Problem("duplicate", 0.9, 1, "a.png", 3, "cat", [0, 0, 1, 1], "d", related_id=4)
    keys = [missing.key, "empty_class|-|cat", other.key, "empty_class|-|dog"]
    p.app["lint"] = {"dismissed": keys, "mine": 1}
    merge = taxonomy.merge_categories(p, "cat", "dog")
    _undo_restores(p, merge)
    missing.category = "dog"
    assert p.app["lint"]["dismissed"] == [missing.key, other.key, "empty_class|-|dog"]
    assert dismissed_keys(p) == {missing.key, "empty_class|-|dog", other.key} and p.app["lint"]["mine"] == 1
    merge.revert(p)
    assert p.app["lint"]["dismissed"] == keys
    p.app["lint"] = {"dismissed": ["empty_class|-|cat"]}
    merge = taxonomy.merge_categories(p, "cat", "dog")
    merge.apply(p)
    assert p.app["lint"]["dismissed"] == []  # the target's being empty stays a finding

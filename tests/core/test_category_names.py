"""Category names: one a person makes in PixelProof (typed in the Categories panel, ``taxonomy rename``, a
taxonomy file, ``--categories``) is at most ``MAX_CATEGORY_NAME`` characters on one line; one read from
another tool's file is kept whole, said in the import's report with the file and the name, and shown
shortened on one line (``shown_name``), never changed where it is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pycocotools.coco import COCO

from pixelproof.core import taxonomy
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.image_folder import category_names
from pixelproof.core.limits import MAX_CATEGORY_NAME, NAME_SHOWN, LimitError
from pixelproof.core.names import check_category_name, shown_name
from pixelproof.interop.formats import detect_format

LONG = "x" * (MAX_CATEGORY_NAME + 1)


@pytest.mark.parametrize("name", [LONG, "cat\ndog", "tab\there", "rtl\u202eevil", "nul\x00"])
def test_a_typed_category_name_over_the_cap_or_with_a_control_character_is_refused(name: str) -> None:
    with pytest.raises(LimitError) as e:
        check_category_name(name, "Add category")
    assert str(e.value).startswith("Add category: category name")
    assert len(str(e.value)) < 300  # the message quotes the name shortened, never 10,000 characters
    check_category_name("y" * MAX_CATEGORY_NAME)  # the cap itself is allowed
    check_category_name("Ünïcödé 猫 🐈")


def test_rename_split_and_a_taxonomy_file_refuse_such_names_too() -> None:
    project = new_project(["cat", "dog"])
    for make in (
        lambda: taxonomy.rename_category(project, "cat", LONG),
        lambda: taxonomy.rename_category(project, "cat", "a\nb"),
        lambda: taxonomy.split_category(project, "cat", "cat", LONG),
        lambda: taxonomy.apply_taxonomy(project, {"categories": [{"name": "cat"}, {"name": LONG}]}),
    ):
        with pytest.raises(taxonomy.TaxonomyError) as e:
            make()
        assert str(MAX_CATEGORY_NAME) in str(e.value) or "line break" in str(e.value)
    with pytest.raises(ValueError, match=str(MAX_CATEGORY_NAME)):
        category_names(f"cat, {LONG}")


def test_a_taxonomy_keeping_an_imported_long_name_still_applies() -> None:
    """A taxonomy exported from a project whose imported class has a long name names it as it is."""
    project = new_project(["cat"])
    project.categories[1].name = LONG
    plan = taxonomy.apply_taxonomy(project, {"categories": [{"name": LONG, "supercategory": "animal"}]})
    assert plan.updated == [LONG]


def test_shown_name_is_one_short_line_and_leaves_plain_names_alone() -> None:
    assert shown_name("traffic light") == "traffic light"
    assert shown_name("a\nb\tc\x1bd") == "a\\nb\\tc\\x1bd"
    assert shown_name("abc\u202edef") == "abc\\u202edef"  # a bidi override would turn the rest around
    shown = shown_name("y" * 200_000)
    assert len(shown) <= NAME_SHOWN + 1 and shown.endswith("…")
    assert shown_name("猫 🐈 Ünï") == "猫 🐈 Ünï"


def test_an_imported_over_long_name_is_kept_whole_and_reported(tmp_path: Path) -> None:
    """A COCO file from another tool with a 10,000-character class and one holding a line break: both
    classes and their objects come in as they were (renaming would part them from the dataset's other
    files), each said once naming the file and the class; the project saves and loads again, in our loader
    and in pycocotools."""
    long_name, two_lines = "z" * 10_000, "first\nsecond"
    src = tmp_path / "instances.json"
    src.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
                "annotations": [
                    {
                        "id": 1,
                        "image_id": 1,
                        "category_id": 7,
                        "bbox": [1, 1, 5, 5],
                        "area": 25,
                        "iscrowd": 0,
                    },
                    {
                        "id": 2,
                        "image_id": 1,
                        "category_id": 8,
                        "bbox": [9, 9, 5, 5],
                        "area": 25,
                        "iscrowd": 0,
                    },
                ],
                "categories": [{"id": 7, "name": long_name}, {"id": 8, "name": two_lines}],
            }
        )
    )
    fmt = detect_format(src)
    assert fmt is not None
    result = fmt.read(src, check_images=False)
    names = sorted(c.name for c in result.project.categories.values())
    assert names == sorted([long_name, two_lines])
    assert len(result.project.annotations) == 2
    said = [p for p in result.problems if "category" in p and ("10,000" in p or "line break" in p)]
    assert len(said) == 2, result.problems
    assert all(str(src) in p and len(p) < 400 for p in said)
    assert any("first\\nsecond" in p for p in said)
    out = tmp_path / "project.json"
    save_project(result.project, out)
    assert sorted(c.name for c in load_project(out).categories.values()) == names
    coco = COCO(str(out))
    assert sorted(c["name"] for c in coco.loadCats(coco.getCatIds())) == names


def test_a_labelme_shape_with_no_label_keeps_its_object_and_the_import_says_its_class_has_no_name(
    tmp_path: Path,
) -> None:
    """A LabelMe shape saved with an empty (or blank) label made a class called "" that no list, menu or
    export could name, and nothing said so: the object is kept (dropping it would lose a drawn outline),
    and the report names the file and says the class has no name."""
    from PIL import Image

    Image.new("RGB", (20, 20)).save(tmp_path / "a.png")
    tri = [[1, 1], [9, 1], [9, 9]]
    shapes = [
        {"label": label, "points": tri, "shape_type": "polygon", "flags": {}} for label in ("", "  ", "ok")
    ]
    doc = {"version": "5.0.1", "flags": {}, "shapes": shapes, "imagePath": "a.png", "imageData": None}
    (tmp_path / "a.json").write_text(json.dumps({**doc, "imageHeight": 20, "imageWidth": 20}))
    fmt = detect_format(tmp_path)
    assert fmt is not None and fmt.name == "labelme"
    result = fmt.read(tmp_path)
    assert len(result.project.annotations) == 3
    said = [p for p in result.problems if "category" in p]
    assert len(said) == 2, result.problems
    assert any("“” is empty" in p for p in said) and any("“  ” is blank" in p for p in said)
    assert all(str(tmp_path) in p for p in said)

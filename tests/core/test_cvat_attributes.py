"""A CVAT label's declared attributes as PixelProof edits them: the declaration read as CVAT writes it (and
as Datumaro's test files hold it), a value checked as CVAT's validateAttributeValue does, the default a
new object shows, the value several objects share, and what an object keeps when its category changes
(cvat-core's saveLabel: a same-named attribute whose value the new label accepts, nothing else)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.cvat_attributes import (
    MAX_VALUE,
    attributes_after_move,
    declared_attributes,
    effective_attributes,
    is_occluded,
    number_text,
    shared_value,
    value_problem,
    with_occluded,
    with_value,
)
from pixelproof.core.edits import set_category
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.cvat import read_cvat

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_images"

CAR = [
    {"name": "color", "input_type": "select", "default_value": "red", "values": "red\ngreen\nblue"},
    {"name": "parked", "input_type": "checkbox", "default_value": "false", "values": "false"},
    {"name": "doors", "input_type": "number", "default_value": "4", "values": "2\n5\n1"},
    {"name": "weight", "input_type": "number", "default_value": "1.5", "values": "0.5\n3\n0.25"},
    {"name": "plate", "input_type": "text", "default_value": "", "values": ""},
]
TRUCK = [
    {"name": "color", "input_type": "radio", "default_value": "white", "values": "white\nred"},
    {"name": "doors", "input_type": "number", "default_value": "2", "values": "2\n3\n1"},
    {"name": "plate", "input_type": "text", "default_value": "none", "values": ""},
]


def _category(cid: int, name: str, attrs: list | None) -> Category:
    return Category(cid, name, extra={"cvat": {"attributes": attrs}} if attrs is not None else {})


def _project() -> Project:
    p = Project()
    p.add_category(_category(1, "car", CAR))
    p.add_category(_category(2, "truck", TRUCK))
    p.add_category(_category(3, "tree", None))
    p.add_image(ImageRecord(1, "a.png", 100, 100))
    return p


def _ann(aid: int, cid: int = 1, **attrs: str) -> Annotation:
    a = Annotation(aid, 1, cid, [0.0, 0.0, 10.0, 10.0], [], 100.0)
    if attrs:
        a.app_extra["attributes"] = dict(attrs)
    return a


def test_a_declaration_as_cvat_writes_it() -> None:
    specs = declared_attributes(_category(1, "car", CAR))
    assert [s.name for s in specs] == ["color", "parked", "doors", "weight", "plate"]
    color, parked, doors, weight, plate = specs
    assert (color.input_type, color.values, color.default) == ("select", ("red", "green", "blue"), "red")
    assert (parked.input_type, parked.default) == ("checkbox", "false")
    assert (doors.number, doors.decimals, doors.default) == ((2.0, 5.0, 1.0), 0, "4")
    assert (weight.number, weight.decimals) == ((0.5, 3.0, 0.25), 2)
    assert (plate.input_type, plate.default) == ("text", "")


def test_datumaros_space_separated_declaration_and_a_number_that_is_no_range() -> None:
    """Datumaro's train.xml writes the values with spaces, and a number's as "2.4 1 -5.6" (min over max,
    a negative step): no range to edit in, so the value is free (a number), never clamped."""
    project = read_cvat(DATA / "export_task" / "train.xml").project
    specs = {s.name: s for s in declared_attributes(project.category_by_name("label1"))}
    assert specs["a1"].input_type == "checkbox"
    assert specs["a2"].values == ("v1", "v2", "v3")
    assert specs["a4"].number is None
    assert value_problem(specs["a4"], "2.4") is None
    assert value_problem(specs["a4"], "many") is not None
    assert value_problem(specs["a2"], "v3") is None


def test_values_checked_as_cvat_checks_them() -> None:
    color, parked, doors, weight, plate = declared_attributes(_category(1, "car", CAR))
    assert value_problem(color, "green") is None and value_problem(color, "pink") is not None
    assert value_problem(parked, "True") is None and value_problem(parked, "yes") is not None
    assert [value_problem(doors, v) is None for v in ("2", "5", "3.5", "1", "6", "nan", "", "x")] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert value_problem(plate, "anything at all") is None
    assert value_problem(plate, "x" * (MAX_VALUE + 1)) is not None
    assert number_text(weight, 2.0) == "2" and number_text(weight, 0.75) == "0.75"
    assert number_text(doors, -0.0) == "0"


def test_hostile_declarations_never_raise() -> None:
    bad = [
        "not a dict",
        {"name": ""},
        {"name": "n", "input_type": "number", "values": "1\ninf\n1"},
        {"name": "m", "input_type": "number", "values": "0\n10\n0"},
        {"name": "s", "input_type": "select", "values": None, "default_value": None},
        {"name": "w", "input_type": "wheel", "values": "a\nb"},
        {"name": 7, "input_type": ["x"]},
    ]
    specs = declared_attributes(_category(1, "x", bad))
    assert [s.name for s in specs] == ["n", "m", "s", "w", "7"]
    assert [s.number for s in specs[:2]] == [None, None]
    assert specs[3].input_type == "text"  # a type CVAT does not have: edited as text, written back as read
    assert declared_attributes(_category(1, "x", {"not": "a list"})) == []  # type: ignore[arg-type]


def test_a_new_object_shows_its_labels_defaults() -> None:
    project = _project()
    specs = declared_attributes(project.categories[1])
    drawn = _ann(1)
    assert effective_attributes(drawn, specs) == {
        "color": "red",
        "parked": "false",
        "doors": "4",
        "weight": "1.5",
        "plate": "",
    }
    imported = _ann(2, color="blue", extra="kept")  # an undeclared one comes after the declared ones
    shown = list(effective_attributes(imported, specs).items())
    assert (shown[0], shown[-1]) == (("color", "blue"), ("extra", "kept"))


def test_the_value_several_objects_share() -> None:
    specs = declared_attributes(_project().categories[1])
    anns = [_ann(1), _ann(2, color="red"), _ann(3, color="blue")]
    values = [effective_attributes(a, specs)["color"] for a in anns]
    assert shared_value(values[:2]) == "red"  # a default and the same value written: the same
    assert shared_value(values) is None


def test_setting_a_value_keeps_the_object_and_the_rest() -> None:
    specs = declared_attributes(_project().categories[1])
    a = _ann(1, plate="X1")
    assert with_value(a, specs, "color", "red") is None  # already its value (the default)
    b = with_value(a, specs, "color", "green")
    assert b is not None and b.app_extra["attributes"] == {"plate": "X1", "color": "green"}
    assert a.app_extra["attributes"] == {"plate": "X1"}  # the original is untouched (undo keeps it)
    assert with_occluded(a, False) is None
    c = with_occluded(a, True)
    assert c is not None and c.app_extra["occluded"] == 1 and is_occluded(c) and not is_occluded(a)


def test_a_category_change_keeps_what_the_new_label_accepts() -> None:
    """cvat-core saveLabel: the new label's defaults, then each same-named attribute whose old value the
    new label accepts; the rest (an undeclared one too) dropped. The old label's default counts as its
    value (CVAT objects always hold every attribute)."""
    project = _project()
    car, truck, tree = (declared_attributes(project.categories[i]) for i in (1, 2, 3))
    a = _ann(1, color="red", doors="5", plate="AB 1", extra="x")
    assert attributes_after_move(a, car, truck) == {"color": "red", "plate": "AB 1"}  # doors 5 > 3
    b = _ann(2)  # the defaults of car: color red, doors 4 (not a truck's), plate ""
    assert attributes_after_move(b, car, truck) == {"color": "red", "plate": ""}
    assert attributes_after_move(a, car, tree) == {}
    assert attributes_after_move(_ann(3, cid=3), tree, car) is None  # nothing held, nothing to do


def test_set_category_moves_attributes_and_undo_gives_them_back() -> None:
    project = _project()
    project.add_annotation(_ann(1, color="blue", doors="3", extra="x"))
    project.add_annotation(_ann(2, cid=3))
    edit = set_category(project, [1, 2], 2)
    assert edit is not None
    edit.apply(project)
    assert project.annotations[1].app_extra["attributes"] == {"doors": "3", "plate": ""}
    assert "attributes" not in project.annotations[2].app_extra  # a tree's object held none: none made
    edit.revert(project)
    assert project.annotations[1].app_extra["attributes"] == {"color": "blue", "doors": "3", "extra": "x"}
    assert project.annotations[1].category_id == 1
    edit.apply(project)  # redo
    assert project.annotations[1].app_extra["attributes"] == {"doors": "3", "plate": ""}


def test_a_project_whose_labels_declare_nothing_keeps_attributes_on_a_category_change() -> None:
    """A CVAT-like file without a label list (a script's, an old tool's) declares no attribute anywhere:
    there is no new label's declaration to follow, so a category change keeps what the object holds
    (CVAT's rule would drop every value, as undeclared)."""
    project = Project()
    project.add_category(_category(1, "car", None))
    project.add_category(_category(2, "truck", None))
    project.add_image(ImageRecord(1, "a.png", 100, 100))
    project.add_annotation(_ann(1, color="red", lane="2"))
    edit = set_category(project, [1], 2)
    assert edit is not None
    edit.apply(project)
    assert project.annotations[1].category_id == 2
    assert project.annotations[1].app_extra["attributes"] == {"color": "red", "lane": "2"}


@pytest.mark.parametrize("stored", [None, 0, False, "", "0"])
def test_not_occluded(stored: object) -> None:
    a = _ann(1)
    if stored is not None:
        a.app_extra["occluded"] = stored
    assert not is_occluded(a)

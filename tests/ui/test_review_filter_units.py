"""The Images table's filter compared a distance of an image in mm and one in px as one scale: with
chelsea.jpg and coins.png in mm (a pixel_spacing) and the rest in px, "HD95 < 5" kept 4.1 mm and 3 px alike.
A distance condition now takes a unit ("HD95 < 5 mm") and applies to the rows in it; without a unit it is
refused while images are in both units, saying what to write. Real typing in the filter box."""

from __future__ import annotations

import math
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.demo import install_demo
from pixelproof.ui.review.filter import FilterError, parse_filter
from tests.ui.test_review import enter_review, image_ids, open_window
from tests.ui.test_review_units import edit

LEFT = Qt.MouseButton.LeftButton


def type_filter(box, text: str) -> None:
    QTest.mouseClick(box, LEFT)
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(box, Qt.Key.Key_Delete)
    QTest.keyClicks(box, text)


def test_a_distance_filter_keeps_to_the_unit_written(qtbot, tmp_path, no_prompts) -> None:
    project = install_demo(tmp_path / "demo")
    for path in (project, project.parent / "reference.json"):
        edit(path, spaced="chelsea.jpg")
        edit(path, spaced="coins.png")
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        images = view.images
        rows = view.scored.image_table
        assert {r["unit"] for r in rows} == {"mm", "px"}
        total = len(rows)
        cut = sorted(r["hd95"] for r in rows if math.isfinite(r["hd95"]))[len(rows) // 2]  # some on each side

        def want(unit: str | None, test) -> set[int]:  # type: ignore[no-untyped-def]
            return {
                r["image_id"]
                for r in rows
                if (unit is None or r["unit"] == unit) and not math.isnan(r["hd95"]) and test(r["hd95"])
            }

        # no unit while units are mixed: refused, saying which units and what to write; all rows stay
        type_filter(images.filter_edit, f"HD95 < {cut:g}")
        note = images.filter_note.text()
        assert "mm" in note and "px" in note and f"HD95 &lt; {cut:g} mm" in note, note
        assert images.image_proxy.rowCount() == total
        # with a unit: the rows in that unit, by their value
        type_filter(images.filter_edit, f"HD95 < {cut:g} mm")
        mm = want("mm", lambda v: v < cut)
        assert set(image_ids(view)) == mm and mm
        assert images.filter_note.text().startswith(f"{len(mm)} of {total} images")
        assert "in px" in images.filter_note.text()  # says the px rows are left out
        type_filter(images.filter_edit, "hd95 >= 0 px, Dice > 0")
        px = {
            i for i in want("px", lambda v: v >= 0) if next(r for r in rows if r["image_id"] == i)["dice"] > 0
        }
        assert set(image_ids(view)) == px and px
        assert all(images.image_proxy.index(r, 0).data() for r in range(images.image_proxy.rowCount()))
        # a figure without a unit still filters every row
        type_filter(images.filter_edit, "Dice < 2")
        assert images.image_proxy.rowCount() == sum(not math.isnan(r["dice"]) for r in rows)
    finally:
        win.document.undo_stack.setClean()
        win.close()


@pytest.mark.parametrize(
    ("text", "units", "want"),
    [
        ("HD95 < 5", {"px"}, [("hd95", "<", 5.0, None)]),
        ("HD95 < 5 mm", {"mm", "px"}, [("hd95", "<", 5.0, "mm")]),
        ("assd>=1px and Dice < 0.9", {"mm", "px"}, [("assd", ">=", 1.0, "px"), ("dice", "<", 0.9, None)]),
        ("Dice < 0.9", {"mm", "px"}, [("dice", "<", 0.9, None)]),
        # a slide's distances read in µm: written so, they are compared in mm (micro sign or Greek mu)
        ("HD95 < 50 µm", {"mm"}, [("hd95", "<", 0.05, "mm")]),
        ("hd95>=12.5um", {"mm", "px"}, [("hd95", ">=", 0.0125, "mm")]),
        ("ASSD < 3 μm", {"mm"}, [("assd", "<", 0.003, "mm")]),
        ("HD95 > 0.5 cm", {"mm"}, [("hd95", ">", 5.0, "mm")]),
    ],
)
def test_parse_units(text: str, units: set[str], want: list) -> None:
    assert [(c.metric, c.op, c.value, c.unit) for c in parse_filter(text, units)] == want


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("HD95 < 5", {"mm", "px"}),
        ("Dice < 0.9 mm", {"mm"}),
        ("Dice < 0.9 µm", {"mm"}),
        ("HD < 2 ft", {"mm"}),
        ("HD95 < 2 km", {"mm"}),
    ],
)
def test_parse_units_refused(text: str, units: set[str]) -> None:
    with pytest.raises(FilterError):
        parse_filter(text, units)


def test_a_unitless_filter_is_dropped_when_a_rerun_brings_a_second_unit(qtbot, tmp_path, no_prompts) -> None:
    """ "HD95 < 5" typed while every image is in px; then a reference giving chelsea.jpg a pixel spacing:
    the filter, kept, would compare mm and px as one scale. It is refused and every row shown."""
    import shutil

    from pixelproof.core.edits import SetReference

    project = install_demo(tmp_path / "demo")
    spaced = project.parent / "reference-spaced.json"
    shutil.copy(project.parent / "reference.json", spaced)
    edit(spaced, spaced="chelsea.jpg")
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        images = view.images
        type_filter(images.filter_edit, "HD95 < 5")
        assert 0 < images.image_proxy.rowCount() < len(view.scored.image_table)
        before = view.scored
        win.document.push(SetReference(str(spaced)))
        qtbot.waitUntil(lambda: view.job is None and view.scored is not before, timeout=10000)
        assert {r["unit"] for r in view.scored.image_table} == {"mm", "px"}
        assert "HD95 &lt; 5 mm" in images.filter_note.text()
        assert images.image_proxy.rowCount() == len(view.scored.image_table)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_filters_tooltip_names_the_units_it_takes() -> None:
    """A slide's table reads HD95 in µm; the box's tooltip named only mm and px, so ``HD95 < 50 µm`` looked
    refused before anyone tried it. Each distance example in the tip parses, in each unit a table shows."""
    from pixelproof.ui.review.image_list import FILTER_TIP

    examples = re.findall(r"HD95 < [0-9.]+ \w+", FILTER_TIP)
    units = {e.rsplit(" ", 1)[1] for e in examples}
    assert {"mm", "µm", "px"} <= units
    for e in examples:
        assert parse_filter(e, {"mm"} if e.endswith("m") else {"px"})

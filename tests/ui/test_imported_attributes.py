"""A CVAT user's object attributes (occluded, z_order, group, the label's attributes) shown in the
Properties panel of the object clicked: they were kept in the project but shown nowhere."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.interop.cvat import read_cvat
from tests.ui.conftest import open_main_window, tip_text
from tests.ui.test_workbench import set_zoom

XML = (
    '<annotations><version>1.1</version><image id="0" name="a.png" width="200" height="150">'
    '<box label="car" occluded="1" z_order="2" group_id="4" xtl="20" ytl="20" xbr="80" ybr="70">'
    '<attribute name="color">green</attribute><attribute name="parked">true</attribute></box>'
    '<box label="car" xtl="120" ytl="20" xbr="180" ybr="70"/>'
    "</image></annotations>"
)


def _click(window, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    canvas = window.canvas
    at: QPoint = canvas.mapFromScene(x, y)
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def test_a_cvat_objects_attributes_show_in_properties(qtbot, tmp_path: Path, no_prompts) -> None:
    (tmp_path / "cvat").mkdir()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(tmp_path / "cvat" / "a.png")
    (tmp_path / "cvat" / "annotations.xml").write_text(XML, encoding="utf-8")
    save_project(read_cvat(tmp_path / "cvat").project, tmp_path / "cvat" / "project.json")
    window = open_main_window(qtbot, tmp_path / "cvat" / "project.json")
    set_zoom(window, 1.0)
    props = window.panels["propertiesDock"]
    doc = window.document
    _click(window, 50, 45)
    qtbot.waitUntil(lambda: [a.bbox[0] for a in doc.selected_annotations()] == [20.0], timeout=10000)
    qtbot.waitUntil(lambda: not props.fields.isHidden(), timeout=10000)
    # the label declares none (no <meta> in the file): kept on the read-only line; Occluded is a checkbox
    assert props.cvat.kept.whole == "z 2 · group 4 · color: green · parked: true"  # shown cut to the dock
    assert props.form.isRowVisible(props.cvat.kept) and props.cvat.fields == {}
    assert tip_text(props.cvat.kept.toolTip()).startswith("z 2\ngroup 4\ncolor: green\nparked: true\n")
    assert not props.cvat.occluded.isHidden() and props.cvat.occluded.isChecked()
    assert props.form.labelForField(props.cvat.kept).text() == "CVAT"
    _click(window, 150, 45)  # an object with none: the row is hidden
    qtbot.waitUntil(lambda: [a.bbox[0] for a in doc.selected_annotations()] == [120.0], timeout=10000)
    qtbot.waitUntil(
        lambda: not props.form.isRowVisible(props.cvat.kept), timeout=10000
    )  # refreshed on a timer
    assert not props.cvat.occluded.isHidden() and not props.cvat.occluded.isChecked()


def test_a_coco_object_shows_no_cvat_fields(window) -> None:  # type: ignore[no-untyped-def]
    """A project that never saw CVAT: no Occluded flag, no attribute rows, no CVAT line."""
    from tests.ui.test_workbench import draw_box

    props = window.panels["propertiesDock"]
    set_zoom(window, 1.0)
    draw_box(window, 40, 30, 120, 90)
    window.document.set_selection(list(window.document.project.annotations))
    props.refresh()
    assert not props.fields.isHidden()
    assert props.cvat.occluded.isHidden() and props.cvat.fields == {}
    assert not props.form.isRowVisible(props.cvat.kept)


def test_a_kept_value_of_several_lines_stays_on_one_line(qtbot, tmp_path: Path, no_prompts) -> None:
    """A CVAT text attribute may hold line breaks (a note typed over two lines): the read-only line showed
    it on two, the second pushing the rows below down, though it is the panel's one line. The break is
    shown as ↵ on the one line; the tooltip and Copy All keep the value as written."""
    from PySide6.QtGui import QGuiApplication

    xml = XML.replace(">green<", ">dark\ngreen<")
    (tmp_path / "cvat").mkdir()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(tmp_path / "cvat" / "a.png")
    (tmp_path / "cvat" / "annotations.xml").write_text(xml, encoding="utf-8")
    save_project(read_cvat(tmp_path / "cvat").project, tmp_path / "cvat" / "project.json")
    window = open_main_window(qtbot, tmp_path / "cvat" / "project.json")
    set_zoom(window, 1.0)
    props = window.panels["propertiesDock"]
    _click(window, 50, 45)
    kept = props.cvat.kept
    qtbot.waitUntil(lambda: props.form.isRowVisible(kept) and kept.whole != "", timeout=10000)
    assert kept.whole == "z 2 · group 4 · color: dark\ngreen · parked: true"
    shown = kept.text()
    assert "\n" not in shown and kept.whole.replace("\n", "↵").startswith(shown.removesuffix("…")), shown
    assert kept.sizeHint().height() <= kept.fontMetrics().height() + kept.contentsMargins().top() + 4
    assert "dark\ngreen" in tip_text(kept.toolTip())
    kept.copy_all()
    assert QGuiApplication.clipboard().text() == kept.whole


def test_x_anylabeling_attributes_are_not_called_cvat(qtbot, tmp_path: Path, no_prompts) -> None:
    """A LabelMe file from X-AnyLabeling: its shape's attributes and group id show on a line labelled
    "Attributes", with no CVAT Occluded flag (the file has none); a CVAT object's line still reads "CVAT"."""
    import json

    from pixelproof.interop.labelme import read_labelme

    folder = tmp_path / "xany"
    folder.mkdir()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(folder / "a.png")
    shape = {
        "label": "car", "shape_type": "rectangle", "points": [[20, 20], [80, 70]], "group_id": 3,
        "attributes": {"color": "red"}, "flags": {},
    }  # fmt: skip
    doc = {"version": "2.4.4", "shapes": [shape], "imagePath": "a.png", "imageHeight": 150, "imageWidth": 200}
    (folder / "a.json").write_text(json.dumps(doc), encoding="utf-8")
    save_project(read_labelme(folder).project, folder / "project.json")
    window = open_main_window(qtbot, folder / "project.json")
    set_zoom(window, 1.0)
    props = window.panels["propertiesDock"]
    _click(window, 50, 45)
    qtbot.waitUntil(
        lambda: [a.bbox[0] for a in window.document.selected_annotations()] == [20.0], timeout=10000
    )
    qtbot.waitUntil(
        lambda: not props.fields.isHidden() and props.form.isRowVisible(props.cvat.kept), timeout=10000
    )
    assert props.cvat.kept.whole == "group 3 · color: red"
    assert props.form.labelForField(props.cvat.kept).text() == "Attributes"
    assert props.cvat.occluded.isHidden()  # CVAT's flag only for CVAT's objects

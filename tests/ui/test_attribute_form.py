"""A CVAT user's walkthrough: the attributes of an object (and its Occluded flag) could be looked at in
the Properties panel but not changed, where CVAT's object sidebar edits each one. Now each declared
attribute is a field of its type, each change one undoable edit, several objects of one label are edited
together, a new object has its label's defaults, and the values go back to CVAT as CVAT writes them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit

from pixelproof.core.coco import save_project
from pixelproof.interop import read_coco
from pixelproof.interop.cvat import read_cvat, write_cvat
from tests.ui.conftest import open_main_window, tip_text
from tests.ui.test_workbench import draw_box, set_zoom

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier

XML = """<annotations><version>1.1</version><meta><task><labels>
<label><name>car</name><attributes>
<attribute><name>color</name><input_type>select</input_type><default_value>red</default_value>
<values>red
green
blue</values></attribute>
<attribute><name>parked</name><input_type>checkbox</input_type><default_value>false</default_value>
<values>false</values></attribute>
<attribute><name>doors</name><input_type>number</input_type><default_value>4</default_value><values>2
5
1</values></attribute>
<attribute><name>plate</name><input_type>text</input_type><default_value></default_value><values></values>
</attribute></attributes></label>
<label><name>person</name></label></labels></task></meta>
<image id="0" name="a.png" width="200" height="150">
<box label="car" occluded="1" xtl="20" ytl="20" xbr="80" ybr="70"><attribute name="color">red</attribute>
<attribute name="parked">true</attribute><attribute name="doors">4</attribute>
<attribute name="plate">AB 123</attribute></box>
<box label="car" occluded="0" xtl="120" ytl="20" xbr="180" ybr="70"><attribute name="color">green</attribute>
<attribute name="parked">false</attribute><attribute name="doors">2</attribute>
<attribute name="plate"></attribute></box>
</image></annotations>"""


def _open(qtbot, tmp_path: Path, xml: str = XML):  # type: ignore[no-untyped-def]
    folder = tmp_path / "cvat"
    folder.mkdir()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(folder / "a.png")
    (folder / "annotations.xml").write_text(xml, encoding="utf-8")
    save_project(read_cvat(folder).project, folder / "project.json")
    window = open_main_window(qtbot, folder / "project.json")
    window.docks["propertiesDock"].show()  # an earlier test may have left another tab in front
    window.docks["propertiesDock"].raise_()
    set_zoom(window, 1.0, (100, 75))
    return window


def _click_object(qtbot, window, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    at: QPoint = window.canvas.mapFromScene(x, y)
    QTest.mouseClick(window.canvas.viewport(), LEFT, NOMOD, at)
    doc = window.document
    qtbot.waitUntil(lambda: len(doc.selection) == 1, timeout=10000)
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(
        lambda: props.cvat._ids == tuple(doc.selection), timeout=10000
    )  # the panel refreshes on a timer


def _attrs(window, n: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return list(window.document.project.annotations.values())[n].app_extra.get("attributes", {})


def _key(window, key, modifier=NOMOD) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(window.canvas, key, modifier)


def _settled(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(lambda: not props._refresh_timer.isActive(), timeout=10000)


def _typed_into_the_first(qtbot, tmp_path: Path, field: str, text: str):  # type: ignore[no-untyped-def]
    """The file opened, its first object clicked and `text` typed over its `field` (the line edit, a number
    field's included), nothing committed yet. Returns the window, that line edit and the second object."""
    window = _open(qtbot, tmp_path)
    _click_object(qtbot, window, 50, 45)
    _, second = list(window.document.project.annotations)
    widget = window.panels["propertiesDock"].cvat.fields[field]
    line = widget if isinstance(widget, QLineEdit) else widget.lineEdit()
    QTest.mouseClick(line, LEFT)
    QTest.keyClick(line, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(line, text)
    return window, line, second


def test_each_attribute_is_a_field_of_its_type_and_a_click_is_one_undo_step(
    qtbot, tmp_path, no_prompts
) -> None:
    window = _open(qtbot, tmp_path)
    props = window.panels["propertiesDock"]
    doc = window.document
    _click_object(qtbot, window, 50, 45)
    fields = props.cvat.fields
    assert list(fields) == ["color", "parked", "doors", "plate"]
    color, parked, doors, plate = fields.values()
    assert isinstance(color, QComboBox) and color.currentText() == "red"
    assert [color.itemText(k) for k in range(color.count())] == ["red", "green", "blue"]
    assert isinstance(parked, QCheckBox) and parked.isChecked()
    assert isinstance(doors, QDoubleSpinBox) and doors.value() == 4
    assert (doors.minimum(), doors.maximum(), doors.singleStep()) == (2, 5, 1)
    assert isinstance(plate, QLineEdit) and plate.text() == "AB 123"
    # shown once the dock raised in _open is laid out (a first run in a fresh process may take a turn)
    qtbot.waitUntil(
        lambda: props.cvat.occluded.isVisible() and all(w.isVisible() for w in fields.values()), timeout=10000
    )
    assert props.cvat.occluded.isChecked()

    QTest.mouseClick(parked, LEFT)
    assert _attrs(window, 0)["parked"] == "false"
    assert doc.undo_stack.count() == 1
    _key(window, Qt.Key.Key_Z, CTRL)
    assert _attrs(window, 0)["parked"] == "true"
    _settled(qtbot, window)
    assert parked.isChecked()  # the field follows the undo
    _key(window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert _attrs(window, 0)["parked"] == "false"

    QTest.mouseClick(props.cvat.occluded, LEFT)
    assert next(iter(doc.project.annotations.values())).app_extra["occluded"] == 0
    assert doc.undo_stack.count() == 2

    color.setFocus()
    QTest.keyClick(color, Qt.Key.Key_Down)  # red -> green
    assert _attrs(window, 0)["color"] == "green"

    line = doors.lineEdit()
    QTest.mouseClick(line, LEFT)
    QTest.keyClick(line, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(line, "3")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert _attrs(window, 0)["doors"] == "3"
    QTest.keyClick(line, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(line, "9")  # over the label's 5: the field does not take it
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert _attrs(window, 0)["doors"] == "3"
    QTest.keyClick(line, Qt.Key.Key_Up)
    assert _attrs(window, 0)["doors"] == "4"

    QTest.mouseClick(plate, LEFT)
    QTest.keyClick(plate, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(plate, "XY 9")
    QTest.keyClick(plate, Qt.Key.Key_Return)
    assert _attrs(window, 0) == {"color": "green", "parked": "false", "doors": "4", "plate": "XY 9"}
    assert doc.undo_stack.count() == 6  # each change its own step
    assert _attrs(window, 1) == {"color": "green", "parked": "false", "doors": "2", "plate": ""}

    _key(window, Qt.Key.Key_S, CTRL)  # saved and read again: the values stay
    saved = read_coco(tmp_path / "cvat" / "project.json").project
    assert next(iter(saved.annotations.values())).app_extra["attributes"]["plate"] == "XY 9"
    write_cvat(saved, tmp_path / "out", images="keep")  # and go to CVAT as CVAT writes them
    box = ET.parse(tmp_path / "out" / "annotations.xml").getroot().find("image/box")
    assert box is not None and box.get("occluded") == "0"
    assert {a.get("name"): a.text for a in box.iter("attribute")} == {
        "color": "green",
        "parked": "false",
        "doors": "4",
        "plate": "XY 9",
    }


def test_several_objects_show_what_they_share_and_a_value_set_goes_to_all(
    qtbot, tmp_path, no_prompts
) -> None:
    window = _open(qtbot, tmp_path)
    props = window.panels["propertiesDock"]
    doc = window.document
    _click_object(qtbot, window, 50, 45)
    _key(window, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(lambda: len(props.cvat._ids) == 2, timeout=10000)
    color, parked, doors, plate = props.cvat.fields.values()
    assert color.currentIndex() == -1 and color.placeholderText() == "(several)"
    assert parked.checkState() == Qt.CheckState.PartiallyChecked
    assert doors.text() == "(several)"
    assert plate.text() == "" and plate.placeholderText() == "(several)"
    assert props.cvat.occluded.checkState() == Qt.CheckState.PartiallyChecked

    QTest.mouseClick(plate, LEFT)  # into the mixed field and out again: nothing written
    QTest.mouseClick(doors.lineEdit(), LEFT)
    QTest.keyClick(doors.lineEdit(), Qt.Key.Key_Return)
    assert doc.undo_stack.count() == 0

    QTest.mouseClick(parked, LEFT)  # mixed -> checked, on both, as one step
    assert [_attrs(window, n)["parked"] for n in (0, 1)] == ["true", "true"]
    assert doc.undo_stack.count() == 1
    assert len(doc.selection) == 2  # both stay selected (the one already checked too)
    _settled(qtbot, window)
    assert parked.checkState() == Qt.CheckState.Checked
    QTest.keyClick(doors.lineEdit(), Qt.Key.Key_Up)  # from "(several)": the first value of the range
    assert [_attrs(window, n)["doors"] for n in (0, 1)] == ["2", "2"]
    _key(window, Qt.Key.Key_Z, CTRL)
    _key(window, Qt.Key.Key_Z, CTRL)
    assert [_attrs(window, n)["parked"] for n in (0, 1)] == ["true", "false"]
    assert [_attrs(window, n)["doors"] for n in (0, 1)] == ["4", "2"]


def test_a_new_object_has_its_labels_defaults_and_a_category_change_keeps_what_cvat_keeps(
    qtbot, tmp_path, no_prompts
) -> None:
    window = _open(qtbot, tmp_path)
    props = window.panels["propertiesDock"]
    doc = window.document
    new = draw_box(window, 30, 90, 90, 140)  # in car, the current category
    doc.set_selection([new])
    qtbot.waitUntil(lambda: props.cvat._ids == (new,), timeout=10000)
    color, parked, doors, plate = props.cvat.fields.values()
    assert (color.currentText(), parked.isChecked(), doors.value(), plate.text()) == ("red", False, 4, "")
    assert not props.cvat.occluded.isChecked()
    assert "attributes" not in doc.project.annotations[new].app_extra  # the defaults are not copied in

    _key(window, Qt.Key.Key_V)  # the select tool again
    _click_object(qtbot, window, 50, 45)
    assert doc.selection == [next(iter(doc.project.annotations))]
    props.category.setFocus()
    QTest.keyClick(props.category, Qt.Key.Key_Down)  # car -> person, which declares none
    first = next(iter(doc.project.annotations.values()))
    assert doc.project.categories[first.category_id].name == "person"
    assert "attributes" not in first.app_extra  # dropped, as CVAT does
    qtbot.waitUntil(lambda: props.cvat.fields == {}, timeout=10000)
    assert props.cvat.occluded.isVisible()  # a CVAT object still
    _key(window, Qt.Key.Key_Z, CTRL)
    assert _attrs(window, 0)["plate"] == "AB 123"
    qtbot.waitUntil(lambda: list(props.cvat.fields) == ["color", "parked", "doors", "plate"], timeout=10000)

    write_cvat(doc.project, tmp_path / "out", images="keep")
    back = read_cvat(tmp_path / "out").project
    drawn = [a for a in back.annotations.values() if a.bbox[1] == 90.0]
    assert [a.app_extra["attributes"] for a in drawn] == [
        {"color": "red", "parked": "false", "doors": "4", "plate": ""}
    ]


def test_values_the_label_does_not_allow_are_shown_as_read_and_kept(qtbot, tmp_path, no_prompts) -> None:
    """A file may hold what CVAT's sidebar would not let one choose (a colour not declared, 9 doors of at
    most 5, "maybe" for a checkbox): shown as they are, never clamped or replaced by looking at them."""
    xml = XML.replace(">red</attribute>", ">pink</attribute>", 1).replace(
        ">4</attribute>", ">9</attribute>", 1
    )
    xml = xml.replace(">true</attribute>", ">maybe</attribute>", 1)
    window = _open(qtbot, tmp_path, xml)
    props = window.panels["propertiesDock"]
    doc = window.document
    _click_object(qtbot, window, 50, 45)
    color, parked, doors, plate = props.cvat.fields.values()
    assert color.currentText() == "pink  (not declared)" and "pink" in color.toolTip()
    assert doors.text() == "9" and "outside 2 to 5" in doors.toolTip()
    assert parked.checkState() == Qt.CheckState.PartiallyChecked
    QTest.mouseClick(doors.lineEdit(), LEFT)
    QTest.keyClick(doors.lineEdit(), Qt.Key.Key_Return)
    QTest.mouseClick(plate, LEFT)
    color.setFocus()
    assert doc.undo_stack.count() == 0
    assert _attrs(window, 0) == {"color": "pink", "parked": "maybe", "doors": "9", "plate": "AB 123"}
    QTest.keyClick(color, Qt.Key.Key_Up)  # the user chooses a declared value: now it is one
    assert _attrs(window, 0)["color"] == "blue"


def test_text_typed_goes_to_the_object_it_was_typed_for(qtbot, tmp_path, no_prompts) -> None:
    window, plate, second = _typed_into_the_first(qtbot, tmp_path, "plate", "ZZ 1")
    props = window.panels["propertiesDock"]
    doc = window.document
    doc.set_selection([second])  # a script or a shortcut moves the selection, the focus stays
    qtbot.waitUntil(lambda: props.cvat._ids == (second,), timeout=10000)
    assert _attrs(window, 0)["plate"] == "ZZ 1"
    assert _attrs(window, 1)["plate"] == "" and plate.text() == ""
    assert doc.selection == [second]


def test_a_review_state_set_on_several_objects_keeps_them_all_selected(qtbot, tmp_path, no_prompts) -> None:
    """The panel's own fields did the same: Accepted chosen for two objects, one of them accepted
    already, left only the other selected (the edit's focus was the objects it changed)."""
    window = _open(qtbot, tmp_path)
    props = window.panels["propertiesDock"]
    doc = window.document
    _click_object(qtbot, window, 50, 45)
    props.review.setFocus()
    QTest.keyClick(props.review, Qt.Key.Key_Down)  # not reviewed -> the first state
    state = next(iter(doc.project.annotations.values())).review
    assert state is not None
    _key(window, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(lambda: len(props.cvat._ids) == 2, timeout=10000)
    props.review.setFocus()
    props.review.setCurrentIndex(-1)
    QTest.keyClick(props.review, Qt.Key.Key_Down)  # from mixed to "not reviewed", then to the state
    QTest.keyClick(props.review, Qt.Key.Key_Down)
    assert [a.review for a in doc.project.annotations.values()] == [state, state]
    assert len(doc.selection) == 2


def test_a_number_typed_goes_to_the_object_it_was_typed_for(qtbot, tmp_path, no_prompts) -> None:
    """The text field's typing went to its object when the selection moved under it, the number field's
    was dropped: digits typed (counted on Return or leaving) were replaced by the new object's value."""
    window, line, second = _typed_into_the_first(qtbot, tmp_path, "doors", "3")
    props = window.panels["propertiesDock"]
    doc = window.document
    doc.set_selection([second])  # a script or a shortcut moves the selection, the focus stays
    qtbot.waitUntil(lambda: props.cvat._ids == (second,), timeout=10000)
    assert [_attrs(window, n)["doors"] for n in (0, 1)] == ["3", "2"]
    assert doc.selection == [second] and line.text() == "2"


def test_return_before_the_panel_follows_the_selection_keeps_the_new_selection(
    qtbot, tmp_path, no_prompts
) -> None:
    """The panel follows a selection on the next event-loop turn: a Return queued behind the key that
    moved it wrote the value onto the objects shown (as it should) and selected them again."""
    window, plate, second = _typed_into_the_first(qtbot, tmp_path, "plate", "QQ 7")
    props = window.panels["propertiesDock"]
    doc = window.document
    doc.set_selection([second])
    QTest.keyClick(plate, Qt.Key.Key_Return)  # before the panel's refresh
    qtbot.waitUntil(lambda: props.cvat._ids == (second,), timeout=10000)
    assert [_attrs(window, n)["plate"] for n in (0, 1)] == ["QQ 7", ""]
    assert doc.selection == [second] and plate.text() == ""


def test_long_attribute_names_and_ranges_stay_inside_a_laptop_dock(qtbot, tmp_path, no_prompts) -> None:
    """A checkbox named beside its box (up to 192 px of its name) in the field column, or a number whose
    range is written with many digits, made the panel wider than the Properties dock of a 1366x768
    window: the fields' right ends (a list's arrow, Occluded) were cut off."""
    xml = XML.replace("<name>parked</name>", "<name>vehicle_is_partially_truncated_by_frame</name>")
    xml = xml.replace(
        '<attribute name="parked">', '<attribute name="vehicle_is_partially_truncated_by_frame">'
    )
    xml = xml.replace("<values>2\n5\n1</values>", "<values>-1e308\n1e308\n0.5</values>")
    more = "".join(  # a label column as wide as it gets, and rows enough for the dock to scroll
        f"<attribute><name>{name}</name><input_type>text</input_type><values></values></attribute>"
        for name in ["registration_country_code", *(f"note_{k}" for k in range(8))]
    )
    xml = xml.replace("</attributes></label>", more + "</attributes></label>", 1)
    window = _open(qtbot, tmp_path, xml)
    window.resize(1366, 768)
    _click_object(qtbot, window, 50, 45)
    _settled(qtbot, window)
    props = window.panels["propertiesDock"]
    view = props.parentWidget()  # the dock's scroll area's viewport
    qtbot.waitUntil(
        lambda: props.height() > view.height(), timeout=10000
    )  # it scrolls: a scroll bar takes some width
    shown = [props.category, props.cvat.occluded, props.note, *props.cvat.fields.values()]
    for widget in shown:
        right = widget.mapTo(view, widget.rect().topRight()).x()
        assert right < view.width(), (widget, right, view.width())
    box = props.cvat.fields["vehicle_is_partially_truncated_by_frame"]
    assert box.text().startswith("vehicle_is_partially") and tip_text(box.toolTip()).startswith(
        "vehicle_is_partially_truncated_by_frame: true or false"
    )


def test_an_ampersand_in_an_attributes_name_is_shown_and_makes_no_shortcut(
    qtbot, tmp_path, no_prompts
) -> None:
    """Qt reads "&D" in a checkbox's or a buddy label's text as a shortcut: an attribute named "R&D" was
    shown "RD" and Alt+D, pressed anywhere in the window, toggled it (one more shortcut from a file, which
    could also take a menu's Alt key away)."""
    xml = XML.replace("<name>parked</name>", "<name>R&amp;D</name>").replace(
        '<attribute name="parked">', '<attribute name="R&amp;D">'
    )
    xml = xml.replace("<name>plate</name>", "<name>&amp;Kennzeichen</name>").replace(
        '<attribute name="plate">', '<attribute name="&amp;Kennzeichen">'
    )
    window = _open(qtbot, tmp_path, xml)
    props = window.panels["propertiesDock"]
    doc = window.document
    _click_object(qtbot, window, 50, 45)
    box, plate = props.cvat.fields["R&D"], props.cvat.fields["&Kennzeichen"]
    assert box.isChecked()
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    QTest.keyClick(window.canvas, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert _attrs(window, 0)["R&D"] == "true" and doc.undo_stack.count() == 0
    assert not plate.hasFocus()
    # what is drawn is the name, ampersand included: as a checkbox and a label whose text says "&&"
    shown = QCheckBox("R&&D")
    shown.setChecked(True)
    labels = [w for w in props.fields.findChildren(QLabel) if w.buddy() is plate]
    qtbot.waitUntil(lambda: any(w.isVisible() for w in labels), timeout=10000)  # once the form is laid out
    label = next(w for w in labels if w.isVisible())
    literal = QLabel("&&Kennzeichen")
    literal.setBuddy(plate)
    for widget, reference in ((box, shown), (label, literal)):
        reference.setParent(widget.parentWidget())
        reference.setGeometry(widget.geometry())
        reference.setFont(widget.font())
        assert widget.grab().toImage() == reference.grab().toImage(), widget
        reference.deleteLater()

"""Masks > Show Categories hides a category's objects; an edit that moves an object the user sees into a
hidden category (the digit keys, the Properties panel, a class merge, undo and redo) shows that category
again instead of making the object vanish. Loading an image, reopening the project, renaming a hidden
category and a model's proposals leave what is hidden hidden. Real key and mouse events on the real window."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from pixelproof.core.edits import AddAnnotations, AddPredictions, ReplaceCategory
from pixelproof.core.model import Annotation
from pixelproof.core.taxonomy import merge_categories
from tests.ui.conftest import ListRow, row_ids, wait_loaded
from tests.ui.test_workbench import draw_box, key, set_zoom

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
CAT, DOG = 1, 2


def categories_menu(win) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Open Masks > Show Categories as the user does; its actions by category name."""
    menu = win.masks_menu.categories_menu
    menu.popup(win.mapToGlobal(QPoint(100, 100)))
    QTest.qWaitForWindowExposed(menu)
    return {a.text(): a for a in menu.actions() if a.isCheckable()}


def shown_in_menu(win) -> dict[str, bool]:
    """Masks > Show Categories' check marks (True = shown)."""
    acts = categories_menu(win)
    state = {name: act.isChecked() for name, act in acts.items()}
    win.masks_menu.categories_menu.close()
    return state


def set_shown(win, name: str, shown: bool) -> None:
    """Click the category's entry in Masks > Show Categories (when its check mark is not ``shown``)."""
    acts = categories_menu(win)
    menu = win.masks_menu.categories_menu
    if acts[name].isChecked() != shown:
        QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(acts[name]).center())
    menu.close()
    assert shown_in_menu(win)[name] is shown


def drawn(win, ann_id: int) -> bool:
    return win.canvas.items_by_id[ann_id].isVisible()


def status(win) -> str:
    return win.statusBar().currentMessage()


def test_a_digit_key_into_a_hidden_category_shows_it_again(window) -> None:
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat, selected
    set_shown(window, "dog", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_2)  # the selection becomes a dog
    assert window.document.project.annotations[box].category_id == DOG
    assert drawn(window, box)
    assert shown_in_menu(window) == {"cat": True, "dog": True}
    assert "dog was hidden: shown again" in status(window)


def test_the_properties_category_field_into_a_hidden_category_shows_it_again(qtbot, window) -> None:
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat, selected
    set_shown(window, "dog", False)
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(lambda: props.heading.text() == f"Object #{box}", timeout=10000)
    props.category.setFocus()
    QTest.keyClick(props.category, Qt.Key.Key_Down)  # cat -> dog
    assert window.document.project.annotations[box].category_id == DOG
    assert drawn(window, box)
    assert shown_in_menu(window) == {"cat": True, "dog": True}


def test_undo_and_redo_into_a_hidden_category_show_it_again(window) -> None:
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)
    key(window, Qt.Key.Key_2)  # cat -> dog
    set_shown(window, "cat", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL)  # back to cat, which is hidden
    assert window.document.project.annotations[box].category_id == CAT
    assert drawn(window, box) and shown_in_menu(window) == {"cat": True, "dog": True}
    set_shown(window, "dog", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: a dog again, and dog is hidden
    assert window.document.project.annotations[box].category_id == DOG
    assert drawn(window, box) and shown_in_menu(window) == {"cat": True, "dog": True}


def test_undoing_a_class_merge_shows_the_hidden_class_it_brings_back(window) -> None:
    """The undo re-adds the class before it moves the objects back: the canvas hears "categories changed"
    (and redraws every object in its new class) before it hears which objects changed."""
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat
    set_shown(window, "cat", False)
    assert not drawn(window, box)
    doc = window.document
    doc.push(merge_categories(doc.project, "cat", "dog"))
    assert doc.project.annotations[box].category_id == DOG and drawn(window, box)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL)  # the merge undone: the box is a cat again
    assert doc.project.annotations[box].category_id == CAT
    assert drawn(window, box) and shown_in_menu(window) == {"cat": True, "dog": True}


def test_merging_into_a_hidden_class_shows_it(window) -> None:
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat
    set_shown(window, "dog", False)
    doc = window.document
    doc.push(merge_categories(doc.project, "cat", "dog"))
    assert doc.project.annotations[box].category_id == DOG
    assert drawn(window, box) and shown_in_menu(window) == {"dog": True}


def test_an_undo_that_restores_a_deleted_object_into_a_hidden_category_shows_it(window) -> None:
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)
    key(window, Qt.Key.Key_Delete)
    set_shown(window, "cat", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL)
    assert box in window.document.project.annotations
    assert drawn(window, box) and shown_in_menu(window)["cat"] is True


def test_selecting_a_hidden_object_shows_it_so_the_digit_keys_never_act_out_of_sight(window) -> None:
    """An object of a hidden category cannot stay selected (an Annotations panel pick, an undo's focus):
    its category is shown again, so a digit key moves only what the labeler sees, into a category then
    shown too (``ui.canvas.reveal``). Objects already hidden moved by a class merge or rename stay hidden
    (the rename test below; those edits need no selection)."""
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat, selected
    set_shown(window, "cat", False)
    set_shown(window, "dog", False)
    window.document.set_selection([box])
    assert window.document.selection == [box] and drawn(window, box)
    assert shown_in_menu(window) == {"cat": True, "dog": False}
    window.canvas.setFocus()
    key(window, Qt.Key.Key_2)
    assert window.document.project.annotations[box].category_id == DOG
    assert drawn(window, box) and shown_in_menu(window) == {"cat": True, "dog": True}


def test_renaming_a_hidden_category_keeps_it_hidden(window) -> None:
    """A rename tells the canvas every object of the category changed; none moved into it."""
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)
    set_shown(window, "cat", False)
    doc = window.document
    doc.push(ReplaceCategory(replace(doc.project.categories[CAT], name="kitten")))
    assert not drawn(window, box) and shown_in_menu(window) == {"kitten": False, "dog": True}


def test_model_proposals_in_a_hidden_category_stay_hidden(window) -> None:
    """Hiding a class is how a labeler filters a model's output: its proposals do not undo that."""
    doc = window.document
    set_shown(window, "dog", False)
    proposal = Annotation(
        doc.project.next_annotation_id(), 1, DOG, [30.0, 30.0, 40.0, 40.0], area=1600.0, score=0.8,
        source="model:test", review="pending",
    )  # fmt: skip
    doc.push(AddPredictions([], [proposal]))
    assert not drawn(window, proposal.id) and shown_in_menu(window)["dog"] is False


def test_loading_another_image_or_reopening_the_project_keeps_categories_hidden(
    qtbot, window, project_file: Path
) -> None:
    doc = window.document
    on_second = Annotation(doc.project.next_annotation_id(), 2, DOG, [10.0, 10.0, 50.0, 50.0], area=2500.0)
    doc.push(AddAnnotations([on_second]))  # a dog on the image not shown
    set_shown(window, "dog", False)
    assert doc.current_image_id == 1
    window.canvas.setFocus()
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    assert window.canvas.image_id == 2
    assert not drawn(window, on_second.id) and shown_in_menu(window)["dog"] is False
    key(window, Qt.Key.Key_S, CTRL)
    window.close_project()
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    assert shown_in_menu(window)["dog"] is False


def test_a_brush_stroke_in_a_hidden_category_is_seen_while_the_button_is_down(window) -> None:
    """The canvas shows a category again once an edit lands; the stroke being painted is no edit yet, so
    the tool shows its category at the press (the stroke's live preview is an item of that category)."""
    from tests.ui.test_mask_tools import set_view, vp_at

    set_view(window, 2.0)
    set_shown(window, "cat", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_R)  # the brush, current category cat
    vp = window.canvas.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, vp_at(window, 60, 60))
    QTest.mouseMove(vp, vp_at(window, 90, 70))
    live = window.canvas.tool._item
    assert live.isVisible() and shown_in_menu(window)["cat"] is True
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, vp_at(window, 90, 70))


def test_another_project_opens_with_its_own_hidden_categories(
    qtbot, window, project_file: Path, tmp_path: Path
) -> None:
    """Category ids are per project: dog (id 2) hidden in one project must not hide id 2 of another;
    back in the first project, dog is hidden again as the user left it."""
    from tests.ui.conftest import make_project

    other = make_project(tmp_path / "other")
    set_shown(window, "dog", False)
    key(window, Qt.Key.Key_S, CTRL)
    window.close_project()
    assert window.open_path(other)
    wait_loaded(qtbot, window)
    assert shown_in_menu(window) == {"cat": True, "dog": True}
    doc = window.document
    dog = Annotation(doc.project.next_annotation_id(), 1, DOG, [10.0, 10.0, 50.0, 50.0], area=2500.0)
    doc.push(AddAnnotations([dog]))
    assert drawn(window, dog.id)
    window.close_project()
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    assert shown_in_menu(window) == {"cat": True, "dog": False}


def test_an_undo_on_another_image_shows_that_image_first_and_its_object_in_a_hidden_category(
    qtbot, window
) -> None:
    """The undo of a deletion made on image 1, pressed while image 2 is shown and cat hidden: the app goes
    to image 1 before the box comes back, so the canvas sees an object brought back by an undo (its
    category shown again), not an object of an image it does not show."""
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat on image 1
    key(window, Qt.Key.Key_Delete)
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    assert window.canvas.image_id == 2
    set_shown(window, "cat", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL)
    assert window.document.current_image_id == 1 and box in window.document.project.annotations
    wait_loaded(qtbot, window)
    assert drawn(window, box) and shown_in_menu(window)["cat"] is True
    assert "cat was hidden: shown again" in status(window)


def test_a_redo_on_another_image_shows_that_image_first_and_its_object_in_a_hidden_category(
    qtbot, window
) -> None:
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat on image 1, selected
    key(window, Qt.Key.Key_2)  # cat -> dog
    key(window, Qt.Key.Key_Z, CTRL)  # a cat again
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    set_shown(window, "dog", False)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: the box becomes a dog on image 1
    assert window.document.current_image_id == 1
    assert window.document.project.annotations[box].category_id == DOG
    wait_loaded(qtbot, window)
    assert drawn(window, box) and shown_in_menu(window)["dog"] is True


def test_undoing_a_step_across_several_images_stays_on_the_shown_image(qtbot, window) -> None:
    """A class merge changes objects on image 1 and image 2: no one image is where it happened, so its undo
    leaves the view where the user is (the History panel lists it by its name)."""
    doc = window.document
    set_zoom(window, 1.0)
    box = draw_box(window, 20, 20, 80, 70)  # a cat on image 1
    on_second = Annotation(doc.project.next_annotation_id(), 2, CAT, [10.0, 10.0, 50.0, 50.0], area=2500.0)
    doc.push(AddAnnotations([on_second]))
    doc.push(merge_categories(doc.project, "cat", "dog"))
    window.canvas.setFocus()
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_Z, CTRL)
    assert doc.project.annotations[box].category_id == CAT
    assert doc.current_image_id == 2 and window.canvas.image_id == 2


def test_a_class_merge_into_a_hidden_class_shows_it_for_objects_on_images_not_shown(qtbot, window) -> None:
    """The shown image has no cat; images 2 and 3 have one each. Merging cat (shown) into dog (hidden)
    through the Categories panel's menu shows dog again: those cats must not vanish into a hidden class.
    Its redo after dog was hidden again does the same (a step on two images: image 1 stays shown); the
    undo (the boxes back to cat) leaves dog as it is."""
    from PySide6.QtWidgets import QComboBox

    from tests.ui.test_guidelines_ui import _click_category
    from tests.ui.test_teams_ui import _answer_modal

    doc = window.document
    on_second = Annotation(doc.project.next_annotation_id(), 2, CAT, [10.0, 10.0, 50.0, 50.0], area=2500.0)
    on_third = replace(on_second, id=on_second.id + 1, image_id=3)
    doc.push(AddAnnotations([on_second, on_third]))
    set_shown(window, "dog", False)

    def choose_dog(dialog) -> None:  # type: ignore[no-untyped-def]
        combo = dialog.findChild(QComboBox)
        combo.setCurrentIndex(combo.findText("dog"))
        qtbot.keyClick(combo, Qt.Key.Key_Return)

    _click_category(qtbot, window, "cat")
    _answer_modal(qtbot, choose_dog)
    window.panels["categoriesDock"].taxonomy_menu.act_merge.trigger()
    assert doc.project.annotations[on_second.id].category_id == DOG
    assert shown_in_menu(window) == {"dog": True}
    assert "dog was hidden: shown again" in status(window)

    set_shown(window, "dog", False)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=10000)
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Z, CTRL)  # undo: a cat again, cat shown; dog stays hidden
    assert doc.project.annotations[on_second.id].category_id == CAT
    assert shown_in_menu(window) == {"cat": True, "dog": False}
    key(window, Qt.Key.Key_Z, CTRL | SHIFT)  # redo: into the hidden dog again
    assert doc.current_image_id == 1 and shown_in_menu(window) == {"dog": True}

    key(window, Qt.Key.Key_D)  # image 2: the box is drawn
    wait_loaded(qtbot, window)
    assert window.canvas.image_id == 2 and drawn(window, on_second.id)


def test_the_annotations_panel_says_which_rows_a_hidden_category_hides(window) -> None:
    """A category hidden with Masks > Show Categories leaves the canvas bare, but its objects were listed
    in the Annotations panel as if drawn (24 coins listed, none seen): their rows are greyed and say
    "(hidden)", as Shift+H's are, and say it no more once the category shows again."""
    from tests.ui.conftest import click_item, settle

    set_zoom(window, 1.0)
    cat = draw_box(window, 20, 20, 80, 70)
    dog = draw_box(window, 120, 20, 180, 70)
    key(window, Qt.Key.Key_2)  # the new box, selected, becomes a dog
    assert window.document.project.annotations[dog].category_id == DOG
    panel = window.panels["annotationsDock"]

    def row(ann_id: int):  # type: ignore[no-untyped-def]
        settle()  # the panel's rows follow in the next turns of the event loop
        return ListRow(panel.list, row_ids(panel.list).index(ann_id))

    shown_colour = row(dog).foreground().color()
    set_shown(window, "cat", False)
    assert row(cat).text().endswith("(hidden)") and not row(dog).text().endswith("(hidden)")
    assert row(cat).foreground().color() != shown_colour
    assert "cat is hidden (Masks &gt; Show Categories)" in row(cat).toolTip()  # rich text
    set_shown(window, "cat", True)
    assert not row(cat).text().endswith("(hidden)")
    set_shown(window, "dog", False)
    assert row(dog).text().endswith("(hidden)")
    click_item(panel.list, row(dog))  # picking the row shows its category again, and the row says so
    assert window.document.selection == [dog] and drawn(window, dog)
    assert not row(dog).text().endswith("(hidden)")


def test_the_categories_panel_says_which_categories_are_hidden(window) -> None:
    """The Categories panel, where a LabelMe user looks for a label's visibility, greys a hidden category's
    name and says "(hidden)" after it, until it shows again (by the menu or by an edit that reveals it)."""
    from tests.ui.conftest import settle

    rows = window.panels["categoriesDock"]._rows
    shown_colour = rows[DOG].foreground(0).color()
    set_shown(window, "cat", False)
    settle()
    assert rows[CAT].text(0) == "cat  (hidden)" and rows[DOG].text(0) == "dog"
    assert rows[CAT].foreground(0).color() != shown_colour
    assert "Hidden on the canvas (Masks &gt; Show Categories" in rows[CAT].toolTip(0)  # rich text
    set_shown(window, "cat", True)
    settle()
    assert rows[CAT].text(0) == "cat" and rows[CAT].foreground(0).color() == shown_colour


def test_the_menu_draws_a_hidden_category_as_an_empty_swatch(window) -> None:
    """Masks > Show Categories marked a hidden category only by a sunken frame round its colour swatch (the
    Fusion style draws no check mark beside an icon): a hidden one is now an empty swatch, its colour on
    the border only, a shown one filled."""

    def centre_alpha(act) -> int:  # type: ignore[no-untyped-def]
        img = act.icon().pixmap(14, 14).toImage()
        return img.pixelColor(img.width() // 2, img.height() // 2).alpha()

    set_shown(window, "cat", False)
    acts = categories_menu(window)
    assert centre_alpha(acts["cat"]) == 0 and centre_alpha(acts["dog"]) == 255
    window.masks_menu.categories_menu.close()
    set_shown(window, "cat", True)
    acts = categories_menu(window)
    assert centre_alpha(acts["cat"]) == 255
    window.masks_menu.categories_menu.close()

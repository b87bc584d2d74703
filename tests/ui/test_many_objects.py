"""Big projects in the app: panels follow a selection of thousands of objects, its deletion and undo, and
filter many images, with work that grows with the number of objects or images, not with its square or with
the classes (counted; speed itself is for ``bench``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from tests.ui.conftest import ListRow, click_item, row_ids, selected_ids, settle
from tests.ui.test_workbench import key

N = 300


def boxes(n: int) -> list[Annotation]:
    return [Annotation(1000 + i, 1, 1 + i % 2, [float(i % 30) * 10, float(i // 30) * 10, 8, 8], None, 64.0)
            for i in range(n)]  # fmt: skip


def test_selecting_every_object_updates_the_annotation_list_in_one_step(window) -> None:
    """Ctrl+A on an image of 300 objects: the list's selection is set at once, not row by row (each row's
    ``setSelected`` re-merges the whole selection: 5,000 rows took 25 s)."""
    doc = window.document
    doc.push(AddAnnotations(boxes(N)))
    settle()
    doc.set_selection([])  # the added objects came selected
    panel = window.panels["annotationsDock"]
    assert panel.list.model().rowCount() == N and not selected_ids(panel.list)
    steps: list[int] = []
    panel.list.selectionModel().selectionChanged.connect(lambda *_: steps.append(1))

    key(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert len(doc.selection) == N
    assert set(selected_ids(panel.list)) == set(doc.selection)
    assert len(steps) <= 2

    steps.clear()
    every_third = [a.id for a in boxes(N)][::3]
    doc.set_selection(every_third)  # from the canvas: scattered rows
    assert sorted(selected_ids(panel.list)) == every_third
    assert len(steps) <= 2
    current = panel.list.currentIndex()
    assert not current.isValid() or panel.list.selectionModel().isSelected(current)

    images = window.panels["imagesDock"]
    cells: list[int] = []  # the Images panel's count cell: once per burst, not once per object
    images.model.dataChanged.connect(lambda a, b, *_: cells.append(a.row()))
    key(window, Qt.Key.Key_Delete)
    settle()
    assert panel.list.model().rowCount() == N - len(every_third) and not selected_ids(panel.list)
    assert images.model.data(images.model.index(0, 2)) == str(N - len(every_third)) and len(cells) <= 2
    doc.undo_stack.undo()
    settle()
    assert set(selected_ids(panel.list)) == set(every_third)
    assert images.model.data(images.model.index(0, 2)) == str(N) and len(cells) <= 4


def test_select_all_delete_and_undo_keep_canvas_and_panels_in_step(window) -> None:
    """Ctrl+A, Delete, Ctrl+Z on 300 boxes: the list, the canvas and the class counts show exactly the
    objects, selected where the document says; the boxes stay in the canvas's layer (no item each) and the
    Categories panel writes each count once per burst (a row each object cost 0.1 ms): its text and its
    tooltip, two writes for each of the two rows."""
    doc, canvas = window.document, window.canvas
    doc.push(AddAnnotations(boxes(N)))
    settle()
    doc.set_selection([])
    panel = window.panels["annotationsDock"]
    cats = window.panels["categoriesDock"]
    writes: list[int] = []
    cats.tree.model().dataChanged.connect(lambda a, b, *_: writes.append(a.row()))
    ids = sorted(a.id for a in boxes(N))

    def listed() -> list[int]:
        return sorted(row_ids(panel.list))

    def counts() -> list[str]:
        return [cats.tree.topLevelItem(n).text(2) for n in range(cats.tree.topLevelItemCount())]

    key(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert sorted(doc.selection) == ids and canvas.box_layer.selected == set(ids)
    assert not dict.keys(canvas.items_by_id)
    key(window, Qt.Key.Key_Delete)
    settle()
    assert listed() == [] and doc.selection == [] and not canvas.box_layer.boxes
    assert not canvas.box_layer.selected and counts() == ["0", "0"] and len(writes) <= 4
    writes.clear()
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert listed() == ids and sorted(doc.selection) == ids
    assert sorted(selected_ids(panel.list)) == ids
    assert sorted(canvas.box_layer.boxes) == ids and canvas.box_layer.selected == set(ids)
    assert not dict.keys(canvas.items_by_id) and counts() == ["150", "150"] and len(writes) <= 4
    cats.refresh()
    assert counts() == ["150", "150"]
    # the canvas shows them where they are: each box's top-left handle is what is under that point
    for ann_id in ids[::37]:
        x, y, _w, _h = doc.project.annotations[ann_id].bbox
        assert canvas.annotation_at(canvas.mapFromScene(x, y)) == (ann_id, "tl")
    key(window, Qt.Key.Key_Escape)
    assert not canvas.box_layer.selected and canvas.annotation_at(canvas.mapFromScene(x, y)) == (ann_id, None)


def test_an_edit_of_every_selected_object_reads_the_selection_a_few_times(window, monkeypatch) -> None:
    """A nudge of 300 selected objects and its undo announce 300 changes; no receiver copies the whole
    selection for each (``id in doc.selection`` per object: 5,000 objects took a third of a second)."""
    from pixelproof.ui.document import Document

    doc = window.document
    doc.push(AddAnnotations(boxes(N)))
    settle()
    key(window, Qt.Key.Key_V)
    key(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    settle()
    reads: list[int] = []
    real = Document.selection.fget
    monkeypatch.setattr(Document, "selection", property(lambda self: reads.append(1) or real(self)))
    before = {a.id: a.bbox[0] for a in boxes(N)}
    key(window, Qt.Key.Key_Right)
    settle()
    assert all(doc.project.annotations[i].bbox[0] == x + 1 for i, x in before.items())
    doc.undo_stack.undo()
    settle()
    assert all(doc.project.annotations[i].bbox[0] == x for i, x in before.items())
    assert len(reads) < 30, len(reads)


def test_the_images_filter_reads_one_value_per_image(window, monkeypatch) -> None:
    """Each keystroke in the filter asks every image for its name and status, once (it asked every column,
    the object count too: a minute a keystroke at 100,000 images and 1,000 classes)."""
    panel = window.panels["imagesDock"]
    project = window.document.project
    asked: list[str] = []
    for name in ("image_status", "object_count"):
        real = getattr(project, name)
        monkeypatch.setattr(project, name, lambda i, real=real, name=name: asked.append(name) or real(i))
    window.document.set_current_image(3)
    settle()
    for text, shown in (("img", 3), ("img1", 1), ("to do", 3), ("", 3)):
        asked.clear()
        panel.filter.setText(text)
        assert panel.proxy.rowCount() == shown
        assert asked.count("object_count") == 0
        assert asked.count("image_status") <= 3 + 2, asked  # 3 rows, and the current one
    assert window.document.current_image_id == 3


def test_the_categories_count_asks_only_model_made_objects_whether_pending(
    qtbot, tmp_path, monkeypatch
) -> None:
    """The Categories panel's recount (opening a project, any change of its classes) asked every annotation
    whether it was a pending prediction (28b05f6): over 1M drawn boxes 0.11 s more at each open. Only an
    annotation a model made can be one: the others are passed by without asking, and the counts stay."""
    from pixelproof.core import model
    from pixelproof.core.coco import load_project, save_project
    from pixelproof.ui.panels import categories
    from tests.ui.conftest import make_project, open_main_window

    path = make_project(tmp_path, n_images=2)
    project = load_project(path)
    drawn = boxes(N)
    predicted = [Annotation(2000 + i, 2, 1 + i % 2, [i * 10.0, 0, 8, 8], None, 64.0, score=0.5,
                            source="model:test", review="pending") for i in range(5)]  # fmt: skip
    predicted[0].review = "accepted"
    for ann in drawn + predicted:
        project.add_annotation(ann)
    save_project(project, path)
    win = open_main_window(qtbot, path)
    cats = win.panels["categoriesDock"]
    asked: list[int] = []
    real = model.is_pending_prediction
    counting = lambda ann: (asked.append(ann.id), real(ann))[1]  # noqa: E731
    monkeypatch.setattr(model, "is_pending_prediction", counting)
    monkeypatch.setattr(categories, "is_pending_prediction", counting)
    cats.refresh()  # what opening the project and any change of its classes do
    assert sorted(asked) == [a.id for a in predicted]
    assert [cats.tree.topLevelItem(n).text(2) for n in range(2)] == ["151 +2", "150 +2"]
    win.document.undo_stack.setClean()
    win.close()


SLIDE = 20_000  # a whole-slide image's cells


def test_a_slide_of_20000_objects_has_a_row_each_and_a_click_on_row_n_selects_object_n(window) -> None:
    """The Annotations panel of an image of 20,000 objects (a QListView over the image's ids): a row for each,
    in the image's order; a user's click on a row deep in the list selects that object in the document and
    on the canvas; Ctrl+A in the list selects every object, Escape on the canvas none."""
    doc = window.document
    cells = [
        Annotation(5000 + i, 1, 1 + i % 2, [(i % 200) * 1.5, (i // 200) * 2.0, 1.0, 1.0], None, 1.0)
        for i in range(SLIDE)
    ]
    doc.push(AddAnnotations(cells))
    settle()
    doc.set_selection([])
    panel = window.panels["annotationsDock"]
    assert panel.list.model().rowCount() == SLIDE and row_ids(panel.list) == [a.id for a in cells]
    for n in (12_345, 0, SLIDE - 1):
        row = ListRow(panel.list, n)
        assert row.text().startswith(f"#{cells[n].id}  cat" if n % 2 == 0 else f"#{cells[n].id}  dog")
        click_item(panel.list, row)
        assert doc.selection == [cells[n].id] and selected_ids(panel.list) == [cells[n].id]
        assert window.canvas.box_layer.selected == {cells[n].id}
    panel.list.setFocus()
    QTest.keyClick(panel.list, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert sorted(doc.selection) == [a.id for a in cells]
    assert len(selected_ids(panel.list)) == SLIDE
    doc.undo_stack.setClean()

"""An edit of many objects is announced as one ``annotationsBatch`` signal, not one signal per object: the
canvas, the Annotations, Categories and Images panels follow it, and its undo and redo, exactly."""

from __future__ import annotations

from dataclasses import replace

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.annotation_batch import BATCH_AT
from tests.ui.conftest import settle

N = BATCH_AT + 50


def boxes() -> list[Annotation]:
    """N boxes of cat (1) spread over the three images, a third on each."""
    return [Annotation(1000 + i, 1 + i % 3, 1, [float(i % 20) * 10, float(i // 20) * 10, 8, 8], None, 64.0)
            for i in range(N)]  # fmt: skip


def test_an_edit_of_many_objects_is_one_signal_that_canvas_and_panels_follow(window) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    per_object: list[object] = []
    batches: list[int] = []
    for signal in (doc.annotationAdded, doc.annotationChanged, doc.annotationRemoved):
        signal.connect(lambda *a: per_object.append(a))
    doc.annotationsBatch.connect(lambda changes: batches.append(len(changes)))
    shown = [a.id for a in boxes() if a.image_id == doc.current_image_id]
    images = window.panels["imagesDock"]
    categories = window.panels["categoriesDock"]
    listed = window.panels["annotationsDock"].list

    def follows(on_image: list[int], per_image: int) -> None:
        settle()
        canvas = window.canvas
        assert set(dict.keys(canvas.items_by_id)) | set(canvas.box_layer.boxes) == set(on_image)
        assert listed.model().rowCount() == len(on_image)
        assert [images.model.data(images.model.index(r, 2)) for r in range(3)] == [str(per_image)] * 3
        assert categories._rows[1].text(2) == str(3 * per_image)

    doc.push(AddAnnotations(boxes(), "Paste"))
    follows(shown, N // 3)
    doc.undo_stack.undo()
    follows([], 0)
    doc.undo_stack.redo()
    follows(shown, N // 3)
    assert per_object == [] and batches == [N, N, N]


def test_an_edit_adding_changing_and_removing_the_same_objects_leaves_canvas_and_panels_as_the_project(
    window,
) -> None:  # type: ignore[no-untyped-def]
    """One edit (a script's, a tool's compound) adds objects, changes some and removes some of those again:
    the canvas and the Annotations panel read each announced object from the project and raised KeyError on
    the ones gone by the edit's end (on its undo, too), leaving the rest of the batch undrawn and the panel
    listing objects that were not there. Both follow the project through the edit, undo and redo."""
    from pixelproof.core.edits.annotations import RemoveAnnotations, ReplaceAnnotations
    from pixelproof.core.edits.base import Compound
    from pixelproof.core.geometry import clone

    doc = window.document
    new = boxes()
    changed = [clone(a) for a in new[:60]]
    for a in changed:
        a.category_id, a.bbox = 2, [a.bbox[0] + 1, a.bbox[1], 8, 8]
    gone = [a.id for a in new[30:90]]
    images = window.panels["imagesDock"]
    listed = window.panels["annotationsDock"].list

    def follows() -> None:
        settle()
        anns = doc.project.annotations.values()
        here = sorted(a.id for a in anns if a.image_id == doc.current_image_id)
        canvas = window.canvas
        assert sorted(set(dict.keys(canvas.items_by_id)) | set(canvas.box_layer.boxes)) == here
        assert listed.model().rowCount() == len(here)
        counts = [str(sum(a.image_id == i for a in anns)) for i in doc.project.images]
        assert [images.model.data(images.model.index(r, 2)) for r in range(3)] == counts

    doc.push(Compound([AddAnnotations(new, "Paste"), ReplaceAnnotations(changed), RemoveAnnotations(gone)]))
    assert len(doc.project.annotations) == N - 60
    follows()
    doc.undo_stack.undo()
    follows()
    doc.undo_stack.redo()
    follows()


def test_paste_undo_and_redo_of_many_boxes_redraw_the_layer_once_and_make_no_item(
    window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The canvas takes a batch's run of objects into its layer (and out) at once: one redraw of the layer's
    tags and bounds a step, not one per object (20,000 pasted boxes: ~0.4 s of each redo), and no item."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from pixelproof.ui.canvas.layers import BoxLayer

    doc, canvas = window.document, window.canvas
    doc.push(AddAnnotations([replace(a, image_id=doc.current_image_id) for a in boxes()], "Draw"))
    settle()
    originals = [a.id for a in doc.project.annotations_of(doc.current_image_id)]
    doc.set_selection(originals)
    redraws: list[int] = []
    changed = BoxLayer._changed
    monkeypatch.setattr(
        BoxLayer, "_changed", lambda layer, boxes: (redraws.append(len(boxes)), changed(layer, boxes))
    )
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(canvas.viewport(), Qt.Key.Key_C, ctrl)
    QTest.keyClick(canvas.viewport(), Qt.Key.Key_V, ctrl)
    settle()
    pasted = [a.id for a in doc.project.annotations_of(doc.current_image_id)][len(originals) :]
    assert len(pasted) == len(originals) >= BATCH_AT and doc.selection == pasted

    def steps(key: Qt.Key, ids: list[int]) -> None:
        redraws.clear()
        QTest.keyClick(canvas.viewport(), key, ctrl)
        settle()
        assert redraws == [len(pasted)]  # the whole run, once
        assert list(canvas.box_layer.boxes) == ids  # in the image's order, drawn in the layer
        assert dict(canvas.items_by_id) == {}

    steps(Qt.Key.Key_Z, originals)
    assert doc.selection == originals
    steps(Qt.Key.Key_Y, originals + pasted)
    assert doc.selection == pasted and canvas.box_layer.selected == set(pasted)

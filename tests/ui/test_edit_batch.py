"""An edit of many objects is announced as one ``annotationsBatch`` signal, not one signal per object: the
canvas, the Annotations, Categories and Images panels follow it, and its undo and redo, exactly."""

from __future__ import annotations

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
        assert listed.count() == len(on_image)
        assert [images.model.data(images.model.index(r, 2)) for r in range(3)] == [str(per_image)] * 3
        assert categories._rows[1].text(2) == str(3 * per_image)

    doc.push(AddAnnotations(boxes(), "Paste"))
    follows(shown, N // 3)
    doc.undo_stack.undo()
    follows([], 0)
    doc.undo_stack.redo()
    follows(shown, N // 3)
    assert per_object == [] and batches == [N, N, N]

"""Model panel: what a run respects (skip what is labeled, only unlabeled images, tiles), the class mapping
remembered per model and following the current category, and detect-then-segment with M on a selected box.
Real clicks and keys on the real window."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.edits import AddAnnotations
from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.edits.model_mapping import remembered
from pixelproof.core.model import Annotation
from pixelproof.inference import arena
from pixelproof.inference.prelabel_report import SKIPPED_DUPLICATES, SKIPPED_EXISTING
from pixelproof.inference.tiling import Tiling, tile_rects
from tests.ui.test_model_panel import (
    DISC,
    LEFT,
    NOMOD,
    TileSpy,
    choose,
    demo,
    fake_backends,
    go_to,
    key,
    predictions,
    press,
    synthetic,
    view_point,
    wait_batch,
)

FIXTURES = (demo, fake_backends, synthetic)  # shared with test_model_panel; pytest finds them by name
CTRL = Qt.KeyboardModifier.ControlModifier


def wheel(widget, pos: QPoint, steps: int = 1) -> QWheelEvent:
    """A mouse-wheel turn up by ``steps`` notches over ``pos`` of ``widget``."""
    glob = QPointF(widget.mapToGlobal(pos))
    return QWheelEvent(
        QPointF(pos), glob, QPoint(), QPoint(0, 120 * steps), Qt.MouseButton.NoButton, NOMOD,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip


def tick(qtbot, box) -> None:  # type: ignore[no-untyped-def]
    """A click on a check box's indicator (its middle may be empty space past the label, where a click
    does nothing)."""
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))


def type_into(spin, text: str) -> None:
    spin.setFocus()
    QTest.keyClick(spin, Qt.Key.Key_A, CTRL)
    QTest.keyClicks(spin, text)
    QTest.keyClick(spin, Qt.Key.Key_Return)


def test_skip_existing_and_unlabeled_only(qtbot, demo) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "threshold")
    run = panel.run_options
    assert run.skip.isChecked() and run.skip_iou.value() == 0.5 and not run.unlabeled.isChecked()
    assert doc.current_image_id == 1  # coins: 24 labeled coins
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    with_skip = len(predictions(doc, 1))
    summary = panel.batch.summary_label.text()
    said = {what: re.search(rf"(\d+) {what}", summary) for what in (SKIPPED_EXISTING, SKIPPED_DUPLICATES)}
    assert said[SKIPPED_EXISTING] and "already labeled" not in summary, summary
    skipped = sum(int(m.group(1)) for m in said.values() if m)  # the threshold's components: no duplicates
    assert int(said[SKIPPED_EXISTING].group(1)) >= 15 and 3 <= with_skip <= 15
    key(win, Qt.Key.Key_Z, CTRL)
    assert not predictions(doc, 1)

    tick(qtbot, run.skip)  # off: predictions repeating labeled coins are added too
    assert not run.skip.isChecked() and not run.skip_iou.isEnabled()
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert len(predictions(doc, 1)) == with_skip + skipped
    assert "skipped" not in panel.batch.summary_label.text()
    key(win, Qt.Key.Key_Z, CTRL)

    tick(qtbot, run.skip)
    type_into(run.skip_iou, "0.99")  # nearly no prediction repeats a hand-drawn coin that closely
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert len(predictions(doc, 1)) > with_skip + skipped // 2
    key(win, Qt.Key.Key_Z, CTRL)

    tick(qtbot, run.unlabeled)  # Pre-label all: only images without objects
    empty = {i for i in doc.image_ids() if doc.project.annotation_count(i) == 0}
    assert empty and len(empty) < len(doc.image_ids())
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    assert {a.image_id for a in predictions(doc)} <= empty
    assert f"of {len(empty)} images" in panel.batch.summary_label.text()


def test_tiles_of_the_size_chosen(qtbot, demo) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "tilespy")
    go_to(qtbot, win, 3)  # camera: nothing labeled
    rec = doc.project.images[3]
    run = panel.run_options
    tick(qtbot, run.tiles)
    type_into(run.tile_size, "128")
    type_into(run.overlap, "0.25")
    TileSpy.seen = []
    bar, shown = panel.batch.progress, []  # the progress as it went: a picture is many tiles, counted
    bar.valueChanged.connect(lambda v: shown.append((v, bar.maximum(), bar.format())))
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    rects = tile_rects(rec.width, rec.height, Tiling(128, 0.25))
    assert len(rects) >= 9 and sorted(TileSpy.seen) == sorted((h, w) for _x, _y, w, h in rects)
    counts = [v for v, top, form in shown if top == len(rects) and form.startswith("%v / %m tiles")]
    assert counts[-1] == len(rects) and len(set(counts)) >= len(rects) // 2, shown  # tile by tile
    got = sorted((a.bbox[0], a.bbox[1]) for a in predictions(doc, 3))
    assert got == sorted((x + 4.0, y + 4.0) for x, y, _w, _h in rects)  # each box in image coordinates
    assert "cut by tile edges" not in panel.batch.summary_label.text()  # each box well inside its tile

    tick(qtbot, run.tiles)  # off: the whole picture at once
    TileSpy.seen = []
    key(win, Qt.Key.Key_Z, CTRL)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert TileSpy.seen == [(rec.height, rec.width)]


def test_boxes_cut_by_tile_edges_are_said_after_a_tiled_run(qtbot, demo) -> None:
    """Boxes wider than the overlap band cut by tile edges: the summary and the status bar say so once,
    naming the panel's settings that would hold them (the CLI's warning, in the app's words)."""
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "edgespy")
    go_to(qtbot, win, 3)  # camera, 512 x 512: nothing labeled
    run = panel.run_options
    tick(qtbot, run.tiles)
    type_into(run.tile_size, "128")
    type_into(run.overlap, "0.25")
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    summary = panel.batch.summary_label.text()
    assert predictions(doc, 3)
    assert "were cut by tile edges; an overlap of 0.25*128 = 32 px is smaller: " in summary, summary
    assert "use Tiles 512 px" in summary and "--" not in summary, summary
    assert summary.count("cut by tile edges") == 1
    assert "cut by tile edges" in win.statusBar().currentMessage()

    tick(qtbot, run.tiles)  # off: the whole picture at once, no tile edge to cut anything
    key(win, Qt.Key.Key_Z, CTRL)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert predictions(doc, 3) and "cut by tile edges" not in panel.batch.summary_label.text()


def test_a_picture_too_big_for_the_model_memory_is_pre_labeled_in_tiles(qtbot, demo, monkeypatch) -> None:
    """Tiles unchecked: M on a picture the model's memory cannot hold whole pre-labels it in tiles of
    the overlap set, and says so in the summary and the list below it (double-click goes there)."""
    monkeypatch.setattr(arena, "_cap", 64 << 20)  # as if this process's models had 64 MB
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "toobig")
    go_to(qtbot, win, 3)  # camera, 512 x 512: nothing labeled
    rec = doc.project.images[3]
    run = panel.run_options
    assert not run.tiles.isChecked() and run.overlap.isEnabled()
    type_into(run.overlap, "0.25")
    TileSpy.seen = []
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    rects = tile_rects(rec.width, rec.height, Tiling(256, 0.25))
    assert TileSpy.seen == [(rec.height, rec.width)] + [(h, w) for _x, _y, w, h in rects]
    got = sorted((a.bbox[0], a.bbox[1]) for a in predictions(doc, 3))
    assert got == sorted((x + 4.0, y + 4.0) for x, y, _w, _h in rects)
    line = f"{rec.file_name}: too big for the model's 64 MB; pre-labeled in 256-px tiles"
    problems = panel.batch.problems
    assert problems.isVisible() and [problems.item(i).text() for i in range(problems.count())] == [line]
    summary = panel.batch.summary_label.text()
    assert summary.startswith("Pre-labeled 1 of 1 image")
    assert "1 image pre-labeled in tiles, too big for the model's memory" in summary
    assert "failed" not in summary

    go_to(qtbot, win, 1)
    item = problems.item(0)
    problems.scrollToItem(item)
    where = problems.visualItemRect(item).center()
    QTest.mouseClick(problems.viewport(), LEFT, NOMOD, where)
    QTest.mouseDClick(problems.viewport(), LEFT, NOMOD, where)
    assert doc.current_image_id == 3

    TileSpy.seen = []
    go_to(qtbot, win, 5)  # chelsea, 451 x 300: fits whole, so no tiles and no line
    small = doc.project.images[5]
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert TileSpy.seen == [(small.height, small.width)] and len(predictions(doc, 5)) == 1
    assert problems.count() == 0 and "tiles" not in panel.batch.summary_label.text()


def test_mapping_follows_current_category_and_is_remembered(qtbot, demo) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "threshold")
    backend = panel.session.backend
    key_name = f"threshold/{backend.model_name}"
    assert panel.mapping.values() == {"object": "coin"}  # single class -> the current category
    win.canvas.setFocus()
    key(win, Qt.Key.Key_2)  # current category: cell
    assert panel.mapping.values() == {"object": "cell"}
    steps = doc.undo_stack.count()

    combo = panel.mapping.combo("object")
    QApplication.sendEvent(combo, wheel(combo, combo.rect().center()))  # scrolling the dock past it
    assert panel.mapping.values() == {"object": "cell"} and remembered(doc.project, key_name) == {}
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_End)  # the user picks "ignore"
    assert panel.mapping.values() == {"object": None}
    assert remembered(doc.project, key_name) == {"object": None}
    assert doc.undo_stack.count() == steps + 1 and doc.is_modified()
    win.canvas.setFocus()
    key(win, Qt.Key.Key_1)  # a remembered choice wins over the current category
    assert panel.mapping.values() == {"object": None}

    panel.backends.choose_backend("scored")
    qtbot.waitUntil(lambda: panel.mapping.values() == {"thing": "coin"}, timeout=15000)
    choose(qtbot, win, "threshold")  # the model's mapping comes back from the project
    assert panel.mapping.values() == {"object": None}
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    summary = panel.batch.summary_label.text()  # what the model found and the mapping left out is said
    assert not predictions(doc) and "0 predictions" in summary
    assert (
        int(summary.split("predictions, ")[1].split()[0]) >= 15 and "class ignored by the mapping" in summary
    )

    key(win, Qt.Key.Key_Z, CTRL)  # undo "remember": the table follows the current category again
    assert remembered(doc.project, key_name) == {}
    assert panel.mapping.values() == {"object": "coin"}


def test_m_on_a_selected_box_outlines_it(qtbot, synthetic) -> None:
    """Detect, then segment in the app: M with a box selected prompts grabcut with it; the mask is a
    pending prediction linked to the box; Accept turns the box into it. Pre-label all outlines the rest."""
    win, doc = synthetic, synthetic.document
    panel = choose(qtbot, win, "grabcut")
    cx, cy, r = DISC
    box = Annotation(50, 1, 1, [cx - r - 12.0, cy - r - 12.0, 2 * r + 24.0, 2 * r + 24.0], author="ann")
    other = Annotation(51, 1, 1, [cx - r - 6.0, cy - r - 6.0, 2 * r + 12.0, 2 * r + 12.0], author="ann")
    box.area, other.area = box.bbox[2] * box.bbox[3], other.bbox[2] * other.bbox[3]
    doc.push(AddAnnotations([box, other]))
    steps = doc.undo_stack.count()
    key(win, Qt.Key.Key_V)
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, 20, 220))  # nothing there
    assert doc.selection == []
    QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, view_point(win, cx - r - 12, cy))  # its edge
    assert doc.selection == [50]
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert win.canvas.tool.name == "select"  # not the assist tool: there was a box to outline
    masks_made = predictions(doc)
    assert len(masks_made) == 1 and doc.undo_stack.count() == steps + 1
    assert panel.batch.summary_label.text() == "Outlined the boxes of 1 of 1 image: 1 mask"
    mask = masks_made[0]
    assert mask.app_extra[FROM_BOX] == 50 and mask.category_id == 1 and mask.review == "pending"
    m = mask.mask(240, 320)
    assert (m & win.disc).sum() / (m | win.disc).sum() >= 0.9

    press(qtbot, panel, panel.review.act_accept_all)
    outlined = doc.project.annotations[50]
    assert outlined.kind == "mask" and outlined.author == "ann" and mask.id not in doc.project.annotations
    assert np.array_equal(outlined.mask(240, 320), m)

    press(qtbot, panel, panel.act_prelabel_all)  # the other box (the first is a mask now)
    wait_batch(qtbot, panel)
    made = predictions(doc)
    assert [a.app_extra.get(FROM_BOX) for a in made if a.review == "pending"] == [51]
    assert "Outlined the boxes of 1 of 1 image: 1 mask" in panel.batch.summary_label.text()


def test_m_on_boxes_that_cannot_be_outlined_says_which_and_why(qtbot, synthetic) -> None:
    """M with a good box and an empty one selected: the good one is outlined, the empty one is named
    with its reason in the summary and the problems list (it used to be counted at best, or mistaken
    for a box that already had a mask). A lone box outside the picture: the image's failure names it."""
    win, doc = synthetic, synthetic.document
    panel = choose(qtbot, win, "grabcut")
    cx, cy, r = DISC
    good = Annotation(50, 1, 1, [cx - r - 12.0, cy - r - 12.0, 2 * r + 24.0, 2 * r + 24.0], author="ann")
    flat = Annotation(52, 1, 1, [cx, cy, 0.0, 30.0], author="ann")
    outside = Annotation(53, 1, 1, [400.0, 10.0, 20.0, 20.0], author="ann")
    good.area, outside.area = good.bbox[2] * good.bbox[3], 400.0
    doc.push(AddAnnotations([good, flat, outside]))
    doc.set_selection([50, 52])
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert [a.app_extra[FROM_BOX] for a in predictions(doc)] == [50]
    why = "images/disc.png: annotation 52 (blob): the box is empty (0 x 30 px)"
    summary = panel.batch.summary_label.text()
    assert summary == f"Outlined the boxes of 1 of 1 image: 1 mask; not outlined: {why}"
    assert [panel.batch.problems.item(i).text() for i in range(panel.batch.problems.count())] == [why]

    doc.set_selection([53])
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert len(predictions(doc)) == 1
    (problem,) = [panel.batch.problems.item(i).text() for i in range(panel.batch.problems.count())]
    assert problem == (
        "images/disc.png: no box outlined: annotation 53 (blob): the box is outside the image "
        "(empty once clamped to 320x240)"
    )


def load_model(qtbot, panel, path) -> None:
    """Type the model file into the panel's field, as a user does, and wait for it to load."""
    edit = panel.backends.options.model_edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, str(path))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            panel.session.is_idle()
            and panel.session.backend is not None
            and panel.session.backend.model_path == path
            and "Ready" in panel.backends.status_text
        ),
        timeout=30000,
    )


def test_two_models_called_best_onnx_each_show_their_own_mapping(qtbot, tmp_path, no_prompts) -> None:
    """Every Ultralytics run writes best.onnx: the mapping chosen for one must not come back for another
    (it did, keyed by file name); a project saved by the previous version shows its mapping again for the
    model it was made for, and not for a model whose classes it does not name."""
    import json

    pytest.importorskip("onnxruntime")
    from pixelproof.core.demo import install_demo
    from tests.inference.graphs import yolo_end2end
    from tests.ui.test_model_panel import close_window, open_window

    for run in ("run1", "run2", "run3"):
        (tmp_path / run).mkdir()
    first = yolo_end2end(tmp_path / "run1" / "best.onnx", {0: "dog", 1: "coin"})
    second = yolo_end2end(tmp_path / "run2" / "best.onnx", {0: "dog", 1: "coin"}, 0.6)  # other weights
    other = yolo_end2end(tmp_path / "run3" / "best.onnx", {0: "car", 1: "bus"})
    path = install_demo(tmp_path / "demo")
    data = json.loads(path.read_text())
    data["pixelproof"]["model_mappings"] = {"yolo-onnx/best.onnx": {"dog": None, "coin": "coin"}}
    path.write_text(json.dumps(data))  # as the previous version saved it
    win = open_window(qtbot, path)
    try:
        panel = choose(qtbot, win, "yolo-onnx")
        load_model(qtbot, panel, first)
        assert panel.mapping.values() == {"dog": None, "coin": "coin"}  # the old entry, still this model's
        load_model(qtbot, panel, other)
        assert panel.mapping.values() == {"car": "car", "bus": "bus"}  # not another model's

        load_model(qtbot, panel, second)
        assert panel.mapping.values() == {"dog": None, "coin": "coin"}  # same classes: the old entry fits
        combo = panel.mapping.combo("dog")
        combo.setFocus()
        QTest.keyClick(combo, Qt.Key.Key_Home)  # the user keeps this model's dogs, as a new category
        assert panel.mapping.values() == {"dog": "dog", "coin": "coin"}
        load_model(qtbot, panel, first)
        assert panel.mapping.values() == {"dog": None, "coin": "coin"}  # the first keeps its own
        load_model(qtbot, panel, second)
        assert panel.mapping.values() == {"dog": "dog", "coin": "coin"}
    finally:
        close_window(win)

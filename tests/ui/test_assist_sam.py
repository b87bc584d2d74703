"""Assist tool with a real SAM (../shared/models/sam-tiny) on the real window, real clicks and keys: the
preview and the stored mask equal segment-anything's own ``SamPredictor`` masks for the reference prompts,
clicked at a non-integer zoom after panning; undo/redo; stale answers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.coco_dump import annotation_to_dict
from pixelproof.core.model import ImageRecord
from tests.ui.test_model_panel import choose, close_window, fake_backends, key, open_window

FIXTURES = (fake_backends,)  # pytest finds it by name

LEFT, RIGHT, MID = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton
NOMOD = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def tiny(shared_models: Path) -> Path:
    pytest.importorskip("onnxruntime")
    path = shared_models / "sam-tiny"
    if not (path / "sam_references.json").is_file():
        pytest.skip(f"sam-tiny not found at {path}")
    return path


@pytest.fixture
def refs(tiny: Path) -> dict:
    return json.loads((tiny / "sam_references.json").read_text())


@pytest.fixture
def sam_win(qtbot, tmp_path: Path, tiny: Path, no_prompts):
    """A project over the reference pictures (astronaut 1, coffee 2), categories thing and other; the
    current category is 'other'; sam-onnx with the tiny encoder and the pip-1.0 decoder (default name)."""
    win = sam_window(qtbot, tmp_path, tiny, tiny / "tiny_sam_encoder.onnx")
    yield win
    close_window(win)


def sam_window(qtbot, tmp_path: Path, tiny: Path, encoder: Path):  # type: ignore[no-untyped-def]
    """``sam_win``'s window with ``encoder`` (its decoder found by name) entered in the Model panel."""
    (tmp_path / "images").mkdir()
    project = new_project(["thing", "other"])
    for i, (name, (h, w)) in enumerate((("astronaut.png", (512, 512)), ("coffee.png", (400, 600))), 1):
        shutil.copy(tiny / name, tmp_path / "images" / name)
        project.add_image(ImageRecord(i, f"images/{name}", w, h))
    save_project(project, tmp_path / "project.json")
    win = open_window(qtbot, tmp_path / "project.json")
    panel = choose(qtbot, win, "sam-onnx")
    edit = panel.backends.options.model_edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, str(encoder))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: panel.session.is_idle() and panel.backends.status_text.startswith("✓"), timeout=30000
    )
    win.document.current_category_id = win.document.project.category_by_name("other").id
    return win


def reference(refs: dict, case: str) -> np.ndarray:
    from pycocotools import mask as mask_utils

    return mask_utils.decode(refs[case]["mask_rle"]).astype(bool)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def zoom_and_pan(win, zoom: float = 1.37, pan: tuple[int, int] = (-83, 41)) -> None:
    """A non-integer zoom, then a middle-button drag pans the view."""
    canvas = win.canvas
    canvas.set_zoom(zoom)
    vp = canvas.viewport()
    start = QPoint(vp.width() // 2, vp.height() // 2)
    before = canvas.mapToScene(start)
    QTest.mousePress(vp, MID, NOMOD, start)
    QTest.mouseMove(vp, start + QPoint(pan[0] // 2, pan[1] // 2))
    QTest.mouseMove(vp, start + QPoint(*pan))
    QTest.mouseRelease(vp, MID, NOMOD, start + QPoint(*pan))
    assert canvas.mapToScene(start) != before and canvas.zoom == pytest.approx(zoom)


def at(win, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def click(win, x: float, y: float, button=LEFT) -> None:
    vp = win.canvas.viewport()
    p = at(win, x, y)
    if button == RIGHT:
        QTest.mousePress(vp, RIGHT, NOMOD, p)
        QTest.mouseRelease(vp, RIGHT, NOMOD, p)
    else:
        QTest.mouseClick(vp, button, NOMOD, p)


def drag(win, box: list[float]) -> None:
    vp = win.canvas.viewport()
    start, end = at(win, box[0], box[1]), at(win, box[0] + box[2], box[1] + box[3])
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    QTest.mouseRelease(vp, LEFT, NOMOD, end)


def preview_mask(tool, h: int, w: int) -> np.ndarray:
    (shape,) = tool.shapes
    return masks.decode(shape.segmentation).astype(bool) if isinstance(shape.segmentation, dict) else None


def go(qtbot, win, image_id: int) -> None:
    from tests.ui.conftest import wait_loaded

    win.document.set_current_image(image_id)
    wait_loaded(qtbot, win)


def assist_on_case_picture(qtbot, win, case: str):  # type: ignore[no-untyped-def]
    """Show the case's picture (astronaut: image 1, coffee: 2) and pick the assist tool: (tool, (h, w))."""
    image_id = 1 if case.startswith("astronaut") else 2
    if image_id != win.document.current_image_id:
        go(qtbot, win, image_id)
    win.choose_tool("assist")
    return win.canvas.tool, win.canvas.image_size()


def prompt_case(qtbot, win, refs: dict, case: str) -> None:
    p = refs[case]["prompt"]
    for (x, y), label in zip(p["points"], p["labels"], strict=True):
        click(win, x + 0.5, y + 0.5, LEFT if label == 1 else RIGHT)  # in pixel (x, y)
    if p["box"]:
        drag(win, p["box"])


@pytest.mark.parametrize("case", ["astronaut/pos", "astronaut/pos_neg", "astronaut/box", "coffee/pos",
                                  "coffee/pos_neg", "coffee/box"])  # fmt: skip
def test_clicked_prompts_give_sam_predictor_masks(qtbot, sam_win, refs, case) -> None:
    win, doc = sam_win, sam_win.document
    tool, (h, w) = assist_on_case_picture(qtbot, win, case)
    zoom_and_pan(win)
    prompt_case(qtbot, win, refs, case)
    qtbot.waitUntil(lambda: not tool.is_busy() and tool._shown == tool._request, timeout=30000)
    assert tool.preview_ready(), tool.error
    want = reference(refs, case)
    got = preview_mask(tool, h, w)
    assert iou(got, want) >= 0.99, iou(got, want)
    win.canvas.setFocus()
    steps = doc.undo_stack.count()
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    assert doc.undo_stack.count() == steps + 1
    assert (
        ann.image_id == doc.current_image_id and ann.category_id == doc.project.category_by_name("other").id
    )
    assert ann.review == "accepted" and ann.source.startswith("model:sam-onnx/")
    stored = ann.mask(h, w)
    assert iou(stored, want) >= 0.99


def wait_answer(qtbot, tool) -> None:
    qtbot.waitUntil(lambda: not tool.is_busy() and tool._shown == tool._request, timeout=30000)


def test_undo_redo_is_byte_exact_and_esc_enter_do_nothing_more(qtbot, sam_win, refs) -> None:
    win, doc = sam_win, sam_win.document
    win.choose_tool("assist")
    tool = win.canvas.tool
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)  # Enter with no prompt: nothing
    assert doc.undo_stack.count() == 0
    prompt_case(qtbot, win, refs, "astronaut/pos_neg")
    wait_answer(qtbot, tool)
    key(win, Qt.Key.Key_Escape)
    assert not tool.has_prompt() and not tool._overlays
    key(win, Qt.Key.Key_Return)  # Enter after Esc: nothing
    assert not doc.project.annotations and doc.undo_stack.count() == 0
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    before = json.dumps(annotation_to_dict(ann), sort_keys=True)
    key(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not doc.project.annotations
    doc.undo_stack.redo()
    (again,) = doc.project.annotations.values()
    after = json.dumps(annotation_to_dict(again), sort_keys=True)
    assert after == before


def test_prompts_outside_the_picture(qtbot, sam_win, refs) -> None:
    """A click or right click off the picture adds no point; a box dragged past its edge is clamped."""
    win = sam_win
    win.choose_tool("assist")
    tool = win.canvas.tool
    win.canvas.set_zoom(0.6)
    click(win, -20, 100)
    click(win, 530, 100, RIGHT)
    click(win, 100, 520)
    assert not tool.has_prompt()
    drag(win, [-40, -40, 600, 600])
    wait_answer(qtbot, tool)
    assert tool.box == [0, 0, 512, 512] and tool.preview_ready(), tool.error


def test_a_picture_whose_size_differs_from_the_projects_is_refused(qtbot, tmp_path, tiny, no_prompts) -> None:
    """The file (600x400) is not the size the project records (450x300): a mask at the file's size would
    not fit the annotation's image, so the tool says why and adds nothing (as the wand does)."""
    (tmp_path / "images").mkdir()
    shutil.copy(tiny / "coffee.png", tmp_path / "images" / "coffee.png")
    project = new_project(["thing"])
    project.add_image(ImageRecord(1, "images/coffee.png", 450, 300))
    save_project(project, tmp_path / "project.json")
    win = open_window(qtbot, tmp_path / "project.json")
    try:
        panel = choose(qtbot, win, "sam-onnx")
        panel.backends.set_model_path(tiny / "tiny_sam_encoder.onnx")
        qtbot.waitUntil(lambda: panel.session.is_idle() and panel.backends.status_text.startswith("✓"),
                        timeout=30000)  # fmt: skip
        win.choose_tool("assist")
        tool = win.canvas.tool
        messages = []
        win.canvas.message.connect(messages.append)
        click(win, 200, 150)
        qtbot.waitUntil(lambda: not tool.is_busy() and panel.session.is_idle(), timeout=30000)
        win.canvas.setFocus()
        key(win, Qt.Key.Key_Return)
        assert not win.document.project.annotations and not tool.shapes
        assert any("600x400" in m and "450x300" in m for m in messages), messages
    finally:
        close_window(win)


def test_a_picture_opened_downsampled_is_refused_saying_why(
    qtbot, tmp_path, no_prompts, fake_backends
) -> None:
    """A picture over the pixel limit opened downsampled has no full-size pixels to give the model: the
    status bar says so at the first prompt, nothing fails in the worker."""
    (tmp_path / "images").mkdir()
    y, x = np.mgrid[:900, :1200]
    cv2.imwrite(str(tmp_path / "images" / "scan.png"), ((x // 3 + y // 2) % 256).astype(np.uint8))
    project = new_project(["thing"])
    project.add_image(ImageRecord(1, "images/scan.png", 1200, 900))
    save_project(project, tmp_path / "project.json")
    win = open_window(qtbot, tmp_path / "project.json")
    win.canvas.loader.forget()
    win.canvas.open_reduced(1, 2)  # what "Open downsampled 1/2" does for a picture over the pixel limit
    qtbot.waitUntil(lambda: win.canvas.loaded.reduced == 2, timeout=20000)
    try:
        assert win.canvas.loaded.reduced == 2
        panel = choose(qtbot, win, "grabcut")
        win.choose_tool("assist")
        tool = win.canvas.tool
        messages = []
        win.canvas.message.connect(messages.append)
        drag(win, [300, 200, 400, 300])
        qtbot.waitUntil(lambda: not tool.is_busy() and panel.session.is_idle(), timeout=30000)
        assert any("downsampled" in m for m in messages), messages
        assert not tool.error and not tool.shapes
    finally:
        close_window(win)


@pytest.fixture
def gated_answers(monkeypatch: pytest.MonkeyPatch):
    """Assist answers wait in the model worker until the returned event is set (set at the end)."""
    import threading

    from pixelproof.ui.tools import assist

    gate = threading.Event()
    gate.set()
    real = assist.predict_preview

    def predict_preview(*args, **kwargs):
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(assist, "predict_preview", predict_preview)
    yield gate
    gate.set()


def test_a_late_answer_for_the_old_image_does_not_land_on_the_new_one(
    qtbot, sam_win, refs, gated_answers
) -> None:
    win, doc = sam_win, sam_win.document
    win.choose_tool("assist")
    tool = win.canvas.tool
    gated_answers.clear()
    prompt_case(qtbot, win, refs, "astronaut/pos")  # answered late
    assert tool.is_busy()
    go(qtbot, win, 2)
    assert not tool.has_prompt() and not tool._overlays
    prompt_case(qtbot, win, refs, "coffee/pos")
    gated_answers.set()
    wait_answer(qtbot, tool)
    h, w = win.canvas.image_size()
    assert iou(preview_mask(tool, h, w), reference(refs, "coffee/pos")) >= 0.99
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    assert ann.image_id == 2 and iou(ann.mask(h, w), reference(refs, "coffee/pos")) >= 0.99


def test_changing_the_model_while_a_prompt_is_answered(qtbot, sam_win, refs, tiny, gated_answers) -> None:
    """The answer of the old model is not shown once the new one is in; the next prompt is answered by
    the new model (the samexporter HWC pair: same masks), whose file the result's source names."""
    win, doc = sam_win, sam_win.document
    panel = win.panels["modelDock"]
    win.choose_tool("assist")
    tool = win.canvas.tool
    gated_answers.clear()
    prompt_case(qtbot, win, refs, "astronaut/box")
    panel.backends.set_model_path(tiny / "tiny_sam_hwc.encoder.onnx")
    gated_answers.set()
    qtbot.waitUntil(lambda: panel.session.is_idle() and "hwc" in str(panel.session.backend.model_path),
                    timeout=30000)  # fmt: skip
    assert not tool.has_prompt() and not tool.shapes and not tool._overlays
    prompt_case(qtbot, win, refs, "astronaut/box")
    wait_answer(qtbot, tool)
    assert iou(preview_mask(tool, 512, 512), reference(refs, "astronaut/box")) >= 0.99
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    assert "tiny_sam_hwc.encoder.onnx" in ann.source, ann.source


def test_enter_while_computing_survives_a_failed_earlier_prompt(qtbot, tmp_path, no_prompts, fake_backends,
                                                               gated_answers) -> None:  # fmt: skip
    """grabcut: a click alone fails (it wants a box); a box dragged and Enter pressed before that failure
    comes back still adds the box's mask when its preview is ready."""
    from tests.ui.test_model_panel_sequences import disc_project, iou_with_disc

    win = open_window(qtbot, disc_project(tmp_path, 1))
    try:
        choose(qtbot, win, "grabcut")
        win.choose_tool("assist")
        tool = win.canvas.tool
        gated_answers.clear()
        click(win, 150, 110)
        drag(win, [93, 53, 114, 114])
        win.canvas.setFocus()
        key(win, Qt.Key.Key_Return)
        assert not win.document.project.annotations
        gated_answers.set()
        session = win.panels["modelDock"].session
        qtbot.waitUntil(lambda: not tool.is_busy() and session.is_idle(), timeout=30000)
        (ann,) = win.document.project.annotations.values()
        assert iou_with_disc(ann) >= 0.9 and not tool.has_prompt()
    finally:
        close_window(win)


def test_a_16_bit_picture_is_prompted_through_the_views_window(
    qtbot, tmp_path, tiny, refs, no_prompts
) -> None:
    """The astronaut stored as 16-bit (value x 257) and shown through the window 0..65535 looks exactly like
    the 8-bit picture: SAM must give the reference masks; through the automatic window it need not."""
    (tmp_path / "images").mkdir()
    rgb = cv2.imread(str(tiny / "astronaut.png"), cv2.IMREAD_COLOR)
    cv2.imwrite(str(tmp_path / "images" / "astro16.png"), rgb.astype(np.uint16) * 257)
    project = new_project(["thing"])
    project.add_image(ImageRecord(1, "images/astro16.png", 512, 512))
    save_project(project, tmp_path / "project.json")
    win = open_window(qtbot, tmp_path / "project.json")
    try:
        assert win.canvas.loaded.needs_window
        panel = choose(qtbot, win, "sam-onnx")
        panel.backends.set_model_path(tiny / "tiny_sam_encoder.onnx")
        qtbot.waitUntil(lambda: panel.session.is_idle() and panel.backends.status_text.startswith("✓"),
                        timeout=30000)  # fmt: skip
        win.canvas.set_window(0, 65535)
        win.choose_tool("assist")
        tool = win.canvas.tool
        for case in ("astronaut/pos", "astronaut/box"):
            prompt_case(qtbot, win, refs, case)
            wait_answer(qtbot, tool)
            assert iou(preview_mask(tool, 512, 512), reference(refs, case)) >= 0.99, case
            win.canvas.setFocus()
            key(win, Qt.Key.Key_Return)
        anns = sorted(win.document.project.annotations.values(), key=lambda a: a.id)
        assert [iou(a.mask(512, 512), reference(refs, c)) >= 0.99 for a, c in
                zip(anns, ("astronaut/pos", "astronaut/box"), strict=True)] == [True, True]  # fmt: skip
    finally:
        close_window(win)


@pytest.mark.parametrize("case", ["astronaut/pos_neg", "coffee/pos_neg"])
def test_a_click_inside_a_pixel_is_that_pixel_zoomed_in(qtbot, sam_win, refs, case) -> None:
    """Zoomed in, the user clicks the middle of pixel (x, y) of each reference point: SAM is prompted at
    that pixel (its points are pixel indices, as SamPredictor's), not half a pixel right and down."""
    win = sam_win
    tool, (h, w) = assist_on_case_picture(qtbot, win, case)
    win.canvas.set_zoom(6.5)
    p = refs[case]["prompt"]
    for (x, y), label in zip(p["points"], p["labels"], strict=True):
        win.canvas.centerOn(QPointF(x, y))
        click(win, x + 0.5, y + 0.5, LEFT if label == 1 else RIGHT)
    wait_answer(qtbot, tool)
    assert iou(preview_mask(tool, h, w), reference(refs, case)) >= 0.99
    for (x, y), dot in zip(p["points"], tool.points, strict=True):  # the dots stay where clicked
        assert x < dot[0] < x + 1 and y < dot[1] < y + 1


def test_enter_then_esc_or_image_change_before_the_answer_adds_nothing(
    qtbot, sam_win, refs, gated_answers
) -> None:
    win, doc = sam_win, sam_win.document
    win.choose_tool("assist")
    tool = win.canvas.tool
    session = win.panels["modelDock"].session
    gated_answers.clear()
    prompt_case(qtbot, win, refs, "astronaut/pos")
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)  # "adding it when the preview is ready"
    key(win, Qt.Key.Key_Escape)  # ... then dropped
    prompt_case(qtbot, win, refs, "astronaut/box")
    key(win, Qt.Key.Key_Return)
    go(qtbot, win, 2)  # ... then another image
    gated_answers.set()
    qtbot.waitUntil(lambda: not tool.is_busy() and session.is_idle(), timeout=30000)
    assert not doc.project.annotations and doc.undo_stack.count() == 0 and not tool._overlays


def test_a_click_after_the_model_files_changed_on_disk_loads_them_again_first(
    qtbot, tmp_path: Path, tiny: Path, refs: dict, no_prompts
) -> None:
    """M and Pre-label all load a model whose files changed on disk again before running; the assist tool
    went on clicking with the old model in memory (here a decoder saved over the one found by name). Now
    the click loads the files again, says so and adds no point (a prompt for the old model is dropped, as
    when the model is changed in the panel); the next clicks are answered by the new files."""
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("tiny_sam_hwc.encoder.onnx", "tiny_sam_hwc.decoder.onnx"):
        shutil.copyfile(tiny / name, mine / name)
    win = sam_window(qtbot, tmp_path, tiny, mine / "tiny_sam_hwc.encoder.onnx")
    try:
        panel, doc = win.panels["modelDock"], win.document
        loaded = panel.session.backend
        tool, (h, w) = assist_on_case_picture(qtbot, win, "astronaut/pos")
        prompt_case(qtbot, win, refs, "astronaut/pos")
        wait_answer(qtbot, tool)
        assert tool.preview_ready(), tool.error
        decoder = mine / "tiny_sam_hwc.decoder.onnx"
        shutil.copyfile(tiny / "tiny_sam_multimask_decoder.onnx", decoder)  # a new export saved over it
        st = decoder.stat()
        os.utime(decoder, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        messages: list[str] = []
        win.canvas.message.connect(messages.append)
        click(win, 300.5, 200.5, RIGHT)  # a negative point for the old model's preview
        assert any("tiny_sam_hwc.decoder.onnx changed on disk" in m for m in messages), messages
        assert not tool.has_prompt() and not tool.shapes and not tool._overlays
        qtbot.waitUntil(
            lambda: panel.session.is_idle() and panel.session.backend not in (None, loaded), timeout=30000
        )
        assert panel.session.backend.decoder.get_outputs()[1].shape[-1] == 4  # the multimask export
        prompt_case(qtbot, win, refs, "astronaut/pos")
        wait_answer(qtbot, tool)
        assert iou(preview_mask(tool, h, w), reference(refs, "astronaut/pos")) >= 0.99
        win.canvas.setFocus()
        key(win, Qt.Key.Key_Return)
        (ann,) = doc.project.annotations.values()
        assert iou(ann.mask(h, w), reference(refs, "astronaut/pos")) >= 0.99
    finally:
        close_window(win)


def test_a_click_while_the_model_loads_says_it_is_loading(qtbot, sam_win, tiny) -> None:
    """A click while the Model panel loads the model said "choose an interactive backend", as if none
    were chosen; it says the model is loading, and adds no point."""
    import threading

    win = sam_win
    panel = win.panels["modelDock"]
    tool, _ = assist_on_case_picture(qtbot, win, "astronaut/pos")
    gate = threading.Event()
    panel.session.submit(lambda _report: gate.wait(10))  # the session's one worker is busy: the load waits
    try:
        panel.backends.set_model_path(tiny / "tiny_sam_hwc.encoder.onnx")
        messages: list[str] = []
        win.canvas.message.connect(messages.append)
        click(win, 300.5, 200.5)
        assert messages and "sam-onnx is loading" in messages[-1], messages
        assert not tool.has_prompt()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: panel.session.is_idle() and panel.session.backend is not None, timeout=30000)
    messages.clear()
    click(win, 300.5, 200.5)
    assert not any("loading" in m for m in messages), messages
    assert tool.has_prompt()

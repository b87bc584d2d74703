"""Drawing and pasting on a project whose object ids reach 2**63 - 1 (another tool's numbering), with real
mouse and key events: each is refused with a message naming the file and the way on, nothing is added
(no object, no undo step) and the file still opens. Before, the box got id 2**63 and the saved file no
longer opened; the error was a traceback on stderr and nothing on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core.coco import load_project
from tests.core.test_id_limit import at_the_top
from tests.ui.conftest import open_main_window
from tests.ui.test_workbench import click, drag, key, set_zoom, view_point

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_box_drawn_and_a_paste_are_refused_with_a_message(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    path = at_the_top(tmp_path).path
    before = path.read_bytes()
    win = open_main_window(qtbot, path)
    doc = win.document
    objects, steps = set(doc.project.annotations), doc.undo_stack.count()
    set_zoom(win, 6.0, center=(40, 30))
    key(win, Qt.Key.Key_B)
    assert win.canvas.tool.name == "box"
    drag(win, view_point(win, 20, 15), view_point(win, 60, 45))
    assert [title for title, _ in errors] == ["Nothing added"]
    assert f"{path}: object ids reach 9223372036854775807" in errors[0][1]
    assert f"pixelproof renumber {path} -o NEW.json" in errors[0][1]
    assert win.canvas.tool._preview is None  # the gesture dropped, no box left drawn
    key(win, Qt.Key.Key_A, CTRL)
    assert doc.selection
    key(win, Qt.Key.Key_C, CTRL)
    key(win, Qt.Key.Key_V, CTRL)
    assert len(errors) == 2 and "object ids reach" in errors[1][1]
    assert set(doc.project.annotations) == objects and doc.undo_stack.count() == steps
    assert doc.undo_stack.isClean()
    key(win, Qt.Key.Key_S, CTRL)
    assert path.read_bytes() == before
    assert set(load_project(path).annotations) == objects
    win.close()


def test_a_wand_fill_that_makes_a_new_mask_when_ids_ran_out_is_refused_with_a_message(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    """The wand learns only when its fill answers that the region misses the selected mask and makes a new
    one (or that ids ran out while it filled): the new mask's id was taken in that slot, outside the tools'
    refusal, so IdsExhausted was a traceback on stderr and the fill vanished without a word."""
    import numpy as np
    from PIL import Image

    from pixelproof.core import masks
    from pixelproof.core.coco import save_project
    from pixelproof.core.limits import ID_MAX
    from pixelproof.core.model import Annotation

    p = at_the_top(tmp_path, ID_MAX - 1)
    first = min(p.images)
    bands = np.zeros((60, 80, 3), np.uint8)
    bands[:, :20], bands[:, 20:50] = 200, 100  # three bands; the wand's region is one of them
    Image.fromarray(bands).save(tmp_path / p.images[first].file_name)
    m = np.zeros((60, 80), bool)
    m[20:60, 0:15] = True  # a mask in the left band, the last object id
    p.add_annotation(Annotation(ID_MAX, first, first, masks.bbox(m), masks.encode(m), float(m.sum())))
    save_project(p)
    before = p.path.read_bytes()
    win = open_main_window(qtbot, p.path)
    doc = win.document
    assert win.canvas.image_id == first
    objects, categories, steps = (
        set(doc.project.annotations),
        set(doc.project.categories),
        doc.undo_stack.count(),
    )
    set_zoom(win, 6.0, center=(40, 30))
    key(win, Qt.Key.Key_V)
    click(win, view_point(win, 8, 40))
    assert [a.id for a in doc.selected_annotations()] == [ID_MAX]
    key(win, Qt.Key.Key_F)
    assert win.canvas.tool.name == "fill"
    with qtbot.captureExceptions() as exceptions:
        click(win, view_point(win, 70, 40))  # the right band: it does not touch the selected mask
        qtbot.waitUntil(lambda: not win.canvas.tool.is_busy(), timeout=10000)
        qtbot.waitUntil(lambda: bool(errors or exceptions), timeout=10000)
    assert not exceptions, exceptions
    assert [title for title, _ in errors] == ["Nothing added"]
    assert f"{p.path}: object ids reach {ID_MAX}" in errors[0][1]
    assert set(doc.project.annotations) == objects and set(doc.project.categories) == categories
    assert doc.undo_stack.count() == steps and doc.undo_stack.isClean()
    key(win, Qt.Key.Key_S, CTRL)
    assert p.path.read_bytes() == before
    win.close()


def test_enter_while_the_assist_preview_runs_is_refused_with_a_message_when_ids_ran_out(
    qtbot, tmp_path: Path, no_prompts, errors, monkeypatch
) -> None:
    """Enter pressed before the interactive model answers adds the preview when the answer comes: that
    took the objects' ids in the answer's slot, outside the tools' refusal, so on a project whose object
    ids reach 2**63 - 1 IdsExhausted was a traceback. The project has no class, so adding the one the
    object would get ("object") must not happen either. The model (grabcut, no model file) waits at a gate
    until Enter is in."""
    import threading

    import numpy as np
    from PIL import Image

    from pixelproof.core.coco import save_project
    from pixelproof.core.limits import ID_MAX
    from pixelproof.core.model import LAST_ANNOTATION_ID, ImageRecord, Project
    from pixelproof.ui.tools import assist
    from tests.ui.test_model_panel import choose, close_window, open_window

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 60, (60, 80, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:60, 0:80]
    disc = (xx - 40) ** 2 + (yy - 30) ** 2 <= 18**2
    pixels[disc] = (200, 180, 60)
    Image.fromarray(pixels).save(tmp_path / "disc.png")
    p = Project(path=tmp_path / "p.json")
    p.add_image(ImageRecord(1, "disc.png", 80, 60))
    p.app[LAST_ANNOTATION_ID] = ID_MAX  # another tool gave out every object id
    save_project(p)
    before = p.path.read_bytes()
    gate, real = threading.Event(), assist.predict_preview

    def predict_preview(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(assist, "predict_preview", predict_preview)
    win = open_window(qtbot, p.path)
    try:
        doc = win.document
        choose(qtbot, win, "grabcut")
        set_zoom(win, 6.0, center=(40, 30))
        win.canvas.setFocus()
        key(win, Qt.Key.Key_I)
        tool = win.canvas.tool
        assert tool.name == "assist"
        with qtbot.captureExceptions() as exceptions:
            drag(win, view_point(win, 16, 8), view_point(win, 64, 52))
            assert tool.is_busy() and not tool.preview_ready()
            key(win, Qt.Key.Key_Return)  # "adding it when the preview is ready"
            assert not errors and not doc.project.annotations
            gate.set()
            qtbot.waitUntil(lambda: bool(errors or exceptions), timeout=20000)
            qtbot.waitUntil(lambda: not tool.is_busy(), timeout=20000)
        assert not exceptions, exceptions
        assert [title for title, _ in errors] == ["Nothing added"]
        assert f"{p.path}: object ids reach {ID_MAX}" in errors[0][1]
        assert f"pixelproof renumber {p.path} -o NEW.json" in errors[0][1]
        assert not doc.project.annotations and not doc.project.categories
        assert doc.undo_stack.count() == 0 and not tool.has_prompt() and not tool._overlays
        key(win, Qt.Key.Key_S, CTRL)
        assert p.path.read_bytes() == before
    finally:
        gate.set()
        close_window(win)

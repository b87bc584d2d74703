"""Today's edits together, on the real window with real keys: Copy / Paste / Duplicate with the Images
filter, the brush into a pasted mask, undo / redo of each step, lint on a duplicate."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from pixelproof.core import masks
from pixelproof.core.edits import AddAnnotations
from pixelproof.core.model import Annotation
from tests.core.test_mask_edit import reference_stroke
from tests.ui.conftest import jobs_ended, settle, wait_loaded
from tests.ui.test_images_filter import _shown, _type
from tests.ui.test_mask_tools import CTRL, paint, pixels, set_view
from tests.ui.test_workbench import click, draw_box, key, view_point

SHAPE = (240, 320)


def test_paste_shows_its_image_under_a_class_query_and_undo_hides_it(qtbot, window) -> None:
    doc, panel = window.document, window.panels["imagesDock"]
    set_view(window, 1.0)
    box = draw_box(window, 40, 40, 120, 100)
    assert doc.project.annotations[box].category_id == 1
    key(window, Qt.Key.Key_V)
    click(window, view_point(window, 80, 70))
    assert doc.selection == [box]
    key(window, Qt.Key.Key_C, CTRL)
    key(window, Qt.Key.Key_D)  # before the query: D walks the list it leaves (img0 only)
    wait_loaded(qtbot, window)
    _type(panel, "class:cat")
    settle()
    assert _shown(panel) == ["img0.png"]
    window.canvas.setFocus()
    key(window, Qt.Key.Key_V, CTRL)
    settle()
    assert _shown(panel) == ["img0.png", "img1.png"]
    key(window, Qt.Key.Key_2)  # the pasted copy (selected) becomes a dog
    settle()
    assert _shown(panel) == ["img0.png"]
    key(window, Qt.Key.Key_Z, CTRL)
    settle()
    assert _shown(panel) == ["img0.png", "img1.png"]
    key(window, Qt.Key.Key_Z, CTRL)
    settle()
    assert _shown(panel) == ["img0.png"]
    key(window, Qt.Key.Key_Y, CTRL)
    settle()
    assert _shown(panel) == ["img0.png", "img1.png"]


def test_brush_into_a_pasted_mask_undoes_and_redoes_to_exact_pixels(qtbot, window) -> None:
    doc = window.document
    yy, xx = np.mgrid[: SHAPE[0], : SHAPE[1]]
    m = ((yy - 120) ** 2 + (xx - 160) ** 2 <= 70**2) & ((yy + xx) % 7 != 0)
    aid = doc.project.next_annotation_id()
    doc.push(AddAnnotations([Annotation(aid, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum()))]))
    set_view(window, 1.0)
    key(window, Qt.Key.Key_V)
    click(window, view_point(window, 161.5, 120.5))
    assert doc.selection == [aid]
    key(window, Qt.Key.Key_C, CTRL)
    key(window, Qt.Key.Key_D)
    wait_loaded(qtbot, window)
    key(window, Qt.Key.Key_V, CTRL)
    (copy,) = doc.selection
    assert np.array_equal(pixels(window, copy), m)
    pts = paint(window, Qt.Key.Key_R, [(161, 121), (300, 220)], 13)
    painted = m | reference_stroke(SHAPE, pts, 13)
    assert np.array_equal(pixels(window, copy), painted)
    pts2 = paint(window, Qt.Key.Key_E, [(160, 20), (160, 220)], 9)
    erased = painted & ~reference_stroke(SHAPE, pts2, 9)
    assert np.array_equal(pixels(window, copy), erased)
    states = [erased, painted, m, None]
    for expect in states[1:]:
        key(window, Qt.Key.Key_Z, CTRL)
        if expect is None:
            assert copy not in doc.project.annotations
        else:
            assert np.array_equal(pixels(window, copy), expect)
    for expect in reversed(states[:-1]):
        key(window, Qt.Key.Key_Y, CTRL)
        assert np.array_equal(pixels(window, copy), expect)
    assert np.array_equal(pixels(window, aid), m)
    # a further stroke after the redos paints onto the redone mask, nothing else
    pts3 = paint(window, Qt.Key.Key_R, [(150, 121), (60, 200)], 7)
    assert np.array_equal(pixels(window, copy), erased | reference_stroke(SHAPE, pts3, 7))


def test_a_duplicate_left_on_its_original_is_found_by_find_problems(qtbot, window) -> None:
    """Ctrl+D puts the copies exactly on the originals: Find problems names each copy a duplicate."""
    from tests.ui.test_problems_panel import find, rows

    doc = window.document
    yy, xx = np.mgrid[: SHAPE[0], : SHAPE[1]]
    m = (yy - 120) ** 2 + (xx - 100) ** 2 <= 30**2
    aid = doc.project.next_annotation_id()
    doc.push(AddAnnotations([Annotation(aid, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum()))]))
    set_view(window, 1.0)
    box = draw_box(window, 200, 40, 280, 100)
    key(window, Qt.Key.Key_V)
    click(window, view_point(window, 100.5, 120.5))
    click(window, view_point(window, 240, 70), Qt.KeyboardModifier.ShiftModifier)
    assert sorted(doc.selection) == [aid, box]
    key(window, Qt.Key.Key_D, CTRL)
    copies = sorted(doc.selection)
    assert len(copies) == 2 and not set(copies) & {aid, box}
    panel = find(qtbot, window)
    duplicates = {a for kind, a in rows(panel) if kind == "duplicate"}
    assert duplicates == set(copies)


def test_an_undo_while_the_annotators_layers_are_worked_out_shows_the_undone_state(
    qtbot, project_file, no_prompts, monkeypatch
) -> None:
    """Ctrl+Z in the Annotators view while its background job draws the layers: the panes end showing
    the project after the undo (as a fresh refresh draws it), not the layers read before it."""
    import threading

    from pixelproof.core.edits import RemoveAnnotations
    from pixelproof.ui.review import annotators
    from tests.ui.conftest import open_main_window
    from tests.ui.test_teams_agreeview import CTRL_SHIFT, merged_project

    real, release = annotators.compute_layers, threading.Event()

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(10)
        return real(*args, **kwargs)

    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    doc.push(RemoveAnnotations([2001]))  # bob's disc on image 1
    monkeypatch.setattr(annotators, "compute_layers", held)
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    assert view.is_open() and view.overlay_job is not None
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_Z, CTRL)
    assert 2001 in doc.project.annotations
    release.set()
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    jobs_ended()
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    raced, info = [o.copy() for o in view.overlays], view.info.text()
    assert raced[1][..., 3].any()  # bob's pane shows his disc again
    view.refresh()
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    assert all(np.array_equal(a, b) for a, b in zip(raced, view.overlays, strict=True))
    assert view.info.text() == info
    doc.undo_stack.setClean()
    win.close()

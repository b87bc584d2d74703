"""Review > Annotators Side by Side on a merged project of several annotators (real widgets, real keys):
long names at 1366x768, the view opened on the image being labelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation
from pixelproof.core.split import split_project
from tests.ui.conftest import open_main_window

pytestmark = pytest.mark.gui

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def merged_project(project_file: Path, names: list[str]) -> Path:
    """Every image to every annotator; each draws a disc a little apart on images 1 and 3 (the last one
    nothing); merged into ``merged.json``."""
    project = load_project(project_file)
    result = split_project(project, names, overlap=1.0, overlap_copies=len(names))
    shards = []
    for k, (name, shard) in enumerate(result.shards.items()):
        for image_id in (1, 3) if k < len(names) - 1 else ():
            im = shard.images[image_id]
            yy, xx = np.mgrid[: im.height, : im.width]
            m = (yy - 100) ** 2 + (xx - 120 - 5 * k) ** 2 <= 40**2
            aid = 1000 * (k + 1) + image_id
            shard.add_annotation(Annotation(aid, image_id, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
        shards.append(Shard.of(shard, name))
    merged = merge_shards(shards, project).project
    path = project_file.parent / "merged.json"
    save_project(merged, path)
    return path


def test_a_long_annotator_name_leaves_every_pane_its_share_at_1366x768(
    qtbot, project_file, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """Names may be 64 characters long (split takes them): the name above a pane widened its column to
    the whole name, squeezing the other annotators' panes to slivers beside it."""
    long = "zed-" + "x" * 60
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy", "dee", long]))
    win.resize(1366, 768)
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    view = win.teams.view
    assert [p.title for p in view.panes] == ["ann", "bob", "cy", "dee", long, "disagreement"]
    qtbot.waitUntil(lambda: all(p.isVisible() for p in view.panes))
    qtbot.wait(200)  # the layout settles
    widths = [p.width() for p in view.panes]
    assert max(widths) <= 1.5 * min(widths), widths
    assert win.width() <= 1366
    label = next(w for w in view.widget.findChildren(type(view.info)) if long in w.toolTip())
    assert label.width() <= view.panes[4].width() + 1  # the name is shortened, the full one in its tip
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width() and "…" in label.text()
    title = view.panes[4].title_rect()  # and so is the title painted in the pane's corner
    assert title.right() < view.panes[4].viewport().width() and "…" in view.panes[4].shown_title()
    win.document.undo_stack.setClean()
    win.close()


def test_the_view_opens_on_the_image_being_labelled(qtbot, project_file, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """Accept Consensus acts on the image shown: opened from image 3 the view showed image 1 (the first
    overlap image, or the one shown last time), one click from accepting the consensus of another image."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    for image_id in (3, 2, 1):
        win.activateWindow()
        doc.set_current_image(image_id)
        qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
        assert view.images.currentData() == image_id
        qtbot.mouseClick(next(b for b in view.widget.findChildren(type(view.accept_button))
                              if b.text() == "Back to Labeling"), Qt.MouseButton.LeftButton)  # fmt: skip
    doc.undo_stack.setClean()
    win.close()


def test_the_image_chosen_in_the_view_is_the_one_the_window_keys_act_on(
    qtbot, project_file, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """The labeling keys stay on in the view (Alt+3 marks the image done): they acted on the image being
    labelled when the view was opened, not on the one shown after choosing another in the list; and
    Back to Labeling went back to that image instead of the one just looked at."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    assert view.images.currentData() == 1
    view.images.setFocus()
    qtbot.keyClick(view.images, Qt.Key.Key_Down)
    qtbot.keyClick(view.images, Qt.Key.Key_Down)
    assert view.images.currentData() == 3
    qtbot.keyClick(view.panes[0], Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Image > Mark as Done
    assert doc.project.image_status(3) == "done" and doc.project.image_status(1) == "todo"
    qtbot.mouseClick(next(b for b in view.widget.findChildren(type(view.accept_button))
                          if b.text() == "Back to Labeling"), Qt.MouseButton.LeftButton)  # fmt: skip
    assert win.shell.current_view() is win.canvas and doc.current_image_id == 3
    doc.undo_stack.setClean()
    win.close()


def test_next_and_previous_image_keys_step_through_the_overlap_images_shown(
    qtbot, project_file, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """D / A (Next / Previous Image) stay on in the view: they moved the hidden labeling view to another
    image while the panes kept showing the first, so the next Alt+3 marked an image nobody was looking at."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_D)
    assert doc.current_image_id == 2 and view.images.currentData() == 2
    assert [p.title for p in view.panes] == ["ann", "bob", "cy", "disagreement"]
    qtbot.keyClick(view.panes[0], Qt.Key.Key_D)
    assert view.images.currentData() == 3 and (view.overlays[0][..., 3] > 0).any()  # ann's disc there
    qtbot.keyClick(view.panes[0], Qt.Key.Key_A)
    assert doc.current_image_id == 2 and view.images.currentData() == 2
    doc.undo_stack.setClean()
    win.close()

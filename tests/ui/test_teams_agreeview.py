"""Review > Annotators Side by Side on a merged project of several annotators (real widgets, real keys):
long names at 1366x768, the view opened on the image being labelled."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation
from pixelproof.core.split import split_project
from tests.ui.conftest import jobs_ended, open_main_window, settle

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
    qtbot.waitUntil(lambda: all(p.isVisible() for p in view.panes), timeout=10000)
    settle()  # the layout settles: queued layout requests, turns of the event loop (not 200 ms)
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
    assert view.images.currentData() == 3
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    assert (view.overlays[0][..., 3] > 0).any()  # ann's disc there
    qtbot.keyClick(view.panes[0], Qt.Key.Key_A)
    assert doc.current_image_id == 2 and view.images.currentData() == 2
    QApplication.sendPostedEvents(None, 0)  # deleteLater of the panes replaced
    # one pane box a pane in the grid: each image shown used to leave its boxes behind (their panes deleted)
    assert view.grid.count() == len(view.panes) == 4
    doc.undo_stack.setClean()
    win.close()


def large_overlap_project(folder: Path, side: int = 6000) -> Path:
    """Image 1: side x side, three annotators' boxes (ann and bob the same cat box, cy's 500 px to the
    right); image 2: 240 x 320, ann's and bob's discs, cy nothing. Known answers: image 1 has 2500 x 1000
    labelled pixels of which 1000 x 1000 differ (40%)."""
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.core.overlap_versions import ANNOTATOR_KEY

    (folder / "images").mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "images/big.png"), np.zeros((side, side), np.uint8))
    cv2.imwrite(str(folder / "images/small.png"), np.zeros((240, 320), np.uint8))
    project = new_project(["cat", "dog"])
    project.add_image(ImageRecord(1, "images/big.png", side, side))
    project.add_image(ImageRecord(2, "images/small.png", 320, 240))
    names = ["ann", "bob", "cy"]
    for k, name in enumerate(names):
        x = 600 if name == "cy" else 100
        box = Annotation(10 + k, 1, 1, [float(x), 100.0, 2000.0, 1000.0], None, 2e6)
        box.app_extra[ANNOTATOR_KEY] = name
        project.add_annotation(box)
        if name != "cy":
            m = disc_mask(240, 320, 120 + 7 * k)
            disc = Annotation(20 + k, 2, 1 + k, masks.bbox(m), masks.encode(m), float(m.sum()))
            disc.app_extra[ANNOTATOR_KEY] = name
            project.add_annotation(disc)
    project.app["overlap_annotators"] = {"1": names, "2": names}
    path = folder / "merged.json"
    save_project(project, path)
    return path


def disc_mask(h: int, w: int, cx: int) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    return (yy - 100) ** 2 + (xx - cx) ** 2 <= 40**2


def test_a_large_image_is_compared_off_the_ui_thread_and_drawn_reduced(
    qtbot, tmp_path, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A 6000 x 6000 overlap image: every annotator's colour layer and the disagreement map were built at
    full size on the UI thread (a 4000 x 4000 one froze the window 4 s and took 1.1 GB). The comparison
    runs in a background job - it waits here for a timer the UI thread must fire, so a blocked UI thread
    would time it out - its layers are 2000 x 2000 drawn over the whole image, the share exact."""
    import threading

    from PySide6.QtCore import QThread, QTimer

    from pixelproof.core import disagreement as dis

    real = dis.disagreement
    seen: dict[str, object] = {}
    ticked = threading.Event()

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["gui"] = QThread.currentThread() is QApplication.instance().thread()
        seen["ticked"] = ticked.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(dis, "disagreement", watched)
    win = open_main_window(qtbot, large_overlap_project(tmp_path))
    view = win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    assert view.images.currentData() == 1 and [p.title for p in view.panes][-1] == "disagreement"
    assert "computing" in view.info.text() and not view.overlays_ready()  # the placeholder meanwhile
    QTimer.singleShot(20, ticked.set)
    qtbot.waitUntil(view.overlays_ready, timeout=20000)
    assert seen == {"gui": False, "ticked": True}
    assert view.scale == 3 and all(o.shape == (2000, 2000, 4) for o in view.overlays)
    assert "differ on 40% of the labelled pixels" in view.info.text() and "1/3" in view.info.text()
    item = view.panes[-1].overlay
    assert item is not None and (item.boundingRect().width(), item.boundingRect().height()) == (6000, 6000)
    # ann's box: layer pixels 34..700 x 34..366 (image 100..2100 x 100..1100 sampled every 3rd pixel)
    alpha = view.overlays[0][..., 3] > 0
    assert alpha[34:367, 34:700].all() and alpha.sum() == 333 * 666
    win.document.undo_stack.setClean()
    win.close()


def test_moving_on_cancels_the_comparison_and_consensus_works_meanwhile(
    qtbot, tmp_path, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """D while the large image's comparison runs: that job is cancelled (its result would otherwise be
    drawn over the next image's panes), the next image is compared; Consensus and Accept Consensus work
    on the image shown while its comparison runs."""
    import threading

    from pixelproof.core import disagreement as dis

    real = dis.disagreement
    release = threading.Event()

    def held(members, *args, **kwargs):  # type: ignore[no-untyped-def]
        if members[0].image.id == 1:
            release.wait(10)
        return real(members, *args, **kwargs)

    monkeypatch.setattr(dis, "disagreement", held)
    win = open_main_window(qtbot, large_overlap_project(tmp_path))
    doc, view = win.document, win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    first = view.overlay_job
    assert first is not None and view.images.currentData() == 1
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_D)
    assert first.is_cancelled() and view.images.currentData() == 2
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    # image 2: ann and bob discs 7 px apart, cy nothing; the share is counted here independently
    a, b = disc_mask(240, 320, 120), disc_mask(240, 320, 127)
    labels = np.stack([a * 1, b * 2, np.zeros_like(a, int)])  # ann: cat, bob: dog
    labelled = (labels != 0).any(axis=0)
    differ = labelled & ~(labels == labels[0]).all(axis=0)
    assert f"differ on {differ.sum() / labelled.sum():.0%} of the labelled pixels" in view.info.text()
    assert view.scale == 1 and view.overlays[0].shape == (240, 320, 4)
    release.set()
    jobs_ended()  # the cancelled job ends: nothing of it is drawn
    assert view.images.currentData() == 2 and view.overlays[0].shape == (240, 320, 4)
    # back to image 1, its comparison held again: Consensus and Accept Consensus act meanwhile
    release.clear()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_A)
    assert view.images.currentData() == 1 and not view.overlays_ready()
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=20000)  # worked out in its own job
    assert any((a.source or "").startswith("consensus:") for a in doc.project.annotations_of(1))
    running = view.overlay_job
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert not any("annotator" in a.app_extra for a in doc.project.annotations_of(1))
    qtbot.waitUntil(lambda: view.images.findData(1) < 0, timeout=10000)  # no longer an overlap image
    assert running is not None and running.is_cancelled()
    release.set()
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    doc.undo_stack.setClean()
    win.close()


def test_an_image_load_failing_after_moving_on_leaves_the_panes_alone(
    qtbot, project_file, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """D while image 1 is still being read: its load failed afterwards and wrote its message into the
    panes of image 1, deleted meanwhile (a traceback from Qt's event loop; before they were deleted, the
    placeholders of panes no longer shown). A loaded image was dropped there already; a failure is too."""
    import threading

    from PySide6.QtCore import QEvent

    from pixelproof.core.imageio import ImageReadError
    from pixelproof.ui.canvas.image_item import ImageItem
    from pixelproof.ui.review import annotators

    real, release = annotators.load_image, threading.Event()

    def held(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path == first_path:
            release.wait(10)
            raise ImageReadError(f"{path}: unreadable")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(annotators, "load_image", held)
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    first_path = doc.project.image_path(doc.project.images[1])
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    first_load = view.job
    assert view.images.currentData() == 1 and first_load is not None
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_D)
    assert view.images.currentData() == 2
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # image 1's panes go
    release.set()
    qtbot.waitUntil(lambda: not first_load.running, timeout=10000)  # its failure came back
    qtbot.waitUntil(lambda: all(isinstance(p.image_item, ImageItem) for p in view.panes), timeout=10000)
    assert view.images.currentData() == 2
    doc.undo_stack.setClean()
    win.close()


def test_an_image_nobody_labelled_says_so(qtbot, project_file, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """Image 2 of the merged project: no annotator drew anything. The line said "they differ on 0% of the
    labelled pixels" (of none)."""
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    view = win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_D)
    assert view.images.currentData() == 2
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    assert view.info.text() == "3 annotators; no annotator labelled this image"
    assert all(not (o[..., 3] > 0).any() for o in view.overlays)
    win.document.undo_stack.setClean()
    win.close()


def test_a_comparison_that_fails_says_why_and_a_small_share_is_not_rounded_to_zero(
    qtbot, project_file, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """An object the comparison cannot decode (e.g. a crafted mask box over the pixel limit) ends in a
    message in place of "computing…", never a traceback; 3 differing pixels in 1000 read 0.3%, not 0%."""
    from pixelproof.core import disagreement as dis
    from pixelproof.core.limits import LimitError
    from pixelproof.ui.review.annotators import share_text

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise LimitError("annotation 7", "mask box 90000 x 90000 is over the pixel limit")

    monkeypatch.setattr(dis, "disagreement", broken)
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob"]))
    view = win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.waitUntil(lambda: view.overlay_job is None, timeout=10000)
    assert view.info.text() == (
        "Cannot compare the annotators' versions: "
        "annotation 7: mask box 90000 x 90000 is over the pixel limit"
    )
    assert not view.overlays_ready()
    assert "differ on 0.3% of" in share_text(2, 3 / 1000, 1)
    assert "differ on 0% of" in share_text(2, 0.0, 1) and "1/4" in share_text(2, 0.5, 4)
    win.document.undo_stack.setClean()
    win.close()


class HeldConsensus:
    """``consensus_image`` wrapped: records the thread it runs on, waits for a timer the UI thread must
    fire, then for ``release`` (a test holds the job running); counts the images worked out."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        import threading

        from pixelproof.core import consensus

        self.real = consensus.consensus_image
        self.release, self.ticked = threading.Event(), threading.Event()
        self.calls: list[bool] = []  # per image: ran on the GUI thread
        self.seen_tick: list[bool] = []
        monkeypatch.setattr(consensus, "consensus_image", self)

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QThread

        self.calls.append(QThread.currentThread() is QApplication.instance().thread())
        self.seen_tick.append(self.ticked.wait(10))
        self.release.wait(10)
        return self.real(*args, **kwargs)


def _project_json(project) -> str:  # type: ignore[no-untyped-def]
    from pixelproof.core.coco_dump import dumps_project

    return dumps_project(project).decode()


def test_consensus_is_worked_out_off_the_ui_thread_pushed_as_one_undo_step(
    qtbot, project_file, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Consensus ran STAPLE over every annotator's masks on the UI thread: a 6000 x 6000 image froze the
    window for seconds. It runs in a background job (waiting for a timer the UI thread must fire), the
    buttons off and the line saying so meanwhile; the edit is what ``consensus_edit`` gives, one step."""
    from PySide6.QtCore import QTimer

    from pixelproof.core.consensus import consensus_edit

    path = merged_project(project_file, ["ann", "bob", "cy"])
    expected = load_project(path)
    edit, _ = consensus_edit(expected, "staple")
    edit.apply(expected)
    held = HeldConsensus(monkeypatch)
    win = open_main_window(qtbot, path)
    doc, view = win.document, win.teams.view
    original = _project_json(doc.project)
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    assert view.consensus_job is not None and "computing consensus…" in view.info.text()
    assert not view.consensus_button.isEnabled() and not view.accept_button.isEnabled()
    QTimer.singleShot(20, held.ticked.set)
    held.release.set()
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    assert held.calls and not any(held.calls) and all(held.seen_tick)
    assert _project_json(doc.project) == _project_json(expected)
    assert doc.undo_stack.count() == 1 and view.consensus_button.isEnabled()
    assert "computing consensus" not in view.info.text()
    assert "review them, then Accept Consensus" in win.statusBar().currentMessage()
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _project_json(doc.project) == original and doc.undo_stack.index() == 0
    win.close()


def test_moving_to_another_image_cancels_the_consensus(qtbot, project_file, no_prompts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """D while the consensus is worked out: the job stops (no further image worked out) and pushes
    nothing; Consensus works again afterwards."""
    held = HeldConsensus(monkeypatch)
    held.ticked.set()
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    job = view.consensus_job
    assert job is not None
    view.panes[0].setFocus()
    qtbot.keyClick(view.panes[0], Qt.Key.Key_D)
    assert view.images.currentData() == 2 and job.is_cancelled() and view.consensus_job is None
    assert view.consensus_button.isEnabled() and "computing consensus" not in view.info.text()
    held.release.set()
    jobs_ended()  # the job ends: nothing of it is pushed
    assert len(held.calls) == 1 and doc.undo_stack.count() == 0
    assert not any((a.source or "").startswith("consensus:") for a in doc.project.annotations.values())
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.setClean()
    win.close()


def test_an_edit_made_while_the_consensus_is_worked_out_drops_it(
    qtbot, project_file, no_prompts, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The consensus is worked out from the project as it was: an object deleted meanwhile would come
    back in it (or its ids clash with new objects). The result is dropped with a message."""
    from pixelproof.core.edits import RemoveAnnotations

    held = HeldConsensus(monkeypatch)
    held.ticked.set()
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob", "cy"]))
    doc, view = win.document, win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    victim = next(a.id for a in doc.project.annotations_of(1))  # an annotator's disc on image 1
    doc.push(RemoveAnnotations([victim]))
    held.release.set()
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    assert doc.undo_stack.count() == 1  # the removal only
    assert not any((a.source or "").startswith("consensus:") for a in doc.project.annotations.values())
    said = win.statusBar().currentMessage()
    assert said == "The image changed while the consensus was computed: press Consensus again"
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)  # again: from the project as it is
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.setClean()
    win.close()


def test_a_consensus_that_fails_names_the_image(qtbot, project_file, no_prompts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A crafted mask box over the pixel limit: a message naming the image, never a traceback."""
    from pixelproof.core import consensus
    from pixelproof.core.limits import LimitError

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise LimitError("annotation 7", "mask box 90000 x 90000 is over the pixel limit")

    monkeypatch.setattr(consensus, "consensus_image", broken)
    win = open_main_window(qtbot, merged_project(project_file, ["ann", "bob"]))
    doc, view = win.document, win.teams.view
    qtbot.keyClick(win.canvas, Qt.Key.Key_Tab, CTRL_SHIFT)
    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)
    name = doc.project.images[1].file_name
    assert win.statusBar().currentMessage() == (
        f"Consensus not worked out: {name}: annotation 7: mask box 90000 x 90000 is over the pixel limit"
    )
    assert doc.undo_stack.count() == 0 and view.consensus_button.isEnabled()
    win.close()

"""A pre-label run in the app on a project near the id limit while the user draws: each image's proposal is
moved onto the live project as it arrives (``Rebaser``), and when the user's boxes took the last object ids
meanwhile, that raised IdsExhausted in the report slot (a traceback on stderr, the run left going with its
results dropped one by one). The run now stops there and its summary says why, naming the file and the way
on. A run with no object id left is refused before it starts; one needing more than are left stops, in the
same words, where its own numbering ran out. The model waits at a gate the test opens, so the order of events
is fixed, not timed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.limits import ID_MAX
from pixelproof.core.model import LAST_ANNOTATION_ID
from pixelproof.inference import registry as inference
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.registry import BackendInfo
from tests.ui.test_model_panel import choose, close_window, open_window, predictions, press, wait_batch
from tests.ui.test_workbench import drag, key, set_zoom, view_point


class GatedBackend(Backend):
    """One box per image, once the test lets an image through the gate."""

    name = "gated"
    kind = "detect"
    gate = threading.Semaphore(0)

    def categories(self) -> list[str]:
        return ["thing"]

    def predict(self, image, prompt=None):
        assert GatedBackend.gate.acquire(timeout=60)
        return [Prediction("thing", 0.8, [5, 5, 20, 10])]


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gated backend, run on one lane: on two, the one permit a test gives may wake the lane holding
    the second image, whose result waits for the first's (results come in image order), and the test
    waited for nothing (it failed so under load, CI s18-6)."""
    from pixelproof.inference import batch as inference_batch

    monkeypatch.setattr(inference_batch, "lanes_allowed", lambda *_a: False)
    real = inference.discover
    GatedBackend.gate = threading.Semaphore(0)
    fake = BackendInfo("gated", "tests:GatedBackend", None, GatedBackend)
    monkeypatch.setattr(inference, "discover", lambda: sorted([*real(), fake], key=lambda i: i.name))


def test_ids_taken_by_the_user_during_a_run_stop_it_with_the_message(
    qtbot, tmp_path: Path, no_prompts, errors, gated
) -> None:
    p = load_project(install_demo(tmp_path / "demo"))
    p.app[LAST_ANNOTATION_ID] = ID_MAX - 11  # another tool's numbering: eleven object ids left, so the
    # run's own numbering (on the snapshot it started from) has room for its ten images' boxes
    save_project(p)
    win = open_window(qtbot, p.path)
    doc = win.document
    panel = choose(qtbot, win, "gated")
    with qtbot.captureExceptions() as exceptions:
        press(qtbot, panel, panel.act_prelabel_all)
        batch = panel.batch.batch
        GatedBackend.gate.release()  # the first image's box comes in: ID_MAX - 10
        qtbot.waitUntil(lambda: batch.done >= 1, timeout=20000)
        assert [a.id for a in predictions(doc)] == [ID_MAX - 10]
        set_zoom(win, 4.0, center=(60, 60))
        key(win, Qt.Key.Key_B)
        drawn = 0
        while not errors and drawn < 20:  # the user's boxes take the ten ids left; the next is refused
            drag(win, view_point(win, 30 + 2 * drawn, 40), view_point(win, 60, 60))
            drawn += 1
        assert drawn == 11 and [title for title, _ in errors] == ["Nothing added"]
        assert max(doc.project.annotations) == ID_MAX
        GatedBackend.gate.release(20)  # the next image's box has no id left on the live project
        wait_batch(qtbot, panel)
    assert not exceptions, exceptions
    summary = panel.batch.summary_label.text()
    assert summary.startswith("Stopped after 1 of 10 images: 1 prediction; the others not pre-labeled: ")
    assert f"{p.path}: object ids reach {ID_MAX}" in summary and "pixelproof renumber" in summary
    assert [a.id for a in predictions(doc)] == [ID_MAX - 10]  # nothing added past the refusal
    assert panel.batch.problems.count() == 0 and max(doc.project.annotations) == ID_MAX
    assert not panel.is_running()
    close_window(win)


def test_no_object_id_left_refuses_the_run_before_it_starts(
    qtbot, tmp_path: Path, no_prompts, errors, gated
) -> None:
    """The run's numbering on the snapshot it started from had no id at all: the worker failed at once and
    the panel said 'pre-labeling stopped: IdsExhausted: ...' and '1 image failed'. It is now refused before
    it starts, as the CLI refuses it, with the message naming the file and the way on."""
    p = load_project(install_demo(tmp_path / "demo"))
    p.app[LAST_ANNOTATION_ID] = ID_MAX  # another tool gave out every object id
    save_project(p)
    win = open_window(qtbot, p.path)
    doc = win.document
    panel = choose(qtbot, win, "gated")
    steps = doc.undo_stack.count()
    with qtbot.captureExceptions() as exceptions:
        press(qtbot, panel, panel.act_prelabel_all)
        assert [title for title, _ in errors] == ["Pre-label"]
        assert not panel.is_running() and panel.batch.batch is None
        wait_batch(qtbot, panel)
    assert not exceptions, exceptions
    assert f"{p.path}: object ids reach {ID_MAX}" in errors[0][1]
    assert f"pixelproof renumber {p.path} -o NEW.json" in errors[0][1]
    assert panel.batch.summary_label.text() == "" and panel.batch.problems.count() == 0
    assert not predictions(doc) and doc.undo_stack.count() == steps
    assert panel.act_prelabel_all.isEnabled()
    close_window(win)


def test_ids_running_out_during_the_run_stop_it_in_plain_words_keeping_the_images_done(
    qtbot, tmp_path: Path, no_prompts, errors, gated
) -> None:
    """Three object ids left for ten images of one box each: the run's numbering ran out at the fourth
    image, in the worker, and the panel said 'pre-labeling stopped: IdsExhausted: ...' with '1 image failed'.
    It now stops there and says so as when the user's drawing took the ids: the three images done stay."""
    p = load_project(install_demo(tmp_path / "demo"))
    p.app[LAST_ANNOTATION_ID] = ID_MAX - 3
    save_project(p)
    win = open_window(qtbot, p.path)
    doc = win.document
    panel = choose(qtbot, win, "gated")
    with qtbot.captureExceptions() as exceptions:
        press(qtbot, panel, panel.act_prelabel_all)
        GatedBackend.gate.release(20)
        wait_batch(qtbot, panel)
    assert not exceptions, exceptions
    summary = panel.batch.summary_label.text()
    assert summary.startswith("Stopped after 3 of 10 images: 3 predictions; the others not pre-labeled: ")
    assert f"{p.path}: object ids reach {ID_MAX}" in summary and "pixelproof renumber" in summary
    assert "IdsExhausted" not in summary and "failed" not in summary
    assert panel.batch.problems.count() == 0 and not errors
    assert sorted(a.id for a in predictions(doc)) == [ID_MAX - 2, ID_MAX - 1, ID_MAX]
    assert not panel.is_running()
    close_window(win)

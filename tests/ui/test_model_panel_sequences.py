"""Model panel and assist tool under awkward sequences, on the real window with real clicks and keys: a
setting changed while a batch runs, a prompt made while the image is still loading, a 16-bit picture
prompted as the screen shows it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.inference import registry as inference
from pixelproof.inference.base import Backend, Prediction
from pixelproof.inference.registry import BackendInfo
from pixelproof.ui import workers
from tests.ui.conftest import wait_loaded
from tests.ui.test_model_panel import (
    DISC,
    assist_drag,
    choose,
    close_window,
    demo,
    fake_backends,
    go_to,
    key,
    open_window,
    predictions,
    press,
    wait_batch,
)
from tests.ui.test_model_panel_run import type_into

FIXTURES = (demo, fake_backends)  # shared with test_model_panel; pytest finds them by name


class ScoredSlow(Backend):
    """Two boxes (scores 0.3 and 0.9) per image after a pause, filtered by its minimum score."""

    name = "scoredslow"
    kind = "detect"
    options = {"score_threshold": "minimum score"}  # noqa: RUF012
    delay = 0.3

    def categories(self) -> list[str]:
        return ["thing"]

    def predict(self, image, prompt=None):
        time.sleep(self.delay)
        found = [Prediction("thing", 0.3, [10, 10, 40, 40]), Prediction("thing", 0.9, [100, 10, 40, 40])]
        return [p for p in found if p.score >= self.score_threshold]


@pytest.fixture
def more_backends(monkeypatch: pytest.MonkeyPatch, fake_backends) -> None:
    real = inference.discover

    def discover():
        return sorted([*real(), BackendInfo(ScoredSlow.name, "tests:ScoredSlow", None, ScoredSlow)],
                      key=lambda i: i.name)  # fmt: skip

    monkeypatch.setattr(inference, "discover", discover)


def test_min_score_changed_during_a_batch_is_the_one_used_after(qtbot, more_backends, demo) -> None:
    """The minimum score shown in the panel is the one the next run uses: while a batch runs the field
    cannot say one thing while the backend keeps another."""
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "scoredslow")
    spin = panel.backends.options.threshold_spin
    assert spin.isEnabled()
    press(qtbot, panel, panel.act_prelabel_all)
    qtbot.waitUntil(lambda: panel.batch.progress.value() >= 1, timeout=10000)
    type_into(spin, "0.5")  # typed while the batch runs
    wait_batch(qtbot, panel)
    backend = panel.session.backend
    assert spin.value() == pytest.approx(backend.score_threshold)  # shown = used
    go_to(qtbot, win, 3)
    for a in predictions(doc, 3):
        assert a.image_id == 3
    press(qtbot, panel, panel.review.act_reject_all)
    assert not predictions(doc, 3)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert all(a.score >= spin.value() for a in predictions(doc, 3))


# -- assist tool ---------------------------------------------------------------------------------------
def disc_picture(rng: np.random.Generator, h: int, w: int, dtype=np.uint8) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:h, 0:w]
    disc = (xx - DISC[0]) ** 2 + (yy - DISC[1]) ** 2 <= DISC[2] ** 2
    if dtype == np.uint16:  # 16-bit values whose top byte is the same everywhere (4): only a window shows it
        img = (1024 + rng.integers(0, 60, (h, w))).astype(np.uint16)
        img[disc] = 1150 + rng.integers(0, 100, int(disc.sum()))
    else:
        img = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
        img[disc] = np.array([200, 180, 60]) + rng.integers(0, 30, (int(disc.sum()), 3))
    return img, disc


def disc_project(folder: Path, n: int = 2, dtype=np.uint8) -> Path:
    h, w = 240, 320
    rng = np.random.default_rng(0)
    (folder / "images").mkdir()
    project = new_project(["blob"])
    for i in range(1, n + 1):
        img, _ = disc_picture(rng, h, w, dtype)
        cv2.imwrite(str(folder / "images" / f"disc{i}.png"), img)
        project.add_image(ImageRecord(i, f"images/disc{i}.png", w, h))
    save_project(project, folder / "project.json")
    return folder / "project.json"


def iou_with_disc(ann, h: int = 240, w: int = 320) -> float:
    _, disc = disc_picture(np.random.default_rng(0), h, w)
    m = ann.mask(h, w)
    return float((m & disc).sum() / (m | disc).sum())


@pytest.fixture
def two_discs(qtbot, tmp_path: Path, no_prompts, fake_backends):
    win = open_window(qtbot, disc_project(tmp_path))
    yield win
    close_window(win)


@pytest.fixture
def gated_loading(monkeypatch: pytest.MonkeyPatch):
    """Image loads wait until the returned event is set (set at the end of the test whatever happens)."""
    gate = threading.Event()
    gate.set()
    real = workers._LoadJob.run

    def run(self) -> None:
        gate.wait(30)
        real(self)

    monkeypatch.setattr(workers._LoadJob, "run", run)
    yield gate
    gate.set()


def test_a_prompt_made_while_the_image_loads_is_answered_once_it_is_shown(
    qtbot, two_discs, gated_loading
) -> None:
    """A box dragged on the next image before its pixels arrive gets its preview when they do, and Enter
    adds it there; the first image's prompt does not follow."""
    win, doc = two_discs, two_discs.document
    choose(qtbot, win, "grabcut")
    win.choose_tool("assist")
    tool = win.canvas.tool
    cx, cy, r = DISC
    box = (cx - r - 12, cy - r - 12, cx + r + 12, cy + r + 12)
    assist_drag(win, box)
    qtbot.waitUntil(tool.preview_ready, timeout=15000)
    qtbot.waitUntil(lambda: not win.canvas.loader.is_busy(), timeout=10000)  # the prefetch is in
    win.canvas.loader.forget()
    gated_loading.clear()
    doc.set_current_image(2)
    assert win.canvas.loaded is None  # still loading
    assert not tool.has_prompt()  # the first image's prompt is dropped
    assist_drag(win, box)
    assert tool.has_prompt() and not tool.preview_ready()
    gated_loading.set()
    wait_loaded(qtbot, win)
    qtbot.waitUntil(tool.preview_ready, timeout=15000)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_Return)
    anns = list(doc.project.annotations.values())
    assert [a.image_id for a in anns] == [2]
    assert iou_with_disc(anns[0]) >= 0.9


@pytest.fixture
def disc16(qtbot, tmp_path: Path, no_prompts, fake_backends):
    win = open_window(qtbot, disc_project(tmp_path, 1, np.uint16))
    yield win
    close_window(win)


def test_assist_on_a_16_bit_picture_sees_it_as_the_screen_shows_it(qtbot, disc16) -> None:
    """The interactive backend gets the view's window/level (the backend contract): a 16-bit picture whose
    top byte is flat is outlined as it looks on screen."""
    win, doc = disc16, disc16.document
    assert win.canvas.loaded.needs_window
    choose(qtbot, win, "grabcut")
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    tool = win.canvas.tool
    assert tool.name == "assist"
    cx, cy, r = DISC
    assist_drag(win, (cx - r - 12, cy - r - 12, cx + r + 12, cy + r + 12))
    qtbot.waitUntil(lambda: not tool.is_busy() and tool._shown == tool._request, timeout=15000)
    assert tool.preview_ready(), tool.error
    key(win, Qt.Key.Key_Return)
    (ann,) = doc.project.annotations.values()
    assert iou_with_disc(ann) >= 0.9


def test_the_mapping_shown_is_the_one_a_running_batch_uses(qtbot, demo) -> None:
    """The class mapping cannot be changed under a running batch (which keeps the table it started with):
    a class set to ignore from the keyboard while it runs would be shown as ignored while the rest of the
    batch still added it."""
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "slow")
    combo = panel.mapping.combo("thing")
    assert combo.currentText() == "coin"  # one class the project lacks: the current category
    press(qtbot, panel, panel.act_prelabel_all)
    qtbot.waitUntil(lambda: panel.batch.progress.value() >= 1, timeout=10000)
    combo = panel.mapping.combo("thing")
    assert panel.mapping.isEnabled() and not combo.isEnabled()  # readable and scrollable, not changeable
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_End)  # "ignore", the last choice
    added_then = len(predictions(doc))
    wait_batch(qtbot, panel)
    shown = panel.mapping.values()
    if shown["thing"] is None:  # shown as ignored: then nothing of it was added after the change
        assert len(predictions(doc)) == added_then
    else:
        assert shown == {"thing": "coin"}
        assert len({a.image_id for a in predictions(doc)}) == 10
    combo = panel.mapping.combo("thing")
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_End)  # after the batch it can be changed, and is used
    assert panel.mapping.values() == {"thing": None}
    before = len(predictions(doc))
    go_to(qtbot, win, 3)
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert len(predictions(doc)) == before and "1 left out" in panel.batch.summary_label.text()


def test_a_sam_decoder_chosen_as_the_model_says_so(qtbot, demo, shared_models: Path) -> None:
    """A SAM decoder given as the model file (the encoder expected) is named as a decoder, in the panel,
    with what to choose instead; a text file named .onnx is "not an ONNX model", not "choose the decoder"."""
    pytest.importorskip("onnxruntime")
    decoder = shared_models / "sam-tiny" / "tiny_sam_decoder.onnx"
    if not decoder.is_file():
        pytest.skip(f"{decoder} not found")
    win = demo
    panel = choose(qtbot, win, "sam-onnx")
    edit = panel.backends.options.model_edit

    def choose_file(path: Path) -> str:
        edit.setFocus()
        edit.selectAll()
        QTest.keyClicks(edit, str(path))
        QTest.keyClick(edit, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: panel.session.is_idle() and panel.backends.status_text.startswith(("✗", "Not ready")),
            timeout=30000,
        )
        return panel.backends.status_text

    text = choose_file(decoder)
    assert "SAM decoder" in text and "encoder" in text.split("SAM decoder", 1)[1], text
    assert not panel.act_prelabel.isEnabled()
    bad = Path(win.document.path).parent / "model.onnx"
    bad.write_text("not a model")
    text = choose_file(bad)
    assert "not an ONNX model" in text, text
    decoder_field = panel.backends.options.option_edits["decoder_path"]
    QTest.keyClicks(decoder_field, str(decoder))
    QTest.keyClick(decoder_field, Qt.Key.Key_Return)
    text = choose_file(decoder)  # the decoder as both
    assert "SAM decoder" in text and "not an encoder" in text, text

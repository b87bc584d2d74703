"""The assist tool's state where a 1366x768 screen leaves the right-hand panels ~300 px wide: the Model
panel's line under the backend and the Annotations panel's hint on an empty image wrapped to four lines
('sam-onnx is not ready (no model file chosen (encoder and decoder .onnx)); see the Model panel'), pushing
the options down. Each says it in at most two lines; the whole reason is in the Model panel's tooltip."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import make_project, open_main_window
from tests.ui.test_model_panel import choose


@pytest.fixture
def small_screen(qtbot, tmp_path: Path, no_prompts):  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot, make_project(tmp_path, n_images=1))  # an image without objects
    win.resize(1366, 768)
    win.docks["modelDock"].raise_()  # a tab beside Properties and History
    qtbot.waitUntil(lambda: win.width() == 1366, timeout=10000)
    yield win
    win.document.undo_stack.setClean()


def lines(label) -> int:  # type: ignore[no-untyped-def]
    """How many lines ``label`` takes at its width, as laid out."""
    return label.heightForWidth(label.contentsRect().width()) // label.fontMetrics().lineSpacing()


def assist_lines(win) -> int:  # type: ignore[no-untyped-def]
    """The lines the assist tool's part of the Annotations hint takes (after 'No annotations ... yet.')."""
    hint = win.panels["annotationsDock"].empty
    assert hint.isVisible() and "Assist" in hint.text(), hint.text()
    return lines(hint) - 1


def test_assist_not_ready_and_loading_fit_in_two_lines(qtbot, small_screen, tmp_path: Path) -> None:
    win = small_screen
    panel = choose(qtbot, win, "sam-onnx")  # no model file yet: not ready
    state = panel.backends.state_label
    whole = panel.backends.status_text
    assert whole.startswith("Not ready")
    win.canvas.setFocus()
    qtbot.keyClick(win.canvas, Qt.Key.Key_I)  # the assist tool
    assert win.canvas.tool.name == "assist"
    qtbot.waitUntil(lambda: "ready" in win.panels["annotationsDock"].empty.text(), timeout=10000)
    assert assist_lines(win) <= 2, win.panels["annotationsDock"].empty.text()
    assert 1 <= lines(state) <= 2, state.text()
    assert state.text() == whole or whole in state.toolTip()  # cut: the whole of it in the tooltip

    broken = tmp_path / "model.encoder.onnx"
    broken.write_bytes(b"not an onnx model")
    gate = threading.Event()
    panel.session.submit(lambda _report: gate.wait(10))  # the one worker is busy: the load waits
    try:
        panel.backends.set_model_path(broken)
        qtbot.waitUntil(lambda: "loading" in win.panels["annotationsDock"].empty.text(), timeout=10000)
        assert assist_lines(win) <= 2, win.panels["annotationsDock"].empty.text()
        assert lines(state) <= 2, state.text()
    finally:
        gate.set()
    qtbot.waitUntil(
        lambda: panel.session.is_idle() and panel.backends.status_text.startswith("✗"), timeout=10000
    )
    whole = panel.backends.status_text
    assert 1 <= lines(state) <= 2, state.text()
    assert state.text() == whole or whole in state.toolTip()

"""The Model panel's side of ``prelabel --keep-specks``: a picture whose objects are a flood of specks
fails with a message naming the Run box's *Keep specks* (not the CLI's flag), which, ticked, pre-labels
it. Real clicks and keys on the real window, the threshold backend cutting noise."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.cli.test_prelabel_cli import make_project
from tests.ui.test_model_panel import (
    LEFT,
    choose,
    close_window,
    open_window,
    predictions,
    press,
    wait_batch,
)
from tests.ui.test_model_panel_run import tick


def _noise() -> np.ndarray:
    """A 1024x512 black picture with ~14,000 isolated white pixels: at threshold 128, min_area=1, a flood."""
    rng = np.random.default_rng(0)
    noise = (rng.random((512, 1024)) < 0.03).astype(np.uint8) * 255
    return cv2.cvtColor(noise, cv2.COLOR_GRAY2RGB)


def _set_option(qtbot, panel, key: str, value: str) -> None:  # type: ignore[no-untyped-def]
    form = panel.backends.options
    edit = form.option_edits[key]
    if not edit.isVisible():
        QTest.mouseClick(form.section.toggle, LEFT)
        qtbot.waitUntil(edit.isVisible, timeout=10000)
    edit.clear()
    QTest.keyClicks(edit, value)
    QTest.keyClick(edit, Qt.Key.Key_Return)

    def taken() -> bool:
        now = getattr(panel.session.backend, key, None)
        return now is not None and float(now) == float(value)

    qtbot.waitUntil(taken, timeout=10000)
    qtbot.waitUntil(panel.session.is_idle, timeout=10000)


def test_a_flood_fails_naming_keep_specks_which_keeps_it(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, make_project(tmp_path / "p", {"noise.png": _noise()}))
    try:
        panel = choose(qtbot, win, "threshold")
        _set_option(qtbot, panel, "threshold", "128")
        _set_option(qtbot, panel, "min_area", "1")
        assert not panel.run_options.keep_specks.isChecked()
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        listed = [panel.batch.problems.item(i).text() for i in range(panel.batch.problems.count())]
        assert len(listed) == 1 and listed[0].startswith("noise.png: 13,835 objects, 98% of them"), listed
        assert listed[0].endswith("keep them with “Keep specks” in the Model panel's Run box"), listed
        assert "--keep-specks" not in listed[0] and not predictions(win.document)

        tick(qtbot, panel.run_options.keep_specks)  # the box it names
        assert panel.run_options.keep_specks.isChecked()
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        assert panel.batch.problems.count() == 0
        assert len(predictions(win.document)) == 13_835
    finally:
        close_window(win)


def _dots_and_a_blob() -> np.ndarray:
    """A 256x256 black picture: one 40x40 white square and 120 isolated white pixels (under min_area)."""
    rng = np.random.default_rng(1)
    pic = np.zeros((256, 256), np.uint8)
    pic[20:60, 20:60] = 255
    ys, xs = rng.integers(80, 250, 120), rng.integers(80, 250, 120)
    pic[ys - ys % 2, xs - xs % 2] = 255  # on even pixels: never two touching
    return cv2.cvtColor(pic, cv2.COLOR_GRAY2RGB)


def test_keep_specks_ticked_while_min_area_drops_speckles_says_what_keeps_them(
    qtbot, tmp_path: Path, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """A first-time user reads "N speckles under the model's min_area dropped", ticks the Run box's *Keep
    specks* and runs again: the same speckles are dropped (the box keeps floods, not these), and the
    summary now says so and names the option that keeps them, instead of the same line as before."""
    win = open_window(qtbot, make_project(tmp_path / "p", {"dots.png": _dots_and_a_blob()}))
    try:
        panel = choose(qtbot, win, "threshold")
        _set_option(qtbot, panel, "threshold", "128")
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        before = panel.batch.summary_label.text()
        assert "speckles under the model's min_area dropped" in before and "Keep specks" not in before

        tick(qtbot, panel.run_options.keep_specks)
        assert panel.run_options.keep_specks.isChecked()
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        after = panel.batch.summary_label.text()
        assert "speckles under the model's min_area dropped (“Keep specks” keeps a picture's flood" in after
        assert "set min_area in the Model panel's Options" in after and "--" not in after
    finally:
        close_window(win)

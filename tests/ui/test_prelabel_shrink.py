"""The Model panel's Pre-label All summary says, as ``pixelproof prelabel`` warns, when a line scan was
shrunk many times to the detector's 640-px input, naming the picture, its factor and the panel's Tiles
field to check rather than the CLI's ``--tile``; with Tiles checked at the model's size it says nothing of
the kind; a Pre-label All interrupted after the scan and continued names it too, as the CLI's resumed job
names a kept part's (the scan is not run again). Real clicks and keys on the real window, the shared YOLO11n
(skipped without it)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.edits.prelabel_run import run_record
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_shrink import _scan, _small
from tests.ui.test_model_panel import LEFT, close_window, open_window, press, wait_batch, yolo
from tests.ui.test_model_panel_run import tick, type_into
from tests.ui.test_prelabel_resume import answers

FIXTURES = (answers,)  # pytest finds it by name


def _cancelled_after_the_first(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    """Pre-label All, Cancel clicked as soon as the first picture (the scan) is in."""
    clicked: list[int] = []

    def cancel_after_the_scan(done: int) -> None:
        if done >= 1 and not clicked:
            clicked.append(done)
            qtbot.mouseClick(panel.batch.cancel_button, LEFT)

    panel.batch.progress.valueChanged.connect(cancel_after_the_scan)
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    panel.batch.progress.valueChanged.disconnect(cancel_after_the_scan)


def test_pre_label_all_says_the_scan_was_shrunk(
    qtbot, tmp_path: Path, shared_models: Path, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path / "p", {"small.png": _small(), "scan.png": _scan()})
    win = open_window(qtbot, project)
    try:
        panel = yolo(qtbot, win, shared_models)
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        summary = panel.batch.summary_label.text()
        assert "scan.png was shrunk 6.4x to fit the model's 640x640 input" in summary, summary
        assert "pre-label in tiles (Tiles 640 px)" in summary and "--tile" not in summary, summary

        run = panel.run_options  # the field it names, checked at the size it names
        tick(qtbot, run.tiles)
        type_into(run.tile_size, "640")
        assert run.tiles.isChecked() and run.tile_size.value() == 640
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        assert "shrunk" not in panel.batch.summary_label.text()
    finally:
        close_window(win)


def test_a_continued_run_names_the_scan_shrunk_before_the_interruption(
    qtbot, tmp_path: Path, shared_models: Path, answers
) -> None:  # type: ignore[no-untyped-def]
    pictures = {"scan.png": _scan(), "a.png": _small(), "b.png": _small(), "c.png": _small()}
    win = open_window(qtbot, make_project(tmp_path / "p", pictures))
    try:
        doc = win.document
        panel = yolo(qtbot, win, shared_models)
        _cancelled_after_the_first(qtbot, panel)
        assert panel.batch.summary_label.text().startswith("Cancelled after 1 of 4 images")
        assert "scan.png was shrunk 6.4x" in panel.batch.summary_label.text()
        record = run_record(doc.project)
        assert record is not None and record["done"] == [1] and record["shrunk"] == [[1, 6.4]]

        press(qtbot, panel, panel.act_prelabel_all)  # continued: the three others only
        wait_batch(qtbot, panel)
        assert [t for t, _ in answers] == ["Continue pre-labeling?"]
        summary = panel.batch.summary_label.text()
        assert summary.startswith("Pre-labeled 3 of 3 images"), summary
        assert "scan.png was shrunk 6.4x to fit the model's 640x640 input" in summary, summary
        assert "pre-label in tiles (Tiles 640 px)" in summary, summary
    finally:
        close_window(win)


def test_a_hand_edited_shrunk_record_is_read_as_documented_when_the_run_is_continued(
    qtbot, tmp_path: Path, shared_models: Path, answers
) -> None:  # type: ignore[no-untyped-def]
    """docs/format.md, ``prelabel_run``: a ``shrunk`` entry of no done image, no id, no factor a picture
    can have, or an image's second one, is left out; the run continues and its summary names the scan once
    (a duplicate made it "the most of 2 pictures")."""
    pictures = {"scan.png": _scan(), "a.png": _small(), "b.png": _small()}
    path = make_project(tmp_path / "p", pictures)
    win = open_window(qtbot, path)
    try:
        panel = yolo(qtbot, win, shared_models)
        _cancelled_after_the_first(qtbot, panel)
        QTest.keyClick(win.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    finally:
        close_window(win)
    doc = json.loads(path.read_text())
    rec = doc["pixelproof"]["prelabel_run"]
    assert rec["done"] == [1] and rec["shrunk"] == [[1, 6.4]]
    rec["shrunk"] = [[1, 6.4], [1, 6.4], ["1", 90.0], {"1": 9}, [3, 50.0], [99, 70.0], [1, -2], [True, 8], []]
    path.write_text(json.dumps(doc))
    win = open_window(qtbot, path)
    try:
        panel = yolo(qtbot, win, shared_models)
        press(qtbot, panel, panel.act_prelabel_all)  # continued: a.png and b.png
        wait_batch(qtbot, panel)
        assert [t for t, _ in answers] == ["Continue pre-labeling?"]
        summary = panel.batch.summary_label.text()
        assert summary.startswith("Pre-labeled 2 of 2 images"), summary
        assert "scan.png was shrunk 6.4x to fit the model's 640x640 input" in summary, summary
    finally:
        close_window(win)

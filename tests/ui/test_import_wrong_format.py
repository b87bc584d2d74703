"""File > Import of a dataset as the wrong format names the format it looks like: a YOLO folder imported as
the dialog's first format, COCO JSON, said only "holds no images as COCO JSON ... is a folder, not a file
to read"; a LabelMe folder read as YOLO opened its pictures without a label and said nothing of it."""

from __future__ import annotations

from pathlib import Path

from tests.interop.test_format_guess import _labelme, _yolo
from tests.ui.test_interop_dialogs import import_through_dialog, new_window


def test_the_nothing_imported_message_names_the_format_it_looks_like(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "coco", _yolo(tmp_path / "y"))
    title, text = errors[-1]
    assert title == "Nothing imported"
    assert (
        "holds no images as COCO JSON: it looks like a YOLO dataset (Ultralytics) (choose it under Format)."
        in text
    )
    assert win.document is None


def test_pictures_without_a_label_say_the_format_they_look_like(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "yolo", _labelme(tmp_path / "lm"))
    qtbot.waitUntil(lambda: win.document is not None and win.interop.report is not None, timeout=10000)
    report = win.interop.report
    assert report.isVisible()
    assert (
        "No annotations read as YOLO dataset (Ultralytics): it looks like a LabelMe folder"
        in report.headline.text()
    )

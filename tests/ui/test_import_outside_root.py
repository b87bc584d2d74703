"""The Import dialog's "Read files linked outside the dataset folder" check box is the command line's
``--allow-outside-root`` for one import: a YOLO dataset whose labels/ is a link to another disk is read with
its labels when it is ticked; unticked (as at every opening) the labels are skipped and the report names the
check box, not a flag the app has not got. The setting never outlives the import."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from pixelproof.core import limits
from tests.ui.conftest import settle
from tests.ui.test_import_pick import _open_import
from tests.ui.test_interop_dialogs import new_window

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks")


def _linked_labels(tmp_path: Path) -> Path:
    """A YOLO dataset with one image whose labels/ folder is a link to a folder outside it."""
    src = tmp_path / "dataset"
    (src / "images" / "train").mkdir(parents=True)
    Image.fromarray(np.zeros((20, 30), np.uint8)).save(src / "images" / "train" / "a.png")
    (src / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [cat, dog]\n")
    elsewhere = tmp_path / "other_disk" / "labels"
    (elsewhere / "train").mkdir(parents=True)
    (elsewhere / "train" / "a.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (src / "labels").symlink_to(elsewhere, target_is_directory=True)
    return src


def _click(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))


def _run(qtbot, win, src: Path, tick: bool):  # type: ignore[no-untyped-def]
    dlg = _open_import(qtbot, win, "yolo")
    box = dlg.allow_outside
    assert box.isVisible() and not box.isChecked()  # off at every opening
    qtbot.keyClicks(dlg.path_edit, str(src))
    if tick:
        _click(qtbot, box)
        assert box.isChecked()
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.document is not None, timeout=10000)
    settle()
    assert not limits.outside_root_allowed()  # for that one read only
    return win.document.project


def test_unticked_the_linked_labels_are_skipped_and_the_report_names_the_check_box(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:  # type: ignore[no-untyped-def]
    src = _linked_labels(tmp_path)
    win = new_window(qtbot)
    project = _run(qtbot, win, src, tick=False)
    assert len(project.images) == 1 and len(project.annotations) == 0
    report = win.interop.report
    assert report is not None and report.isVisible()
    line = next(line for line in report.lines if "a link to a file outside the dataset folder" in line)
    assert "(the Import dialog's Read files linked outside the dataset folder reads it)" in line
    assert "--allow-outside-root" not in "\n".join(report.lines)


def test_ticked_the_linked_labels_are_read(qtbot, tmp_path: Path, no_prompts, errors) -> None:  # type: ignore[no-untyped-def]
    src = _linked_labels(tmp_path)
    win = new_window(qtbot)
    project = _run(qtbot, win, src, tick=True)
    assert errors == []
    assert [project.category(a.category_id).name for a in project.annotations.values()] == ["dog"]


def test_the_dialog_fits_a_1366x768_screen(qtbot, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = new_window(qtbot)
    for fmt in ("yolo", "coco", "labelme"):
        dlg = _open_import(qtbot, win, fmt)
        settle()
        assert dlg.height() <= 700 and dlg.width() <= 1366
        box = dlg.allow_outside
        assert box.sizeHint().width() <= box.width()  # its text is not cut
        form = dlg.stack.currentWidget()  # the options above it are not squeezed to make room
        assert form.height() >= form.minimumSizeHint().height() > 0
        dlg.reject()
        settle()

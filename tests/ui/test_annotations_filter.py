"""The Annotations panel's filter: a slide's thousands of nuclei are found by id (as lint and QA name them,
`#25`) or by class and kind, and Enter goes to the first one listed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window, row_ids, settle


def _project(tmp_path: Path) -> Path:
    path = make_project(tmp_path, n_images=1)
    p = load_project(path)
    for k, aid in enumerate([*range(1, 31), 250]):  # 250 starts with 25 too
        x, y = 10 * (k % 20), 100 + 10 * (k // 20)
        p.add_annotation(Annotation(aid, 1, 1 + k % 2, [float(x), float(y), 6.0, 6.0], area=36.0))
    save_project(p, path)
    return path


def shown(panel) -> list[int]:  # type: ignore[no-untyped-def]
    return row_ids(panel.list)  # the rows the filter keeps


def test_filter_by_id_class_and_enter_goes_to_the_object(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    win = open_main_window(qtbot, _project(tmp_path))
    panel = win.panels["annotationsDock"]
    qtbot.waitUntil(lambda: panel.list.model().rowCount() == 31, timeout=10000)
    assert panel.filter.isVisible()
    qtbot.keyClicks(panel.filter, "#25")
    assert shown(panel) == [25]
    scale = win.canvas.transform().m11()
    qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    settle()
    assert list(win.document.selection) == [25]
    assert win.canvas.transform().m11() > scale  # zoomed to the 6-px box
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "DOG box")
    assert shown(panel) == list(range(2, 31, 2))  # 250 is a cat
    panel.filter.clear()
    assert len(shown(panel)) == 31
    win.document.undo_stack.setClean()

"""The review view's Model dialog (the Confusion… button) has a Keypoints tab when both sides have
keypoints: the run's mean OKS and COCO keypoint AP (``run_qa``'s ``keypoints`` section), reached with
Alt+K; a run without keypoints has no such tab."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import run_qa
from pixelproof.core.report_ap import KEYPOINT_SUMMARY, keypoint_heading
from pixelproof.interop.references import load_reference
from tests.ui.test_review import enter_review, open_window
from tests.ui.test_review_model_scores import _dialog


def _posed(path: Path, shift: float, scored: bool) -> None:
    """Every object of ``path`` given three COCO keypoints (its box's top corners and centre, ``shift``
    px off) and, when ``scored``, a score."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for n, a in enumerate(data["annotations"]):
        x, y, w, h = a["bbox"]
        a["keypoints"] = [x + shift, y, 2, x + w, y + shift * (n % 3), 2, x + w / 2, y + h / 2, 1]
        a["num_keypoints"] = 3
        if scored:
            a["score"] = round(0.3 + 0.07 * (n % 10), 2)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_keypoints_tab_shows_the_runs_keypoint_figures(qtbot, tmp_path, no_prompts) -> None:
    path = install_demo(tmp_path / "demo")
    _posed(path.parent / "reference.json", 0.0, scored=False)
    _posed(path, 4.0, scored=True)
    cand = load_project(path)
    section = run_qa(load_reference(path.parent / "reference.json", cand), cand).keypoints
    assert section is not None and section["computed"], section
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        box = win.review.view.images.model_scores
        assert box.isVisible()
        kp_ap = f"keypoints {section['summary']['AP']:.3f}"  # the pose figure beside boxes and masks
        assert box.label.text().startswith("mAP ") and box.label.text().endswith(f" · {kp_ap}"), (
            box.label.text()
        )
        qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
        dialog = _dialog(qtbot)
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert titles[-1] == "&Keypoints", titles
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=10000)
        QTest.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: dialog.tabs.currentIndex() == len(titles) - 1)
        table = dialog.keypoint_table
        assert table is not None and table.isVisible()
        heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
        assert heads == ["category", "reference", "pairs", "mean OKS", *KEYPOINT_SUMMARY]
        rows = [{**section["summary"], "category": "(all)", "n_reference": ""}, *section["per_class"]]
        assert table.rowCount() == len(rows)
        for r, row in enumerate(rows):
            shown = [table.item(r, c).text() for c in range(table.columnCount())]
            want = [row["category"], str(row["n_reference"]), str(row["pairs"])]
            want += [f"{row[n]:.3f}" if row[n] is not None else "-" for n in ("mean_oks", *KEYPOINT_SUMMARY)]
            assert shown == want, (shown, want)
        assert table.item(0, 0).font().bold() and not table.item(1, 0).font().bold()
        assert dialog.keypoint_note.text() == "\n".join(keypoint_heading(section))
        assert "mean OKS" in dialog.keypoint_note.text()
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    finally:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()


def test_no_keypoints_tab_without_keypoints(qtbot, tmp_path, no_prompts) -> None:
    path = install_demo(tmp_path / "demo")
    _posed(path, 0.0, scored=True)  # the candidate's keypoints alone: no keypoints section
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        box = win.review.view.images.model_scores
        qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
        dialog = _dialog(qtbot)
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert "&Keypoints" not in titles and dialog.keypoint_table is None
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    finally:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()

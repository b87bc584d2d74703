"""The review view's model figures (mAP beside "Per class", the Confusion… dialog) on the demo project,
its objects given seeded scores as a model's predictions, driven by real mouse and key events; the
figures shown are the core's (``run_qa``'s ``ap`` and ``confusion``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import run_qa
from pixelproof.interop.references import load_reference
from pixelproof.ui.review.model_scores import ModelDialog
from tests.ui.test_review import enter_review, open_window


def scored_demo(folder: Path, scores: bool) -> tuple[Path, object]:
    """The demo project, its objects scored when ``scores``, and the core's QA result on it."""
    path = install_demo(folder)
    project = load_project(path)
    rng = np.random.default_rng(5)
    for a in project.annotations.values():
        a.score = round(float(rng.uniform(0.1, 1.0)), 3) if scores else None
    save_project(project, path)
    cand = load_project(path)
    return path, run_qa(load_reference(path.parent / "reference.json", cand), cand)


def _dialog(qtbot) -> ModelDialog:
    found: list[ModelDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, ModelDialog) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=5000)
    return found[0]


@pytest.mark.parametrize("scores", [True, False])
def test_map_and_confusion_dialog_show_the_core_figures(qtbot, tmp_path, no_prompts, scores):
    path, result = scored_demo(tmp_path / "demo", scores)
    win = open_window(qtbot, path)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        box = view.images.model_scores
        assert box.isVisible()
        ap = result.ap
        assert ap["computed"] == scores, ap
        if scores:
            kinds = [t for t in ("bbox", "segm") if ap.get(t)]
            names = {"bbox": "boxes", "segm": "masks"}
            want = "mAP " + " · ".join(f"{names[t]} {ap[t]['summary']['AP']:.3f}" for t in kinds)
            assert box.label.text() == want
        else:
            assert box.label.text() == "mAP: no scores" and "no scores" in box.label.toolTip()
        qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
        dialog = _dialog(qtbot)
        labels, matrix = result.confusion["labels"], result.confusion["matrix"]
        table = dialog.matrix
        assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == labels
        assert [
            [int(table.item(r, c).text()) for c in range(len(labels))] for r in range(len(labels))
        ] == matrix
        if scores:
            t = next(iter(dialog.ap_tables))
            ap_table = dialog.ap_tables[t]
            last = ap_table.rowCount() - 1
            assert ap_table.item(last, 0).text() == "(all: mAP)"
            assert ap_table.item(last, 2).text() == f"{ap[t]['summary']['AP']:.3f}"
        else:
            assert not dialog.ap_tables
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    finally:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()


def test_a_long_class_name_is_cut_in_the_dialog_and_whole_in_its_tooltip(qtbot, tmp_path) -> None:
    """A 10,000-character class (another tool's file may name one so) made the AP table's first column
    and the matrix's headers as wide: shown on one short line, the whole name in the row's tooltip."""
    from pixelproof.core.report import to_dict

    huge = "W" * 10_000
    path = install_demo(tmp_path / "demo")
    for f in (path, path.parent / "reference.json"):
        project = load_project(f)
        for c in project.categories.values():
            if c.name == "coin":
                c.name = huge
        for a in project.annotations.values():
            a.score = 0.9
        save_project(project, f)
    cand = load_project(path)
    data = to_dict(run_qa(load_reference(path.parent / "reference.json", cand), cand))
    dialog = ModelDialog(data["ap"], data["confusion"])
    qtbot.addWidget(dialog)
    names = [dialog.matrix.horizontalHeaderItem(i).text() for i in range(dialog.matrix.columnCount())]
    assert huge not in names and any(n.startswith("WWW") and n.endswith("…") for n in names), names
    table = next(iter(dialog.ap_tables.values()))
    rows = [table.item(r, 0) for r in range(table.rowCount())]
    cut = next(item for item in rows if item.text().startswith("WWW"))
    assert len(cut.text()) < 300 and huge in cut.toolTip()

"""A new labeler's first project, end to end, with real events to the widget that has the focus (as a
keyboard does): a folder of the user's own JPEGs becomes a project with three categories, each image is
labeled by the keys the README gives (boxes, a polygon, a brush mask) and marked done, the project is saved,
closed, reopened from File > Open Recent, exported to COCO and YOLO through File > Export, and reviewed
against a changed copy of itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QPushButton

from pixelproof.ui.review.tables import OBJECT_COLUMNS
from tests.ui.conftest import tip_text, wait_loaded
from tests.ui.test_files_and_panels import new_window
from tests.ui.test_new_project_flow import when_modal

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def photo_folder(root: Path) -> Path:
    """Six JPEGs of different sizes made from scikit-image's pictures (RGB, as a camera writes them)."""
    data = pytest.importorskip("skimage.data")
    folder = root / "photos"
    folder.mkdir(parents=True)
    pictures = {
        "astronaut": (data.astronaut(), (256, 256)),
        "chelsea": (data.chelsea(), (226, 150)),
        "chelsea_big": (data.chelsea(), (450, 300)),
        "coffee": (data.coffee(), (300, 200)),
        "rocket": (data.rocket(), (320, 214)),
        "motorcycle": (data.stereo_motorcycle()[0], (370, 250)),
    }
    for name, (pixels, size) in pictures.items():
        Image.fromarray(pixels).resize(size).save(folder / f"{name}.jpg", quality=90)
    return folder


def press(win, k, modifier=NOMOD) -> None:  # type: ignore[no-untyped-def]
    """A key to whatever has the keyboard focus, or to the window when nothing in it has."""
    QTest.keyClick(QApplication.focusWidget() or win, k, modifier)


def at(win, x: float, y: float) -> QPoint:  # type: ignore[no-untyped-def]
    return win.canvas.mapFromScene(QPointF(x, y))


def drag(win, a: tuple[float, float], b: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
    vp = win.canvas.viewport()
    start, end = at(win, *a), at(win, *b)
    QTest.mousePress(vp, LEFT, NOMOD, start)
    for i in range(1, 5):
        QTest.mouseMove(vp, start + (end - start) * (i / 4))
    QTest.mouseRelease(vp, LEFT, NOMOD, end)


def shown(win) -> str:  # type: ignore[no-untyped-def]
    doc = win.document
    return Path(doc.project.images[doc.current_image_id].file_name).name


def open_photos(qtbot, win, folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """File > New Project from Folder..., the folder chosen, the categories typed into the question."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        names = dialog.findChild(QLineEdit, "categoryNames")
        names.selectAll()
        QTest.keyClicks(names, "person, cat, cup")
        QTest.keyClick(names, Qt.Key.Key_Return)

    when_modal(answer)
    win.files.act_open_folder.trigger()
    wait_loaded(qtbot, win)
    with qtbot.waitActive(win):  # offscreen Qt does not give the activation back after a dialog
        win.activateWindow()


def label_everything(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    doc = win.document
    assert shown(win) == "astronaut.jpg"
    press(win, Qt.Key.Key_B)
    assert win.canvas.tool.name == "box"
    drag(win, (60, 10), (200, 250))
    press(win, Qt.Key.Key_G)  # done, next
    wait_loaded(qtbot, win)
    assert shown(win) == "chelsea.jpg"
    press(win, Qt.Key.Key_2)
    press(win, Qt.Key.Key_B)
    drag(win, (40, 5), (180, 140))
    press(win, Qt.Key.Key_G)
    wait_loaded(qtbot, win)
    assert shown(win) == "chelsea_big.jpg"
    press(win, Qt.Key.Key_2)
    press(win, Qt.Key.Key_P)
    assert win.canvas.tool.name == "polygon"
    for x, y in ((100, 60), (300, 40), (360, 200), (250, 290), (90, 250)):
        QTest.mouseClick(win.canvas.viewport(), LEFT, NOMOD, at(win, x, y))
    press(win, Qt.Key.Key_Return)
    press(win, Qt.Key.Key_G)
    wait_loaded(qtbot, win)
    assert shown(win) == "coffee.jpg"
    press(win, Qt.Key.Key_3)
    press(win, Qt.Key.Key_R)
    assert win.canvas.tool.name == "brush"
    drag(win, (110, 80), (180, 90))
    press(win, Qt.Key.Key_B)
    drag(win, (90, 20), (210, 150))
    for _ in range(3):  # coffee, then the two images with nothing to label
        press(win, Qt.Key.Key_G)
        wait_loaded(qtbot, win)
    kinds = sorted(
        (doc.project.categories[a.category_id].name, a.kind) for a in doc.project.annotations.values()
    )
    assert kinds == [("cat", "box"), ("cat", "polygon"), ("cup", "box"), ("cup", "mask"), ("person", "box")]
    assert {doc.project.image_status(i) for i in doc.project.images} == {"done"}


def test_a_first_project_from_a_folder_of_photos(qtbot, tmp_path: Path, monkeypatch, no_prompts) -> None:
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO

    folder = photo_folder(tmp_path)
    win = new_window(qtbot)
    open_photos(qtbot, win, folder, monkeypatch)
    doc = win.document
    assert [c.name for c in doc.project.categories.values()] == ["person", "cat", "cup"]
    label_everything(qtbot, win)

    saved = folder / "project.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), "")))
    press(win, Qt.Key.Key_S, CTRL)
    assert saved.is_file() and not win.isWindowModified()
    press(win, Qt.Key.Key_W, CTRL)
    assert win.document is None

    menu = win.files.recent_menu
    menu.aboutToShow.emit()
    entry = next(a for a in menu.actions() if tip_text(a.toolTip()) == str(saved.resolve()))
    entry.trigger()
    wait_loaded(qtbot, win)
    doc = win.document
    assert len(doc.project.annotations) == 5

    win.interop.act_export.trigger()  # File > Export, COCO as suggested
    dlg = win.interop.dialog
    coco_out = Path(dlg.path_edit.text())
    QTest.mouseClick(dlg.ok_button, LEFT)
    qtbot.waitUntil(lambda: coco_out.is_file(), timeout=10000)
    coco = COCO(str(coco_out))  # an independent reader
    assert len(coco.getImgIds()) == 6 and len(coco.getAnnIds()) == 5
    mask_ann = next(a for a in coco.dataset["annotations"] if isinstance(a.get("segmentation"), dict))
    assert int(coco.annToMask(mask_ann).sum()) == int(mask_utils.area(mask_ann["segmentation"]))

    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("yolo")
    yolo_out = Path(dlg.path_edit.text())
    QTest.mouseClick(dlg.ok_button, LEFT)
    qtbot.waitUntil(lambda: (yolo_out / "data.yaml").is_file(), timeout=10000)
    labels = {p.stem: p.read_text().splitlines() for p in (yolo_out / "labels" / "train").glob("*.txt")}
    assert sorted(labels) == sorted(p.stem for p in folder.glob("*.jpg"))
    assert [len(labels[n]) for n in ("astronaut", "chelsea", "chelsea_big", "coffee", "rocket")] == [
        1,
        1,
        1,
        2,
        0,
    ]

    reference = json.loads(saved.read_text())  # a copy with a box moved and the polygon left out
    person = next(a for a in reference["annotations"] if a["category_id"] == 1)
    person["bbox"][0] += 20
    reference["annotations"] = [a for a in reference["annotations"] if "segmentation" not in a or a is person]
    ref_path = folder / "reference.json"
    ref_path.write_text(json.dumps(reference))

    report = win.interop.report  # the YOLO export's warnings (no validation split, boxes as polygons)
    assert report is not None and report.isVisible()
    close = next(b for b in report.findChildren(QPushButton) if b.text().replace("&", "") == "Close")
    QTest.mouseClick(close, LEFT)
    with qtbot.waitActive(win):
        win.activateWindow()
    press(win, Qt.Key.Key_Tab, CTRL)
    view = win.review.view
    qtbot.waitUntil(lambda: view.no_reference.isVisible(), timeout=10000)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(ref_path), "")))
    QTest.mouseClick(view.no_reference.project_button, LEFT)
    qtbot.waitUntil(lambda: view.scored is not None and view.job is None, timeout=20000)
    assert view.ref_pane.isVisible() and view.diff_pane.isVisible()
    rows = {r["file_name"]: r for r in view.scored.image_table}
    saved_person = next(a for a in json.loads(saved.read_text())["annotations"] if a["category_id"] == 1)
    w, h = saved_person["bbox"][2:]
    overlap = (w - 20) * h  # the reference's box is the same one moved 20 px right
    assert rows["astronaut.jpg"]["iou"] == pytest.approx(overlap / (2 * w * h - overlap))
    assert rows["chelsea_big.jpg"]["fp"] == 1 and rows["chelsea.jpg"]["dice"] == 1.0
    # the astronaut's one box pair: its row in Objects gives the HD95 its image's row gives (it said n/a)
    images, proxy = view.images.image_table, view.images.image_proxy
    col = view.images.image_model.column_of("hd95")
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "astronaut.jpg")
    QTest.mouseClick(images.viewport(), LEFT, NOMOD, images.visualRect(proxy.index(row, 0)).center())
    qtbot.waitUntil(lambda: [r.status for r in view.object_model.rows] == ["match"], timeout=10000)
    image_hd95 = proxy.index(row, col).data()
    model = view.object_model
    object_hd95 = model.index(0, OBJECT_COLUMNS.index("HD95")).data()
    astronaut = rows["astronaut.jpg"]  # no pixel spacing: distances in px, the unit shown in the cell
    assert astronaut["unit"] == "px"
    assert image_hd95 == object_hd95 == f"{astronaut['hd95']:.2f} px"
    doc.undo_stack.setClean()

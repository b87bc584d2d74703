"""The review view's distances: each with its unit (mm for an image with a pixel_spacing, px otherwise),
never a mean of both, and an ∞ (one mask empty) never shown as if the image diagonal had been measured."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from pixelproof.core.demo import install_demo
from tests.ui.test_review import enter_review, open_window

H = Qt.Orientation.Horizontal
UM = 0.00025  # mm a pixel: 0.25 µm, a slide scanned at 40x


def edit(path: Path, spaced: str | None = None, emptied: str | None = None, spacing: float = 0.5) -> None:
    """Give image ``spaced`` a pixel spacing (0.5 mm); drop the objects of image ``emptied``."""
    data = json.loads(path.read_text())
    ids = {Path(im["file_name"]).name: im["id"] for im in data["images"]}
    for im in data["images"]:
        if Path(im["file_name"]).name == spaced:
            im["pixel_spacing"] = [spacing, spacing]
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] != ids.get(emptied)]
    path.write_text(json.dumps(data))


def hover_tip(qtbot, table, index) -> str:
    table.scrollTo(index)
    QTest.mouseMove(table.viewport(), table.visualRect(index).center())
    qtbot.waitUntil(QToolTip.isVisible, timeout=10000)
    return QToolTip.text()


def measured(objects) -> list[str]:
    """The Objects table's HD95 texts that are figures (not ∞ for a missed or extra object, not n/a)."""
    texts = [objects.index(r, 6).data() for r in range(objects.rowCount())]
    return [t for t in texts if t not in ("∞", "n/a")]


def row_of(view, name: str) -> int:
    proxy = view.images.image_proxy
    return next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data().endswith(name))


def microns(text: str) -> float:
    m = re.fullmatch(r"([0-9.,]+) µm\*?", text)
    assert m, text
    return float(m[1].replace(",", ""))


def test_mixed_units_and_an_empty_candidate_read_as_such(qtbot, tmp_path, no_prompts) -> None:
    """chelsea.jpg has a slide's pixel spacing (0.25 µm), the other images none; coffee.jpg's candidate
    has no object, so its HD95 is ∞ and the image diagonal (721.11 px) stands in for it in the means: the
    table showed "721.11" as if measured, and the HD95 of chelsea (mm) and the others (px) under one
    unitless header, with a per-class mean of both. A slide's distances under 1 mm read in µm, as the
    Measure tool's do: they read "0.03 mm" and a class "0.00 mm"."""
    project = install_demo(tmp_path / "demo")
    edit(project, spaced="chelsea.jpg", emptied="coffee.jpg", spacing=UM)
    edit(project.parent / "reference.json", spaced="chelsea.jpg", spacing=UM)
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        model, proxy, table = view.images.image_model, view.images.image_proxy, view.images.image_table
        col = model.column_of("hd95")
        r = row_of(view, "chelsea.jpg")
        chelsea, row = proxy.index(r, col), model.rows[proxy.mapToSource(proxy.index(r, 0)).row()]
        assert row["unit"] == "mm" and row["hd95"] < 1
        assert abs(microns(chelsea.data()) - row["hd95"] * 1000) <= 0.05
        assert proxy.index(row_of(view, "coins.png"), col).data().endswith(" px")
        coffee = proxy.index(row_of(view, "coffee.jpg"), col)
        assert coffee.data() == "∞ (721 px)"  # not "721.11": nothing was measured
        tip = hover_tip(qtbot, table, coffee)
        assert "721.11 px" in tip and "not measured" in tip
        # per class: one mean per unit, each labelled
        classes = view.images.class_model
        hd95 = next(c for c in range(classes.columnCount()) if classes.headerData(c, H) == "HD95")
        overall = classes.index(classes.rowCount() - 1, hd95).data()
        assert " µm | " in overall and overall.endswith(" px*")  # coffee's ∞ is in the px mean
        cup = next(r for r in range(classes.rowCount()) if classes.index(r, 0).data() == "cup")
        assert classes.index(cup, hd95).data() == "∞ (721 px)"  # the class is only on coffee.jpg
        assert "pixel_spacing" in view.header.banner.text() and "coins.png" in view.header.banner.text()
        # the objects of chelsea.jpg: their HD95 is in µm
        view.select_image(
            next(i for i, p in view.scored.pairs.items() if p.file_name.endswith("chelsea.jpg"))
        )
        objects = view.object_table.model()
        qtbot.waitUntil(lambda: objects.rowCount() > 0, timeout=10000)
        assert measured(objects) and all(t.endswith(" µm") for t in measured(objects))
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_one_unit_is_on_every_distance(qtbot, tmp_path, no_prompts) -> None:
    win = open_window(qtbot, install_demo(tmp_path / "demo"))
    try:
        enter_review(qtbot, win)
        view = win.review.view
        model, proxy = view.images.image_model, view.images.image_proxy
        col = model.column_of("hd95")
        shown = [proxy.index(r, col).data() for r in range(proxy.rowCount())]
        assert all(t.endswith(" px") for t in shown if t != "n/a") and "n/a" in shown
        classes = view.images.class_model
        assert all(classes.index(r, 2).data().endswith(" px") for r in range(classes.rowCount()))
        objects = view.object_table.model()
        qtbot.waitUntil(lambda: objects.rowCount() > 0, timeout=10000)
        assert measured(objects) and all(t.endswith(" px") for t in measured(objects))
    finally:
        win.document.undo_stack.setClean()
        win.close()


def add_images(path: Path, names: list[str]) -> None:
    """Image records with no reference counterpart (their files need not exist to be paired or not)."""
    data = json.loads(path.read_text())
    next_id = max(im["id"] for im in data["images"]) + 1
    for n, name in enumerate(names):
        data["images"].append({"id": next_id + n, "file_name": name, "width": 64, "height": 48})
    path.write_text(json.dumps(data))


def test_the_banner_names_the_images_that_could_not_be_paired(qtbot, tmp_path, no_prompts) -> None:
    """A candidate image missing from the reference is in no table; the banner said only "1 candidate image
    is not in the reference". It names the first few now, and its tooltip every one, as written (a name
    that looks like markup is shown as text)."""
    project = install_demo(tmp_path / "demo")
    extra = ["images/<b>bold</b>.png", *(f"images/new{k}.png" for k in range(5))]
    add_images(project, extra)
    add_images(project.parent / "reference.json", ["images/only-in-ref.png"])
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        banner = win.review.view.header.banner
        lines = banner.text().splitlines()
        cand = next(line for line in lines if "not in the reference" in line)
        assert cand.startswith(
            "6 candidate images are not in the reference (not scored): images/<b>bold</b>.png, "
        )
        assert cand.endswith("and 3 more")
        assert "only-in-ref.png" in next(line for line in lines if "no candidate image" in line)
        QTest.mouseMove(banner, banner.rect().center())
        qtbot.waitUntil(lambda: QToolTip.isVisible() and "new4.png" in QToolTip.text(), timeout=10000)
        tip = QToolTip.text()
        assert all(name.replace("<", "&lt;").replace(">", "&gt;") in tip for name in extra[:1])
        assert all(name in tip for name in [*extra[1:], "images/only-in-ref.png"])
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_ct_distance_under_1_mm_reads_in_mm_a_slide_one_in_um(qtbot, tmp_path, no_prompts) -> None:
    """A distance under 1 mm read in µm whatever the pixel: a CT's HD95 of 0.72 mm read "720 µm", the unit
    of a slide's cells. The image's pixel size decides: from 0.1 mm (radiology) mm with 2 decimals, finer (a
    slide) µm; the value does not."""
    project = install_demo(tmp_path / "demo")
    edit(project, spaced="chelsea.jpg", spacing=0.1)  # a fine CT or X-ray: 0.1 mm a pixel
    edit(project.parent / "reference.json", spaced="chelsea.jpg", spacing=0.1)
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        model, proxy = view.images.image_model, view.images.image_proxy
        r = row_of(view, "chelsea.jpg")
        row = model.rows[proxy.mapToSource(proxy.index(r, 0)).row()]
        assert row["unit"] == "mm" and row["hd95"] < 1  # a distance under 1 mm
        assert proxy.index(r, model.column_of("hd95")).data() == f"{row['hd95']:.2f} mm"
        classes = view.images.class_model
        hd95 = next(c for c in range(classes.columnCount()) if classes.headerData(c, H) == "HD95")
        texts = [classes.index(c, hd95).data() for c in range(classes.rowCount())]
        mm_means = [t.split(" | ")[0] for t in texts if " mm" in t]  # chelsea's class, and all classes
        assert len(mm_means) == 2 and all(re.fullmatch(r"0\.\d\d mm", t) for t in mm_means), texts
        view.select_image(
            next(i for i, p in view.scored.pairs.items() if p.file_name.endswith("chelsea.jpg"))
        )
        objects = view.object_table.model()
        qtbot.waitUntil(lambda: objects.rowCount() > 0, timeout=10000)
        assert measured(objects) and all(re.fullmatch(r"\d+\.\d\d mm", t) for t in measured(objects))
    finally:
        win.document.undo_stack.setClean()
        win.close()

"""The review view on two readers' segmentations of a volume: the 3D figures per volume (what a radiologist
reads), equal to ``pixelproof qa``'s ``per_volume`` rows and to an independent computation, set apart from
the per-slice rows and their means; a click on a volume row goes to its first slice with a difference."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip
from scipy import ndimage

from pixelproof import cli
from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, Category, ImageRecord
from pixelproof.ui.review.tables import SORT_ROLE
from pixelproof.ui.review.volumes import KEY_ROLE
from tests.ui.conftest import settle
from tests.ui.test_review import enter_review, open_window

H = Qt.Orientation.Horizontal
SPACING = (2.5, 0.7, 0.8)  # mm: slice, row, column (the NIfTI affine's z, y, x)
SLICES, ROWS, COLS = 6, 24, 20


def readers() -> dict[str, dict[str, np.ndarray]]:
    """Two readers' liver and lesion over the volume (slice, row, col): identical on slices 0-1, the
    second reader's liver one row lower from slice 2 on and missing on slice 4 (an empty slice: its 2D
    HD95 is ∞), the lesion one column off on slice 3."""
    a = {k: np.zeros((SLICES, ROWS, COLS), bool) for k in ("liver", "lesion")}
    b = {k: np.zeros((SLICES, ROWS, COLS), bool) for k in ("liver", "lesion")}
    a["liver"][1:5, 4:16, 3:15] = True
    b["liver"][1:2, 4:16, 3:15] = True
    b["liver"][2:4, 5:17, 3:15] = True
    a["lesion"][3, 8:12, 6:10] = True
    b["lesion"][3, 8:12, 7:11] = True
    return {"reader_a": a, "reader_b": b}


def write_readers(tmp_path: Path, *volumes: str) -> tuple[Path, Path, dict[str, dict[str, np.ndarray]]]:
    """Two readers' projects on ``volumes`` (liver.nii.gz by default), each drawn as ``readers`` gives,
    the second reader's liver on the n-th volume n columns further right (no two volumes score alike)."""
    volumes = volumes or ("liver.nii.gz",)
    data = tmp_path / "data"
    data.mkdir()
    vol = np.zeros((COLS, ROWS, SLICES), np.int16)  # NIfTI order: x, y, z
    affine = np.diag([SPACING[2], SPACING[1], SPACING[0], 1.0])
    for volume in volumes:
        nib.save(nib.Nifti1Image(vol, affine), data / volume)
    drawn = readers()
    paths = []
    for who, classes in drawn.items():
        project = project_from_folder(data, tmp_path / f"{who}.json", ["liver", "lesion"])
        cats = {c.name: c.id for c in project.categories.values()}
        ids = {im.file_name: im.id for im in project.images.values()}
        n = 0
        for v, volume in enumerate(volumes):
            for name, vol3 in classes.items():
                shifted = np.roll(vol3, v, axis=2) if who == "reader_b" and name == "liver" else vol3
                for k in range(SLICES):
                    m = shifted[k]
                    if m.any():
                        n += 1
                        image_id = ids[f"data/{volume}#z={k:03d}"]
                        bbox, rle = masks.bbox(m), masks.encode(m)
                        project.add_annotation(Annotation(n, image_id, cats[name], bbox, rle, float(m.sum())))
        if who == "reader_b":
            project.reference = "reader_a.json"
        save_project(project, tmp_path / f"{who}.json")
        paths.append(tmp_path / f"{who}.json")
    return paths[0], paths[1], drawn


def independent(a: np.ndarray, b: np.ndarray, tau: float = 2.0) -> dict[str, float]:
    """3D Dice, IoU, HD95 (max of the two directed 95th percentiles), ASSD and NSD from scipy's distance
    transform with the voxel spacing: boundary voxels have a 6-neighbour outside the mask."""
    tp, fp, fn = (int(np.count_nonzero(x)) for x in (a & b, ~a & b, a & ~b))
    cross = ndimage.generate_binary_structure(3, 1)
    ba = a & ~ndimage.binary_erosion(a, structure=cross, border_value=0)
    bb = b & ~ndimage.binary_erosion(b, structure=cross, border_value=0)
    d_ab = ndimage.distance_transform_edt(~bb, sampling=SPACING)[ba]
    d_ba = ndimage.distance_transform_edt(~ba, sampling=SPACING)[bb]
    both = np.concatenate([d_ab, d_ba])
    return {
        "dice": 2 * tp / (2 * tp + fp + fn),
        "iou": tp / (tp + fp + fn),
        "hd95": max(np.percentile(d_ab, 95), np.percentile(d_ba, 95)),
        "assd": both.mean(),
        "nsd": np.count_nonzero(both <= tau) / both.size,
    }


def cell(model, row: int, header: str):  # type: ignore[no-untyped-def]
    col = next(c for c in range(model.columnCount()) if model.headerData(c, H) == header)
    return model.index(row, col)


def test_volume_rows_are_the_cli_s_3d_figures_and_a_click_goes_to_the_first_difference(
    qtbot, tmp_path, no_prompts
) -> None:
    reference, candidate, drawn = write_readers(tmp_path)
    out = tmp_path / "qa.json"
    assert cli.main(["qa", str(reference), str(candidate), "--json", str(out)]) == 0
    per_volume = json.loads(out.read_text())["per_volume"]
    assert {(r["volume"], r["category"]) for r in per_volume} == {
        ("data/liver.nii.gz", "liver"),
        ("data/liver.nii.gz", "lesion"),
    }
    win = open_window(qtbot, candidate)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        volumes = view.images.volume_table
        model = volumes.model()
        assert volumes.isVisible() and model.rowCount() == len(per_volume)
        headers = [model.headerData(c, H) for c in range(model.columnCount())]
        assert headers == ["Volume", "Class", "Dice", "IoU", "HD95", "ASSD", "NSD"]
        fields = {"Dice": "dice", "IoU": "iou", "HD95": "hd95", "ASSD": "assd", "NSD": "nsd"}
        rows = {}
        for want in per_volume:
            key = (want["volume"], want["category"])
            r = next(r for r in range(model.rowCount()) if tuple(model.index(r, 0).data(KEY_ROLE)) == key)
            assert cell(model, r, "Volume").data() == "liver.nii.gz"
            assert cell(model, r, "Class").data() == want["category"]
            rows[want["category"]] = r
            for header, name in fields.items():
                assert cell(model, r, header).data(SORT_ROLE) == want[name]  # the very numbers, no rounding
            assert cell(model, r, "HD95").data().endswith(" mm")  # the slices' spacing: mm
            ours = independent(drawn["reader_a"][want["category"]], drawn["reader_b"][want["category"]])
            for name in fields.values():
                assert want[name] == pytest.approx(ours[name], rel=1e-12), name
        # the heading says these are 3D, the per-class means below say they are over slices in 2D
        assert "3D" in view.images.volume_heading.text()
        assert "2D" in view.images.class_heading.text() and "slice" in view.images.class_heading.text()
        # a starred mean over slices says what its star means
        classes = view.images.class_model
        liver = next(r for r in range(classes.rowCount()) if classes.index(r, 0).data() == "liver")
        hd95 = cell(classes, liver, "HD95")
        assert hd95.data().endswith("*")  # slice 4's ∞ is in the mean
        table = view.images.class_table
        index = table.model().mapFromSource(hd95)
        QTest.mouseMove(table.viewport(), table.visualRect(index).center())
        qtbot.waitUntil(QToolTip.isVisible, timeout=10000)
        tip = QToolTip.text()
        assert tip.startswith("*") and "diagonal" in tip and "not measured" in tip and "3D" in tip
        # a click on a volume row: its first slice where the two readers differ in that class
        for name, first in (("liver", 2), ("lesion", 3)):
            index = model.index(rows[name], 0)
            volumes.scrollTo(index)
            QTest.mouseClick(
                volumes.viewport(), Qt.MouseButton.LeftButton, pos=volumes.visualRect(index).center()
            )
            assert win.document.current_image.file_name == f"data/liver.nii.gz#z={first:03d}"
            assert view.images.image_table.currentIndex().data().endswith(f"#z={first:03d}")
        # sorted worst Dice first by a click on its header: the lesion (0.75) above the liver
        header = volumes.horizontalHeader()
        dice = next(c for c in range(model.columnCount()) if model.headerData(c, H) == "Dice")
        x = header.sectionViewportPosition(dice) + header.sectionSize(dice) // 2
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
        if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
            QTest.mouseClick(
                header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
            )
        assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["lesion", "liver"]
        # a slice the Images table's filter hides is shown all the same, and the status bar says so
        said: list[str] = []
        view.statusMessage.connect(said.append)
        view.images.filter_edit.setFocus()
        QTest.keyClicks(view.images.filter_edit, "Dice < 0.9")
        win.document.set_current_image(view.scored.volume_starts[("data/liver.nii.gz", "lesion")][0])
        index = model.index(1, 0)
        QTest.mouseClick(
            volumes.viewport(), Qt.MouseButton.LeftButton, pos=volumes.visualRect(index).center()
        )
        assert win.document.current_image.file_name == "data/liver.nii.gz#z=002"
        assert not view.images.shows(view.image_id) and "hidden from the Images table" in said[-1]
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_slice_name_cut_to_fit_keeps_its_slice_part_and_the_tooltip_says_it_whole(
    qtbot, tmp_path, no_prompts
) -> None:
    """In the 480-px left pane at 1366x768 the per-slice table cut `abdomen_ct.nii.gz#z=002` in the
    middle to `abd…002`: every slice of the volume read alike, `z=` gone. The file stem is cut now and the
    slice part stays whole (`…ct.nii.gz#z=002`), the whole name in the tooltip."""
    from PySide6.QtGui import QTextDocumentFragment
    from PySide6.QtWidgets import QStyleOptionViewItem

    _, candidate, _ = write_readers(tmp_path, "abdomen_ct.nii.gz")
    win = open_window(qtbot, candidate)
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        view = win.review.view
        assert view.splitter.sizes()[0] <= 500  # the left pane of 1366x768 (a share of the window)
        table = view.images.image_table
        settle()  # the columns are fitted on a later turn of the event loop
        proxy = table.model()
        tips = [proxy.index(r, 0).data(Qt.ItemDataRole.ToolTipRole) for r in range(proxy.rowCount())]
        names = [QTextDocumentFragment.fromHtml(tip).toPlainText() for tip in tips]
        assert sorted(names) == [f"data/abdomen_ct.nii.gz#z={k:03d}" for k in range(SLICES)]
        cut = 0
        for r, name in enumerate(names):
            index = proxy.index(r, 0)
            option = QStyleOptionViewItem()
            option.initFrom(table.viewport())
            option.rect = table.visualRect(index)
            table.itemDelegateForIndex(index).initStyleOption(option, index)
            room = option.rect.width() - 8  # the cell's text room (its padding left out)
            # what the cell shows: the delegate's text, cut again by Qt where it still does not fit
            shown = option.fontMetrics.elidedText(option.text, table.textElideMode(), room)
            fragment = name[name.index("#") :]
            assert shown.endswith(".nii.gz" + fragment) or (shown.endswith(fragment) and "…" in shown), shown
            assert option.fontMetrics.horizontalAdvance(shown) <= room
            cut += "…" in shown
        assert cut, "the name fits whole: no cut to check at this width"
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_each_class_has_its_mean_over_volumes_as_the_cli_s_per_volume_class(
    qtbot, tmp_path, no_prompts
) -> None:
    """With two volumes the table showed four volume rows and no mean over them, while `pixelproof qa`
    writes per_volume_class (each class's means over volumes) and prints them: a reviewer had to average
    by eye. A bold row per class now sits under the volume rows, whatever their sort, with the CLI's
    numbers."""
    reference, candidate, _ = write_readers(tmp_path, "case_a.nii.gz", "case_b.nii.gz")
    out = tmp_path / "qa.json"
    assert cli.main(["qa", str(reference), str(candidate), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    means = {r["category"]: r for r in report["per_volume_class"]}
    assert len(report["per_volume"]) == 4 and set(means) == {"liver", "lesion"}
    win = open_window(qtbot, candidate)
    try:
        enter_review(qtbot, win)
        images = win.review.view.images
        volumes, model = images.volume_table.model(), images.volume_means.model()
        assert volumes.rowCount() == 4 and model.rowCount() == 2
        fields = {"Dice": "dice", "IoU": "iou", "HD95": "hd95", "ASSD": "assd", "NSD": "nsd"}
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            images.volume_table.sortByColumn(2, order)  # by Dice: the means stay under them
            assert sorted(model.index(r, 1).data() for r in (0, 1)) == ["lesion", "liver"]
            for r in (0, 1):
                want = means[model.index(r, 1).data()]
                assert model.index(r, 0).data() == "mean, 2 vol."
                assert model.index(r, 0).data(Qt.ItemDataRole.FontRole).bold()
                assert not volumes.index(0, 0).data(Qt.ItemDataRole.FontRole)  # a volume row is not bold
                for header, name in fields.items():
                    assert want[name] is not None
                    assert cell(model, r, header).data(SORT_ROLE) == want[name]  # the very numbers
                    text = cell(model, r, header).data()
                    assert text.startswith(
                        f"{want[name]:.2f}" if name in ("hd95", "assd") else f"{want[name]:.3f}"
                    )
        # the liver's mean differs from each of its volumes' (the second reader's liver moved apart)
        livers = [r for r in report["per_volume"] if r["category"] == "liver"]
        assert livers[0]["dice"] != livers[1]["dice"]
        assert means["liver"]["dice"] == pytest.approx((livers[0]["dice"] + livers[1]["dice"]) / 2)
    finally:
        win.document.undo_stack.setClean()
        win.close()


def shown_text(table, index) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """What a cell shows (its delegate's text, cut again by Qt where it still does not fit) and its room."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from pixelproof.ui.cell_text import drawn_width, text_room

    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(index)
    table.itemDelegateForIndex(index).initStyleOption(option, index)
    room = text_room(option)  # the cell's text room, as the style draws it (its margins left out)
    if drawn_width(option.text, option.font) <= room:  # as Qt measures it: drawn as it is
        return option.text, room
    return option.fontMetrics.elidedText(option.text, table.textElideMode(), room), room


@contextlib.contextmanager
def review_at_1366(qtbot, tmp_path: Path, names: list[str]):  # type: ignore[no-untyped-def]
    """Two readers' projects on the NIfTI volumes ``names``, the candidate's window at 1366x768 in the
    review view; closed (its edits dropped) after."""
    _, candidate, _ = write_readers(tmp_path, *names)
    win = open_window(qtbot, candidate)
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        yield win
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_the_means_over_volumes_stay_in_sight_and_long_names_keep_their_extension(
    qtbot, tmp_path, no_prompts
) -> None:
    """At 1366x768 the table shows four rows: with five volumes the mean rows came after ten volume rows,
    out of sight until scrolled to, and Qt cut `patient_…_phase.nii.gz` to `patie…gz`. The means now sit
    in a row per class pinned under the scrolling volume rows, and a long name keeps `.nii.gz` whole."""
    names = [f"patient_{n:04d}_abdomen_portal_venous_phase.nii.gz" for n in range(5)]
    with review_at_1366(qtbot, tmp_path, names) as win:
        images = win.review.view.images
        volumes = images.volume_table
        settle()  # the columns are fitted on a later turn of the event loop
        assert volumes.model().rowCount() >= 10 and volumes.verticalScrollBar().maximum() > 0  # it scrolls
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            volumes.sortByColumn(2, order)
            volumes.scrollToTop()
            means = {}  # the mean rows on screen: in a table's viewport, whole, the table inside the window
            for t in (volumes, getattr(images, "volume_means", None)):
                if t is None or not t.isVisible():
                    continue
                top_left = t.viewport().mapTo(win, QPoint(0, 0))
                assert win.rect().contains(top_left) and win.rect().contains(
                    top_left + QPoint(t.viewport().width() - 1, t.viewport().height() - 1)
                )
                model = t.model()
                for r in range(model.rowCount()):
                    if model.index(r, 0).data() == "mean, 5 vol.":
                        rect = t.visualRect(model.index(r, 0))
                        if t.viewport().rect().contains(rect):
                            means[model.index(r, 1).data()] = cell(model, r, "Dice").data()
            assert set(means) == {"liver", "lesion"}, (order, means)
            assert all(means.values())
        cut = 0
        model = volumes.model()
        for r in range(model.rowCount()):
            shown, room = shown_text(volumes, model.index(r, 0))
            assert shown.endswith(".nii.gz"), shown
            assert volumes.fontMetrics().horizontalAdvance(shown) <= room
            cut += "…" in shown
        assert cut, "the names fit whole: no cut to check at this width"
        pinned = images.volume_means  # its Volume cell read `mean of 5 volu…`: whole now, bold and all
        for r in range(pinned.model().rowCount()):
            index = pinned.model().index(r, 0)
            shown, room = shown_text(pinned, index)
            assert "…" not in shown and shown == index.data(), (shown, room)
            assert "5 vol" in shown and "mean of 5 volumes" in index.data(Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(
    "names",
    [
        [f"patient_000{n}_abdomen_ct.nii.gz" for n in (1, 2, 3)],
        [f"patient_{n:04d}_abdomen_portal_venous_phase.nii.gz" for n in range(5)],
    ],
)
def test_at_1366_slices_of_volumes_with_long_alike_names_read_apart_and_classes_read_whole(
    qtbot, tmp_path, no_prompts, names
) -> None:
    """At 1366x768 the per-slice Image column got the ~85 px the figures left: the slices of three
    `patient_000N_abdomen_ct.nii.gz` all read `p…z#z=005`, three rows alike, and beside them in the
    per-volume table the class `lesion` read `l…n` once the Volume column measured its names whole. Image
    then kept 20 characters and the figures scrolled sideways, the Review column out of sight. Now the
    name is cut in its middle to the room the figures leave: no sideways scroll, every row still reads
    apart with its slice part (`#z=005`) whole, the name whole in its tooltip; Class keeps 12: `lesion`."""
    with review_at_1366(qtbot, tmp_path, names) as win:
        images = win.review.view.images
        settle()  # the columns are fitted on a later turn of the event loop
        table, model = images.image_table, images.image_table.model()
        shown = []
        for r in range(model.rowCount()):
            index = model.index(r, 0)
            text, room = shown_text(table, index)
            assert table.fontMetrics().horizontalAdvance(text) <= room
            name = index.data()
            assert text.endswith(name[name.rindex("#") :]), (text, name)  # the slice part whole
            assert name in index.data(Qt.ItemDataRole.ToolTipRole)
            shown.append(text)
        assert "…" in "".join(shown), "the names fit whole: no cut to check at this width"
        assert len(set(shown)) == len(shown) == len(names) * SLICES, shown
        assert table.horizontalScrollBar().maximum() == 0  # every figure and Review in sight
        header = table.horizontalHeader()
        last = header.count() - 1
        assert header.sectionViewportPosition(last) + header.sectionSize(last) <= table.viewport().width()
        volumes = images.volume_table
        classes = {
            shown_text(volumes, volumes.model().index(r, 1))[0] for r in range(volumes.model().rowCount())
        }
        assert classes == {"liver", "lesion"}


def test_the_table_lists_only_the_classes_a_side_drew_in_each_volume(qtbot, tmp_path, no_prompts) -> None:
    """Every class of the project had a row per volume, those neither reader drew there (`cat`, drawn on a
    photo, n/a for each CT; `spleen`, in one volume only) among them and, sorted by class, first: above
    the liver and lesion a radiologist reads. `pixelproof qa`'s JSON keeps them (reason `both empty`);
    the table lists a class in a volume where a side drew it, and a mean row for a class drawn in some
    volume."""
    from PIL import Image

    reference, candidate, _ = write_readers(tmp_path, "case_a.nii.gz", "case_b.nii.gz")
    Image.fromarray(np.zeros((ROWS, COLS), np.uint8)).save(tmp_path / "data" / "photo.png")
    spleen = np.zeros((ROWS, COLS), bool)
    spleen[2:6, 2:6] = True
    for path in (reference, candidate):
        project = load_project(path)
        ids = {im.file_name: im.id for im in project.images.values()}
        photo = project.add_image(ImageRecord(max(ids.values()) + 1, "data/photo.png", COLS, ROWS))
        n = max(project.annotations) + 1
        for k, (name, image_id) in enumerate(
            (("spleen", ids["data/case_b.nii.gz#z=002"]), ("cat", photo.id))
        ):
            cat = project.add_category(Category(max(project.categories) + 1, name))
            project.add_annotation(
                Annotation(
                    n + k, image_id, cat.id, masks.bbox(spleen), masks.encode(spleen), float(spleen.sum())
                )
            )
        save_project(project, path)
    out = tmp_path / "qa.json"
    assert cli.main(["qa", str(reference), str(candidate), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert len(report["per_volume"]) == 8  # 2 volumes x 4 classes, as the JSON documents
    absent = {
        (r["volume"], r["category"]) for r in report["per_volume"] if r.get("dice_reason") == "both empty"
    }
    assert absent == {
        ("data/case_a.nii.gz", "spleen"),
        ("data/case_a.nii.gz", "cat"),
        ("data/case_b.nii.gz", "cat"),
    }
    win = open_window(qtbot, candidate)
    try:
        enter_review(qtbot, win)
        images = win.review.view.images
        volumes, means = images.volume_table.model(), images.volume_means.model()
        keys = {tuple(volumes.index(r, 0).data(KEY_ROLE)) for r in range(volumes.rowCount())}
        assert keys == {(r["volume"], r["category"]) for r in report["per_volume"]} - absent
        assert sorted(means.index(r, 1).data() for r in range(means.rowCount())) == [
            "lesion",
            "liver",
            "spleen",
        ]
        # sorted by class with a click on its header: lesion comes first, no n/a row above it
        header = images.volume_table.horizontalHeader()
        col = next(c for c in range(volumes.columnCount()) if volumes.headerData(c, H) == "Class")
        x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
        if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
            QTest.mouseClick(
                header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
            )
        shown = [volumes.index(r, 1).data() for r in range(volumes.rowCount())]
        assert shown == ["lesion", "lesion", "liver", "liver", "spleen"]
        assert all(cell(volumes, r, "Dice").data() != "n/a" for r in range(volumes.rowCount()))
    finally:
        win.document.undo_stack.setClean()
        win.close()


def test_a_class_s_mean_row_counts_the_volumes_it_is_a_mean_of(qtbot, tmp_path, no_prompts) -> None:
    """Three volumes, the lesion drawn by neither reader on the third: the lesion's mean row read
    `mean, 3 vol.` over the Dice of two volumes (the third has none to average). Each mean row now counts
    the volumes where a side drew its class, and its tooltip says which were left out."""
    reference, candidate, _ = write_readers(tmp_path, "a.nii.gz", "b.nii.gz", "c.nii.gz")
    for path in (reference, candidate):
        project = load_project(path)
        lesion = next(c.id for c in project.categories.values() if c.name == "lesion")
        on_c = {im.id for im in project.images.values() if im.file_name.startswith("data/c.nii.gz")}
        for a in list(project.annotations.values()):
            if a.category_id == lesion and a.image_id in on_c:
                project.remove_annotation(a.id)
        save_project(project, path)
    out = tmp_path / "qa.json"
    assert cli.main(["qa", str(reference), str(candidate), "--json", str(out)]) == 0
    means = {r["category"]: r for r in json.loads(out.read_text())["per_volume_class"]}
    assert (means["lesion"]["n_rows"], means["lesion"]["n_both_empty"]) == (3, 1)
    win = open_window(qtbot, candidate)
    try:
        enter_review(qtbot, win)
        model = win.review.view.images.volume_means.model()
        rows = {model.index(r, 1).data(): r for r in range(model.rowCount())}
        assert model.index(rows["liver"], 0).data() == "mean, 3 vol."
        assert model.index(rows["lesion"], 0).data() == "mean, 2 vol."
        assert cell(model, rows["lesion"], "Dice").data(SORT_ROLE) == means["lesion"]["dice"]
        tip = model.index(rows["lesion"], 0).data(Qt.ItemDataRole.ToolTipRole)
        assert (
            "over the 2 volumes where a side drew it; 1 volume of the run where neither side drew it" in tip
        )
    finally:
        win.document.undo_stack.setClean()
        win.close()

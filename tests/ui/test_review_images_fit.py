"""The review's Images table at 1366x768 over two raters' projects of a CT volume (NIfTI) and the demo's
photos: the slice names get the room the figures do not need, every header and the Review column's
decision counts read whole, with no sideways scroll."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.ui.fitted_table import CELL_PADDING
from pixelproof.ui.review.tables import OBJECT_COLUMNS
from tests.ui.conftest import header_option, header_reads_whole, settle
from tests.ui.test_review import enter_review, open_window, table_click, wait_image
from tests.ui.test_review_volumes import shown_text

H = Qt.Orientation.Horizontal
VOLUME = "ct_abdomen.nii.gz"
SLICES, SIDE = 24, 48
CELLS = 120  # nuclei boxed on cell.png by both raters (a cell count)
DECIDED = (100, 9)  # the lead's decisions on cell.png's objects before the test: accepted, rejected


def ellipsoid(centre: tuple[float, float, float], radii: tuple[float, float, float]) -> np.ndarray:
    zz, yy, xx = np.mgrid[:SLICES, :SIDE, :SIDE]
    return sum(((g - c) / r) ** 2 for g, c, r in zip((zz, yy, xx), centre, radii, strict=True)) < 1


def write_raters(tmp_path: Path) -> Path:
    """Rater A (the reference) and rater B over ``VOLUME`` (a CT: air, body, a liver and a lesion each
    rater drew a little apart) and the demo's photos (the demo's reference and project objects, and
    ``CELLS`` nuclei boxed on cell.png), B's cells partly decided by a lead (``DECIDED``). Returns B's
    project file."""
    demo = install_demo(tmp_path / "demo")
    data = tmp_path / "data"
    (data / "photos").mkdir(parents=True)
    (data / "ct").mkdir()
    for f in (demo.parent / "images").iterdir():
        shutil.copy(f, data / "photos" / f.name)
    ct = np.full((SLICES, SIDE, SIDE), -1000, np.int16)
    ct[:, 4:44, 3:45] = 40
    drawn = {
        "rater_a": {
            "liver": ellipsoid((12, 20, 18), (8, 9, 10)),
            "lesion": ellipsoid((10, 20, 16), (2, 3, 3)),
        },
        "rater_b": {
            "liver": ellipsoid((13, 21, 18), (7, 9, 9)),
            "lesion": ellipsoid((11, 21, 20), (2, 3, 3)),
        },
    }
    ct[drawn["rater_a"]["liver"]] = 60
    affine = np.diag([0.8, 0.8, 2.5, 1.0])
    nib.save(nib.Nifti1Image(np.ascontiguousarray(ct.transpose(2, 1, 0)), affine), data / "ct" / VOLUME)
    photos = {"rater_a": load_project(demo.parent / "reference.json"), "rater_b": load_project(demo)}
    for who in ("rater_a", "rater_b"):
        src = photos[who]
        names = sorted({c.name for c in src.categories.values()} | {"liver", "lesion"})
        project = project_from_folder(data, tmp_path / f"{who}.json", names)
        cats = {c.name: c.id for c in project.categories.values()}
        ids = {im.file_name: im.id for im in project.images.values()}
        n = 0
        for a in src.annotations.values():
            n += 1
            image = ids["data/photos/" + Path(src.images[a.image_id].file_name).name]
            category = cats[src.categories[a.category_id].name]
            project.add_annotation(Annotation(n, image, category, list(a.bbox), a.segmentation, a.area))
        for name, volume in drawn[who].items():
            for k in range(SLICES):
                if volume[k].any():
                    n += 1
                    m = volume[k]
                    image = ids[f"data/ct/{VOLUME}#z={k:03d}"]
                    project.add_annotation(
                        Annotation(n, image, cats[name], masks.bbox(m), masks.encode(m), m.sum())
                    )
        for k in range(CELLS):
            n += 1
            box = [10.0 + 20 * (k % 12), 10.0 + 20 * (k // 12), 12.0, 12.0]
            project.add_annotation(Annotation(n, ids["data/photos/cell.png"], cats["cell"], box, None, 144.0))
        if who == "rater_b":
            accepted, rejected = DECIDED
            decided = project.annotations_of(ids["data/photos/cell.png"])[: accepted + rejected]
            for k, a in enumerate(decided):
                a.review = "accepted" if k < accepted else "rejected"
            project.reference = "rater_a.json"
        save_project(project, tmp_path / f"{who}.json")
    return tmp_path / "rater_b.json"


@contextlib.contextmanager
def review_at_1366(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    win = open_window(qtbot, write_raters(tmp_path))
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        settle()  # the columns are fitted on a later turn of the event loop
        yield win
    finally:
        win.document.undo_stack.setClean()
        win.close()


def cell_padding(table) -> int:  # type: ignore[no-untyped-def]
    """A cell's room beside its text: the style's text margins and the grid line."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return 2 * margin + 1


def visible_columns(table) -> list[int]:  # type: ignore[no-untyped-def]
    header = table.horizontalHeader()
    return [c for c in range(header.count()) if not header.isSectionHidden(c)]


def assert_headers_whole(table) -> None:  # type: ignore[no-untyped-def]
    for col in visible_columns(table):
        assert header_reads_whole(table, col), (header_option(table, col).text, table.columnWidth(col))


def test_at_1366_slice_names_get_the_room_the_figures_do_not_need(qtbot, tmp_path, no_prompts) -> None:
    """The Images table cut `ct_abdomen.nii.gz#z=020` to `ct_….gz#z=020` while FN, FP, IoU and Review
    kept room for a sort arrow each (Qt's header size hint keeps it in every section, though only the
    column sorted by shows one) and the table scrolled sideways. The figures now take what their header
    titles and cells need, the arrow's room only where it is; the name the rest, cut in its middle
    with its slice part whole, whole in its tooltip."""
    with review_at_1366(qtbot, tmp_path) as win:
        table = win.review.view.images.image_table
        model, header, fm = table.model(), table.horizontalHeader(), table.fontMetrics()
        padding = cell_padding(table)
        for col in visible_columns(table)[1:]:
            texts = [str(model.index(r, col).data() or "") for r in range(model.rowCount())]
            cells = max(fm.horizontalAdvance(t) for t in texts) + padding
            opt = header_option(table, col)
            title = header.style().sizeFromContents(
                QStyle.ContentsType.CT_HeaderSection, opt, QSize(), header
            )
            need = max(cells, title.width(), header.minimumSectionSize())
            if col == header.count() - 1:  # Review: room for its words too
                need = max(need, *(fm.horizontalAdvance(w) + CELL_PADDING for w in ("accepted", "reviewed")))
            assert header.sectionSize(col) <= need + 1, (opt.text, header.sectionSize(col), need)
        assert_headers_whole(table)
        slices = 0
        for r in range(model.rowCount()):
            index = model.index(r, 0)
            name = QTextDocumentFragment.fromHtml(index.data(Qt.ItemDataRole.ToolTipRole)).toPlainText()
            assert name.endswith(index.data())  # the whole name (its folder too) in the tooltip
            text, room = shown_text(table, index)
            assert fm.horizontalAdvance(text) <= room
            if VOLUME in name:  # cut in the middle of its stem: `.nii.gz` and the slice part whole
                assert text.endswith(".nii.gz" + name[name.rindex("#") :]), (text, name)
                assert text.startswith(VOLUME[:2]), text
                slices += 1
        assert slices == SLICES
        # the name cut, the room is all used: none left unused, no sideways scroll
        if any("…" in shown_text(table, model.index(r, 0))[0] for r in range(model.rowCount())):
            widths = sum(header.sectionSize(c) for c in visible_columns(table))
            assert widths == table.viewport().width()
            assert table.horizontalScrollBar().maximum() == 0


def test_at_1366_the_review_column_reads_whole_as_its_counts_grow(qtbot, tmp_path, no_prompts) -> None:
    """The Review column was past the table's right edge at 1366x768 (a sideways scroll bar, its header
    `Reviev`), and measured once with the rows, it stayed as wide as `accepted` when a lead's decisions
    made a count wider (`✓100 ✗10`): the count was cut. It is in sight, and grows with its counts."""
    with review_at_1366(qtbot, tmp_path) as win:
        view = win.review.view
        table = view.images.image_table
        model, header, fm = table.model(), table.horizontalHeader(), table.fontMetrics()
        review = header.count() - 1
        assert model.headerData(review, H) == "Review"

        def assert_review_whole() -> None:
            assert table.horizontalScrollBar().maximum() == 0
            assert (
                header.sectionViewportPosition(review) + header.sectionSize(review)
                <= table.viewport().width()
            )
            assert_headers_whole(table)
            for r in range(model.rowCount()):
                text = str(model.index(r, review).data() or "")
                assert fm.horizontalAdvance(text) + cell_padding(table) <= header.sectionSize(review), text

        assert_review_whole()
        width = header.sectionSize(review)
        cells = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "cell.png")
        accepted, rejected = DECIDED
        assert model.index(cells, review).data() == f"✓{accepted} ✗{rejected}"
        table_click(table, cells)
        wait_image(qtbot, view)
        objects = view.object_table
        undecided = next(
            r
            for r in range(objects.model().rowCount())
            if objects.model().index(r, OBJECT_COLUMNS.index("Cand")).data() != "—"
            and not objects.model().index(r, OBJECT_COLUMNS.index("Review")).data()
        )
        table_click(objects, undecided)
        QTest.keyClick(objects, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
        grown = f"✓{accepted} ✗{rejected + 1}"
        cells = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "cell.png")
        assert model.index(cells, review).data() == grown
        assert fm.horizontalAdvance(grown) + cell_padding(table) > width, (
            "no wider than the column: no growth"
        )
        qtbot.waitUntil(
            lambda: fm.horizontalAdvance(grown) + cell_padding(table) <= header.sectionSize(review),
            timeout=10000,
        )
        assert_review_whole()

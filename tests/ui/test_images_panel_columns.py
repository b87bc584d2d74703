"""The Images panel's Status and Objects columns: sized to their cells without reading a thousand rows at
each change. They were ResizeToContents, which Qt measures again over the rows in sight and a thousand
more at every changed cell: each D (the visit's time recorded changes the row) read 16,000 cells of a
100,000-image project, and opening 49,000. They still fit every status and every count in sight."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtWidgets import QApplication

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.edits import AddAnnotations, SetImageStatus
from pixelproof.core.edits.images import RecordTime
from pixelproof.core.model import IMAGE_STATES, STATUS_LABELS, Annotation, ImageRecord
from pixelproof.ui.fitted_table import header_need
from pixelproof.ui.panels.images_model import ImagesModel
from tests.ui.conftest import open_main_window

FAR_ROW = 1500  # past the rows sized on opening and out of sight


def many_images(folder: Path, n: int, objects: dict[int, tuple[int, int]] | None = None) -> Path:
    """A project of ``n`` images (only the first has a file: the app shows it), one object each, or
    ``objects[image_id]`` = (objects, pending model predictions); images 1-4 have each status."""
    cv2.imwrite(str(folder / "img1.png"), np.full((32, 32, 3), 90, np.uint8))
    project = new_project(["cat"])
    aid = 0
    for i in range(1, n + 1):
        project.add_image(ImageRecord(i, f"img{i}.png", 32, 32))
        manual, pending = (objects or {}).get(i, (1, 0))
        for k in range(manual + pending):
            aid += 1
            source = "model:m" if k >= manual else None
            project.add_annotation(Annotation(aid, i, 1, [1.0, 1.0, 4.0, 4.0], None, 16.0, source=source))
    for i, status in enumerate(IMAGE_STATES, start=1):
        project.set_image_status(i, status)
    return save_project(project, folder / "project.json")


@contextmanager
def data_calls() -> Iterator[list[int]]:
    """Calls of the Images model's ``data`` (Qt asks it once per cell and role) for a Status or Objects
    cell (the names' delegate reads the Image column's names for its cuts, ``ui.file_names``)."""
    calls: list[int] = []
    code = ImagesModel.data.__code__

    def count(frame, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code is code and frame.f_locals["index"].column() in (1, 2):
            calls.append(1)

    sys.setprofile(count)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def test_a_changed_row_reads_the_rows_in_sight_not_a_thousand(qtbot, tmp_path, no_prompts) -> None:
    with data_calls() as opening:
        win = open_main_window(qtbot, many_images(tmp_path, 3000))
        settle()
    doc, table = win.document, win.panels["imagesDock"].table
    in_sight = table.rowAt(table.viewport().height() - 1) + 1
    bound = in_sight * 3 * 20  # every cell in sight repainted, asked ~10 roles
    assert len(opening) < bound, len(opening)
    for edit in (RecordTime(1, "ann", 5.0), SetImageStatus(2, "done")):
        with data_calls() as calls:
            doc.apply_edit(edit)
            settle()
        assert len(calls) < bound, (edit.label, len(calls))


def test_the_columns_fit_every_status_and_each_count_in_sight(qtbot, tmp_path, no_prompts) -> None:
    far = FAR_ROW + 1
    win = open_main_window(qtbot, many_images(tmp_path, 2000, {1: (1500, 0), far: (20000, 2000)}))
    settle()
    doc, panel = win.document, win.panels["imagesDock"]
    table, proxy, header = panel.table, panel.proxy, panel.table.horizontalHeader()

    def need(row: int, col: int) -> int:  # what Qt's delegate asks for the cell
        return table.sizeHintForIndex(proxy.index(row, col)).width()

    # Qt's own measure of the rows in sight and a thousand more: every status is among them
    assert header.sectionSize(1) == max(header_need(table, 1), table.sizeHintForColumn(1))
    assert header.sectionSize(2) >= table.sizeHintForColumn(2)
    predictions = [
        Annotation(100_000 + k, 1, 1, [1.0, 1.0, 4.0, 4.0], None, 16.0, source="model:m") for k in range(2000)
    ]
    assert header.sectionSize(2) < table.fontMetrics().horizontalAdvance("1500 +2000")  # the test's point
    doc.push(AddAnnotations(predictions))  # image 1, in sight: its count grows wider
    settle()
    assert proxy.index(0, 2).data() == "1500 +2000"
    assert header.sectionSize(2) >= need(0, 2)

    assert proxy.index(FAR_ROW, 2).data() == "20000 +2000"
    assert header.sectionSize(2) < need(FAR_ROW, 2)  # not read yet: the test would prove nothing
    table.scrollTo(proxy.index(FAR_ROW, 0))
    settle()
    assert header.sectionSize(2) >= need(FAR_ROW, 2)


def long_named_project(folder: Path) -> Path:
    """A photo and a CT volume (its slices ``…nii.gz#z=003``) with long names, every status among their
    rows and a count with pending predictions (``2 +3``) on the photo."""
    import nibabel as nib

    from pixelproof.core.image_folder import project_from_folder

    data = folder / "data"
    data.mkdir()
    cv2.imwrite(
        str(data / "IMG_20240412_street_crossing_north_entrance_0001.png"), np.zeros((32, 32, 3), np.uint8)
    )
    volume = np.zeros((20, 24, 6), np.int16)  # NIfTI order: x, y, z
    nib.save(
        nib.Nifti1Image(volume, np.diag([0.8, 0.7, 2.5, 1.0])),
        data / "patient_0001_abdomen_portal_venous.nii.gz",
    )
    project = project_from_folder(data, folder / "project.json", ["cat"])
    ids = sorted(project.images)
    photo = next(i for i in ids if project.images[i].file_name.endswith(".png"))
    for k in range(5):
        source = "model:m" if k >= 2 else None
        project.add_annotation(Annotation(k + 1, photo, 1, [1.0, 1.0, 4.0, 4.0], None, 16.0, source=source))
    for i, status in zip(ids, IMAGE_STATES, strict=False):
        project.set_image_status(i, status)
    return save_project(project, folder / "project.json")


def test_at_1366_the_names_get_the_room_the_status_and_count_titles_do_not_need(
    qtbot, tmp_path, no_prompts
) -> None:
    """Status and Objects were as wide as Qt's header size hint, which measures a title in bold (drawn
    in bold only where a header highlights a selected row's sections; this one does not) and with a
    sort arrow's room in a sortable header: room no title was drawn in, taken from the names. They now
    need what their titles need as drawn (``fitted_table.header_need``, as every fitted table) and
    their cells; the names the rest."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QStyle

    from tests.ui.conftest import header_option, header_reads_whole
    from tests.ui.conftest import settle as settle_layout
    from tests.ui.test_review_volumes import shown_text

    win = open_main_window(qtbot, long_named_project(tmp_path))
    try:
        win.resize(1366, 768)
        settle_layout()  # the layout: turns of the event loop, not ms
        panel = win.panels["imagesDock"]
        table, proxy, header = panel.table, panel.proxy, panel.table.horizontalHeader()
        rows = range(proxy.rowCount())
        assert {proxy.index(r, 1).data() for r in rows} == {STATUS_LABELS[s] for s in IMAGE_STATES}
        assert "2 +3" in {proxy.index(r, 2).data() for r in rows}
        need, hinted = {}, {}
        for col in (1, 2):
            cells = max(table.sizeHintForIndex(proxy.index(r, col)).width() for r in rows)
            title = header.style().sizeFromContents(
                QStyle.ContentsType.CT_HeaderSection, header_option(table, col), QSize(), header
            )
            need[col] = max(cells, title.width(), header.minimumSectionSize())
            hinted[col] = max(cells, header.sectionSizeHint(col))
            assert header.sectionSize(col) == need[col], (col, header.sectionSize(col), need[col])
        for col in range(3):
            assert header_reads_whole(table, col), col
        # the names have the rest, the room the hint kept beside the titles too; cut, so it counts
        image = header.sectionSize(0)
        assert image == table.viewport().width() - need[1] - need[2]
        assert image > table.viewport().width() - hinted[1] - hinted[2]
        assert table.horizontalScrollBar().maximum() == 0
        assert any("…" in shown_text(table, proxy.index(r, 0))[0] for r in rows)
    finally:
        win.document.undo_stack.setClean()
        win.close()

"""Images panel file names: elided in the middle with their extension, the whole path in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QStyleOptionViewItem

from pixelproof.ui.file_names import elide_file_name


def test_elision_keeps_the_extension_and_the_ends_of_the_stem(qapp) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    fm = QFontMetrics(QFont())
    name = "IMG_20240412_street_crossing_0001.jpeg"
    for width in (90, 140, 200):
        shown = elide_file_name(name, fm, width)
        assert shown.endswith(".jpeg") and "…" in shown
        assert shown.startswith("IM")
        assert fm.horizontalAdvance(shown) <= width
    assert elide_file_name("a.png", fm, 200) == "a.png"  # fits: untouched
    assert elide_file_name("no_extension_at_all_here", fm, 60).count("…") == 1


def test_names_fit_and_the_tooltip_has_the_whole_path(window, qtbot, project_file) -> None:
    panel = window.panels["imagesDock"]
    table = panel.table
    index = panel.proxy.index(0, 0)
    tip = QTextDocumentFragment.fromHtml(panel.proxy.data(index, Qt.ItemDataRole.ToolTipRole)).toPlainText()
    assert tip.splitlines()[0] == str(project_file.parent / "images" / "img0.png")

    # the delegate draws what elide_file_name gives for the cell's width (Qt's own drops the dot)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = QRect(0, 0, 80, 24)
    panel.model.doc.project.images[1].file_name = "images/a_rather_long_file_name_0001.png"
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    assert option.text.endswith(".png") and "…" in option.text
    from pixelproof.ui.cell_text import text_room

    room = text_room(option)  # the cell less the style's text margins, as Qt's delegate draws it
    assert option.text == elide_file_name("a_rather_long_file_name_0001.png", option.fontMetrics, room)


def test_a_name_that_fits_its_cell_is_never_cut(window) -> None:
    """The delegate cut a name to the cell less 8 px, a guess of the style's margins (6 px): a name with a
    pixel or two to spare was drawn cut."""
    from pixelproof.ui.cell_text import text_room

    panel = window.panels["imagesDock"]
    table, index = panel.table, panel.proxy.index(0, 0)
    name = index.data()
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = QRect(0, 0, 200, 24)
    margins = option.rect.width() - text_room(option)
    option.rect = QRect(0, 0, table.fontMetrics().horizontalAdvance(name) + margins, 24)  # just fits
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    assert option.text == name
    option.rect = QRect(0, 0, option.rect.width() - 1, 24)  # a pixel less: cut
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    assert option.text != name


def test_a_long_differing_part_keeps_the_extension(qapp) -> None:
    """Among the demo's names, motorcycle.jpg differs from the others from its first letter to the "e" it
    ends with as coffee.jpg does: kept whole, that part left no room for the extension ("motorcycle…g"),
    and phantom16.png lost its ".png". Where the part cannot be whole, its first letter (which no other
    name has there) stays and so does the extension."""
    from PySide6.QtGui import QFont, QFontMetrics

    from pixelproof.ui.file_names import NameSpans

    fm = QFontMetrics(QFont())
    names = [
        "coins.png",
        "cell.png",
        "camera.png",
        "astronaut.jpg",
        "coffee.jpg",
        "motorcycle.jpg",
        "phantom16.png",
    ]
    spans = NameSpans(names)
    for name in ("motorcycle.jpg", "phantom16.png", "camera.png"):
        ext = name[name.rindex(".") :]
        for width in range(fm.horizontalAdvance("x…x" + ext) + 2, fm.horizontalAdvance(name)):
            shown = elide_file_name(name, fm, width, spans)
            assert shown.endswith(ext) and shown[0] == name[0] and shown.count("…") == 1, (width, shown)
            assert fm.horizontalAdvance(shown) <= width


def test_a_slice_name_keeps_its_slice_part_and_a_nifti_its_nii_gz(qapp) -> None:
    """A volume's slice (`#z=002`, `#t=004&z=012`, `#phase=2&z=014`) is told from its neighbours by its
    slice part only: the file is cut, that part stays whole while it fits; `.nii.gz` stays whole too."""
    from PySide6.QtGui import QFont, QFontMetrics

    fm = QFontMetrics(QFont())
    for name in ("abdomen_ct.nii.gz#z=002", "live_cells.tif#t=004&z=012", "dyn_liver_ct.dcm#phase=2&z=014"):
        fragment = name[name.index("#") :]
        least = fm.horizontalAdvance("…" + fragment) + 2  # a pixel of rounding where the parts join
        for width in range(least, fm.horizontalAdvance(name)):
            shown = elide_file_name(name, fm, width)
            assert shown.endswith(fragment) and shown.count("…") == 1, (width, shown)
            assert fm.horizontalAdvance(shown) <= width
        narrow = elide_file_name(name, fm, fm.horizontalAdvance("…z=0"))  # not even the slice part fits
        assert narrow.startswith("…") and name.endswith(narrow[1:])
    assert elide_file_name("abdomen_ct_portal_venous.nii.gz", fm, 120).endswith(".nii.gz")

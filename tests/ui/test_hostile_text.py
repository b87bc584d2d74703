"""Text from an opened file (image and category names, guideline Markdown, error messages that quote a
project) never makes the app read a file. Qt shows a label, tooltip or message box whose first line opens
with a tag as rich text and loads the image an ``<img src=...>`` names: ``/dev/zero`` exhausts memory
(the app aborts), a FIFO blocks it for good, a ``\\\\host\\share`` path sends the Windows login to that
host. Each test names a small PNG of an odd colour and checks that colour never reaches the screen."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from pixelproof.core import taxonomy
from pixelproof.core.model import ImageRecord

pytestmark = pytest.mark.gui

MARK = (3, 250, 7)  # RGB of the probe image: no widget style paints it


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    path = tmp_path / "probe.png"
    cv2.imwrite(str(path), np.full((24, 24, 3), MARK[::-1], np.uint8))
    return path


def shows_probe(widget: QWidget) -> bool:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, stride * h).reshape(h, stride)
    pixels = rows[:, : w * 3].reshape(h, w, 3)
    return bool((pixels == MARK).all(axis=2).any())


def tooltip_shows_probe(qtbot, text: str) -> bool:  # type: ignore[no-untyped-def]
    """As QToolTip shows ``text``: a QLabel in its default (automatic) text format."""
    label = QLabel(text)
    qtbot.addWidget(label)
    label.adjustSize()
    return shows_probe(label)


def test_the_probe_is_seen_when_loaded(qtbot, probe) -> None:  # type: ignore[no-untyped-def]
    assert tooltip_shows_probe(qtbot, f'<img src="{probe}">')


def test_a_guideline_never_loads_the_images_it_names(qtbot, window, probe) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    guide = f"# Cats\n\n![example]({probe})\n\n<img src='{probe}'> whole body"
    doc.push(taxonomy.describe_category(doc.project, "cat", guideline=guide))
    panel = window.panels["guidelinesDock"]
    doc.set_current_category(doc.project.category_by_name("cat").id)
    qtbot.waitUntil(lambda: "Cats" in panel.browser.toPlainText(), timeout=10000)
    assert not shows_probe(panel.browser.viewport())


def test_tooltips_show_names_as_text(qtbot, window, probe) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    hostile = f'<img src="{probe}">'
    doc.project.add_image(ImageRecord(99, f"images/{hostile}.png", 64, 48))
    doc.push(
        taxonomy.describe_category(
            doc.project, "cat", examples=[{"file_name": "x.png", "bbox": [0, 0, 4, 4], "caption": hostile}]
        )
    )
    doc.set_current_category(doc.project.category_by_name("cat").id)
    model = window.panels["imagesDock"].table.model().sourceModel()
    model.reset(doc)
    rows = [model.index(r, 0) for r in range(model.rowCount())]
    tips = [model.data(i, Qt.ItemDataRole.ToolTipRole) for i in rows]
    assert any(hostile in (t or "") for t in tips) or any("&lt;img" in (t or "") for t in tips)
    assert not any(tooltip_shows_probe(qtbot, t) for t in tips if t)
    panel = window.panels["guidelinesDock"]
    qtbot.waitUntil(lambda: panel.examples_row.count() > 1, timeout=10000)
    caption = panel.examples_row.itemAt(0).widget().toolTip()
    assert not tooltip_shows_probe(qtbot, caption)


def _modal_shows_probe(qtbot, show) -> bool:  # type: ignore[no-untyped-def]
    seen: list[bool] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, look)
            return
        seen.append(shows_probe(box))
        box.close()

    QTimer.singleShot(0, look)
    show()
    assert seen
    return seen[0]


def test_error_boxes_show_quoted_input_as_text(qtbot, probe) -> None:  # type: ignore[no-untyped-def]
    from pixelproof.core.coco import ProjectFormatError
    from pixelproof.ui import dialogs

    hostile = f'<img src="{probe}">'
    error = ProjectFormatError(f"/data/{hostile}.json", [f"categories[1].name: duplicate name '{hostile}'"])
    assert not _modal_shows_probe(qtbot, lambda: dialogs.show_format_error(None, error))
    assert not _modal_shows_probe(
        qtbot, lambda: dialogs.show_error(None, "Cannot open", f"{hostile}: unreadable")
    )


def test_an_objects_source_shows_as_text(qtbot, window, probe) -> None:  # type: ignore[no-untyped-def]
    from pixelproof.core.model import Annotation

    doc = window.document
    ann = Annotation(500, doc.current_image_id, 1, [10.0, 10.0, 20.0, 20.0], None, 400.0)
    ann.source = f'<img src="{probe}">'
    doc.project.add_annotation(ann)
    doc.set_selection([500])
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(lambda: not props.fields.isHidden() and "img" in props.source.text(), timeout=10000)
    assert not shows_probe(props.source)


def test_annotator_names_show_as_text_in_the_side_by_side_view(qtbot, window, probe) -> None:  # type: ignore[no-untyped-def]
    """Annotator names come from the merged project file (its objects' ``pixelproof.annotator``): the
    Annotators Side by Side titles show them as written."""
    from pixelproof.core import masks
    from pixelproof.core.model import Annotation
    from pixelproof.core.overlap_versions import ANNOTATOR_KEY

    doc = window.document
    hostile = f'<img src="{probe}">'
    names = ["ann", hostile]
    im = doc.project.images[1]
    m = np.zeros((im.height, im.width), bool)
    m[10:40, 10:40] = True
    for k, name in enumerate(names):
        ann = Annotation(900 + k, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
        ann.app_extra[ANNOTATOR_KEY] = name
        doc.project.add_annotation(ann)
    doc.project.app["overlap_annotators"] = {"1": names}
    view = window.teams.view
    view.action.trigger()  # Review > Annotators Side by Side
    qtbot.waitUntil(lambda: len(view.panes) == 3, timeout=10000)
    assert sorted(p.title for p in view.panes[:2]) == sorted(names)
    labels = [w for w in view.widget.findChildren(QLabel) if "img" in w.text()]
    assert labels and view.widget.isVisible()
    assert not any(shows_probe(w) for w in labels)


HIDING = 'x<font color="#00000000">hidden'  # a legal name: Qt read as rich text, "hidden" is not seen


def _renders_markup(text: str | None) -> bool:
    """Qt would show ``text`` (a tooltip, a label in its automatic format) as rich text, its tags taken as
    markup: a tag from a name in it is not escaped."""
    from PySide6.QtGui import Qt as GuiQt

    return bool(text) and "<font" in text and GuiQt.mightBeRichText(text)


def _model_tips(model) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QModelIndex

    tips, parents = [], [QModelIndex()]
    while parents:
        parent = parents.pop()
        try:
            columns = model.columnCount(parent)
        except TypeError:  # a list model's is private: one column
            columns = 1
        for r in range(model.rowCount(parent)):
            for c in range(columns):
                index = model.index(r, c, parent)
                tips.append(model.data(index, Qt.ItemDataRole.ToolTipRole) or "")
            parents.append(model.index(r, 0, parent))
    return [t for t in tips if isinstance(t, str)]


def test_no_tooltip_or_label_shows_a_name_from_a_file_as_markup(qtbot, tmp_path: Path, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """A CVAT task whose image, label, attribute names and values, an undeclared attribute's value and an
    object's source are ``x<font color="#00000000">hidden``: every tooltip, label and item tooltip of the
    main window shows the tag as text (escaped, ``&lt;font``, or a plain-text label), the object selected."""
    from xml.sax.saxutils import escape

    from PIL import Image
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractItemView, QComboBox

    from pixelproof.core.coco import save_project
    from pixelproof.interop.cvat import read_cvat
    from tests.ui.conftest import open_main_window

    h = escape(HIDING, {'"': "&quot;"})
    xml = f"""<annotations><version>1.1</version><meta><task><labels>
<label><name>{h}</name><attributes>
<attribute><name>{h}</name><input_type>select</input_type><default_value>{h}</default_value>
<values>{h}
plain</values></attribute>
<attribute><name>{h}2</name><input_type>text</input_type><default_value></default_value><values></values>
</attribute></attributes></label></labels></task></meta>
<image id="0" name="{h}.png" width="200" height="150">
<box label="{h}" occluded="0" xtl="20" ytl="20" xbr="80" ybr="70"><attribute name="{h}">{h}</attribute>
<attribute name="{h}2">{h}</attribute><attribute name="undeclared {h}">{h}</attribute></box>
</image></annotations>"""
    folder = tmp_path / "cvat"
    folder.mkdir()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(folder / f"{HIDING}.png")
    (folder / "annotations.xml").write_text(xml, encoding="utf-8")
    project = read_cvat(folder).project
    ann = next(iter(project.annotations.values()))
    ann.source = f"model:{HIDING}"
    ann.note = HIDING
    save_project(project, folder / "project.json")
    win = open_main_window(qtbot, folder / "project.json")
    win.docks["propertiesDock"].show()
    win.docks["propertiesDock"].raise_()
    win.document.set_selection([ann.id])
    props = win.panels["propertiesDock"]
    qtbot.waitUntil(lambda: not props.fields.isHidden(), timeout=10000)
    tips: list[tuple[str, str]] = []  # (where, text)
    for w in win.findChildren(QWidget):
        where = f"{type(w).__name__} {w.objectName()}"
        tips.append((where, w.toolTip()))
        if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.PlainText:
            tips.append((f"{where} text", w.text()))
        if isinstance(w, (QAbstractItemView, QComboBox)) and w.model() is not None:
            tips += [(f"{where} item", t) for t in _model_tips(w.model())]
    tips += [(f"QAction {a.text()}", a.toolTip()) for a in win.findChildren(QAction)]
    assert any("&lt;font" in t for _, t in tips)  # the names did reach tooltips, shown as text
    shown = [f"{where}: {t[:120]}" for where, t in tips if _renders_markup(t)]
    assert not shown, "\n---\n".join(shown)
    win.document.undo_stack.setClean()

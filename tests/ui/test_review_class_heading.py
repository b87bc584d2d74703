"""The review's per-class heading on slices of volumes: one line at 1366x768 and in a narrower pane."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from tests.ui.conftest import settle
from tests.ui.test_review_splitter import drag_handle
from tests.ui.test_review_volumes import review_at_1366


def shown_plain(label: QLabel) -> str:
    """What a label reads, its markup dropped (a rich-text heading's ``<b>``)."""
    from PySide6.QtGui import QTextDocumentFragment

    return QTextDocumentFragment.fromHtml(label.text()).toPlainText()


def one_line(label: QLabel) -> bool:
    """Whether ``label`` is laid out as a single line of its (bold) font."""
    m = label.contentsMargins()
    bold = label.font()
    bold.setBold(True)
    from PySide6.QtGui import QFontMetrics

    line = QFontMetrics(bold).lineSpacing()
    return label.height() - m.top() - m.bottom() < 2 * line and (
        QFontMetrics(bold).horizontalAdvance(shown_plain(label)) <= label.contentsRect().width()
    )


def test_the_per_class_heading_of_slices_stays_on_one_line(qtbot, tmp_path, no_prompts) -> None:
    """'Per class — means over slices (2D), not 3D' wrapped to two lines beside the mAP at 1366x768 (and
    further in a narrower pane), pushing the class rows down. It is shorter now and never wraps: whole at
    1366x768, cut at its end in a pane dragged narrower, its tooltip then giving it whole."""
    names = [f"patient_000{n}_abdomen_ct.nii.gz" for n in (1, 2, 3)]
    with review_at_1366(qtbot, tmp_path, names) as win:
        view = win.review.view
        heading = view.images.class_heading
        settle()  # the layout: turns of the event loop, not ms
        assert heading.isVisible() and "slices" in shown_plain(heading)
        assert one_line(heading), (heading.height(), shown_plain(heading), heading.width())
        assert "…" not in shown_plain(heading)  # whole at 1366x768
        whole = shown_plain(heading)
        drag_handle(view.splitter, 420 - view.splitter.sizes()[0])  # a reviewer wants bigger panes
        qtbot.waitUntil(lambda: view.splitter.sizes()[0] <= 430, timeout=10000)
        settle()  # the layout: turns of the event loop, not ms
        assert one_line(heading), (heading.height(), shown_plain(heading), heading.width())
        if shown_plain(heading) != whole:  # cut: the tooltip says it whole
            assert shown_plain(heading).endswith("…") and whole in heading.toolTip()

"""File names in table cells too narrow for them: cut so the name still reads (its extension and a
volume slice's part whole) and so rows sharing a long prefix and suffix stay told apart (five volumes
``patient_000N_abdomen_portal_venous_phase.nii.gz`` read ``…0003_abdo…phase.nii.gz``, not all
``pati…hase.nii.gz``), as file managers and IDE tabs keep the differing part. One delegate for every table
that shows file names: the Images panel, the review view's per-volume and per-slice tables."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from pathlib import PurePosixPath

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from pixelproof.core.volumes import parse_slice_ref
from pixelproof.ui.cell_text import fit_cell

SPAN_ROWS = 20_000  # a column of more rows is cut as one name alone (reading every row costs ~50 ms/10k)
CHECKED_ROWS = 64  # a change of more rows than this reads the column again, not each of its names
TEXT_MARGIN = 8  # px of a cell left beside its text
SEPARATORS = "_-. /"  # where a word of a name starts: the part kept before the differing one starts there


def file_part(name: str) -> str:
    """The file of a volume's slice (``abd.nii.gz`` of ``abd.nii.gz#z=002``), else the name."""
    return name[: name.rindex("#")] if parse_slice_ref(name) is not None else name


def _common_start(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share from their start."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


class NameSpans:
    """The file names of a column, sorted as written and written backwards: for any of them, the part no
    other shares (after the longest prefix, before the longest suffix it has in common with another)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.files = {file_part(n) for n in names}
        self._forward = sorted(self.files)
        self._backward = sorted(f[::-1] for f in self.files)

    @staticmethod
    def _shared(ordered: list[str], text: str) -> int:
        """The longest prefix ``text`` shares with another entry (the neighbours in sorted order have it)."""
        at = bisect.bisect_left(ordered, text)
        near = [ordered[i] for i in (at - 1, at, at + 1) if 0 <= i < len(ordered) and ordered[i] != text]
        return max((_common_start(text, n) for n in near), default=0)

    def differing(self, file: str) -> tuple[int, int] | None:
        """(start, end) of the part of ``file`` that tells it from the other names; None when none other
        shares its start or its end (a plain cut keeps both ends)."""
        if len(self.files) < 2:
            return None
        start, end = self._shared(self._forward, file), len(file) - self._shared(self._backward, file[::-1])
        start, end = min(start, end), max(start, end)
        end = max(end, min(start + 1, len(file)))
        return None if start == 0 and end == len(file) else (start, end)


def _elide_around(stem: str, start: int, end: int, metrics: QFontMetrics, room: int) -> str | None:
    """``stem`` in ``room`` pixels with ``stem[start:end]`` whole: the shared start cut from the left back
    to the word the part begins in, the shared end cut in its middle; None when the part itself won't fit."""
    pre, key, post = stem[:start], stem[start:end], stem[end:]
    ell = metrics.horizontalAdvance("…")
    key_w = metrics.horizontalAdvance(key)
    left = room - key_w - (ell if pre else 0) - (ell if post else 0)
    if left < 0:
        return None
    pre_text = pre
    if metrics.horizontalAdvance(pre) > (room - key_w) // 2 + (0 if post else room):
        budget = max(ell, (room - key_w) // 2 if post else room - key_w)
        word = "…" + pre[max(pre.rfind(c) for c in SEPARATORS) + 1 :]
        fits = metrics.horizontalAdvance(word) <= budget
        pre_text = word if fits else metrics.elidedText(pre, Qt.TextElideMode.ElideLeft, budget) or "…"
    post_room = room - key_w - metrics.horizontalAdvance(pre_text)
    for _ in range(3):  # a pixel of kerning where the parts join: cut the end a little more
        post_text = metrics.elidedText(post, Qt.TextElideMode.ElideMiddle, post_room) or ("…" if post else "")
        shown = pre_text + key + post_text
        if metrics.horizontalAdvance(shown) <= room:
            return shown
        post_room -= 2
    return None


def elide_file_name(name: str, metrics: QFontMetrics, width: int, spans: NameSpans | None = None) -> str:
    """``name`` in ``width`` pixels, cut in the middle of its stem: the extension stays readable
    ("IMG_2024…0412.jpg", not "IMG…jpg"; ".nii.gz" whole). A slice of a volume keeps its slice part whole
    and its file is cut ("abd…ct.nii.gz#z=002", not "abd…002": every slice of the volume read alike).
    ``spans``: the column's names; the part of this one that no other shares stays whole too, before the
    extension where both cannot fit (a slice's file in a narrow column: ``…01…#z=004``)."""
    if metrics.horizontalAdvance(name) <= width:
        return name
    if parse_slice_ref(name) is not None:
        at = name.rindex("#")
        room = width - (metrics.horizontalAdvance(name) - metrics.horizontalAdvance(name[:at]))  # as joined
        if room < metrics.horizontalAdvance("…"):  # no room for the file at all: the slice part's end
            return metrics.elidedText(name, Qt.TextElideMode.ElideLeft, width)
        return elide_file_name(name[:at], metrics, room, spans) + name[at:]
    path = PurePosixPath(name)
    compound = path.suffix.lower() == ".gz" and len(path.suffixes) > 1  # scan.nii.gz
    suffix = "".join(path.suffixes[-2:]) if compound else path.suffix
    stem = name[: len(name) - len(suffix)] if suffix else name
    room = width - metrics.horizontalAdvance(suffix)
    fits_suffix = bool(suffix) and room >= metrics.horizontalAdvance("x…x")
    part = spans.differing(name) if spans is not None and name in spans.files else None
    if part is not None:  # the differing part whole, with the extension if both fit, else before it
        if fits_suffix and part[0] < len(stem):
            shown = _elide_around(stem, part[0], min(part[1], len(stem)), metrics, room)
            if shown is None and part[1] - part[0] > 1:  # a long part (``motorcycle`` of ``coffee``'s
                # ``e.jpg``): its first letter, the one no other name has there, with the extension;
                # it cut ``.jpg`` to ``motorcycle…g`` and dropped ``phantom16.png``'s whole
                shown = _elide_around(stem, part[0], part[0] + 1, metrics, room)
            if shown is not None:
                return shown + suffix
        shown = _elide_around(name, *part, metrics, width)
        if shown is not None:
            return shown
    if not fits_suffix:
        return metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width)
    return metrics.elidedText(stem, Qt.TextElideMode.ElideMiddle, room) + suffix


class FileNameDelegate(QStyledItemDelegate):
    """Draws a file name column with ``elide_file_name`` instead of Qt's elision, which drops the dot (and
    a slice's ``#z=``) and cuts names sharing a prefix and suffix alike. It reads the column's names once
    (``NameSpans``) and again when rows come, go or are sorted, or a changed row's name is a new one."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._model: QAbstractItemModel | None = None
        self._spans: NameSpans | None = None

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        spans = self.spans(index)
        # the style's own room, as Qt measures what it draws: a name that fits is never cut
        option.text = fit_cell(
            option, lambda name, metrics, room: elide_file_name(name, metrics, room, spans)
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        """The whole name's size (what the column needs), not that of the name cut to the cell it has."""
        opt = QStyleOptionViewItem(option)
        super().initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        size = style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), opt.widget)
        size.setWidth(max(size.width(), opt.fontMetrics.horizontalAdvance(opt.text) + TEXT_MARGIN))
        return size

    def spans(self, index: QModelIndex | QPersistentModelIndex) -> NameSpans | None:
        """The names of ``index``'s column, read once for all its rows."""
        model = index.model()
        if model is None:
            return None
        if model is not self._model:
            self._follow(model)
        if self._spans is None:
            rows = model.rowCount()
            col = index.column()
            names = [model.index(r, col).data() for r in range(rows)] if rows <= SPAN_ROWS else []
            self._spans = NameSpans(n for n in names if isinstance(n, str))
        return self._spans

    def _follow(self, model: QAbstractItemModel) -> None:
        self._model, self._spans = model, None
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._forget)
        model.dataChanged.connect(self._data_changed)

    def _forget(self, *_: object) -> None:
        self._spans = None

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex, *_: object) -> None:
        """A row's status or count changed (most changes): its name is one read already, nothing to do."""
        spans = self._spans
        if spans is None or self._model is None:
            return
        if bottom.row() - top.row() >= CHECKED_ROWS:
            self._spans = None
            return
        for r in range(top.row(), bottom.row() + 1):
            name = self._model.index(r, 0).data()
            if isinstance(name, str) and file_part(name) not in spans.files:
                self._spans = None
                return

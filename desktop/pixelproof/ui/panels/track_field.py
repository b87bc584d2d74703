"""The Track row of the Properties panel: the selected objects' track (a video's, ``track_id``), a field to
put them on a track by its number (empty: on none), whether the object is a key frame of it or interpolated
(Fill Between Frames', until moved) and a New Track button (Tracks > New Track's), each change
one undo step; shown once the project has a track (``wanted``). ``ui.track_actions`` makes the change and
says in the status bar what was done or why it was refused (a track holds one object on an image)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from pixelproof.core.clipboard import track_of
from pixelproof.core.model import Annotation
from pixelproof.ui.document import Document
from pixelproof.ui.one_line import OneLineLabel
from pixelproof.ui.panels.base import esc_reverts
from pixelproof.ui.track_actions import frame_kind, join_track, new_track_key, start_tracks

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

MIXED = "(several)"
NONE = "none"


class KindLabel(OneLineLabel):
    """ "key frame" / "interpolated 0-30": whole where the row has room, cut with ``…`` (the whole in the
    tooltip) where it has not, so the row never widens the panel. At 1024x576 with the Problems panel open
    the Properties dock is about 250 px: the row's label, field and button took 276-310 px and cut every
    row of the panel at its right edge (Locked, Review, the New Track button itself)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:  # the whole text's width (+2: eliding rounds up), so cut it grows back
        margins = self.contentsMargins().left() + self.contentsMargins().right()
        width = self.fontMetrics().horizontalAdvance(self.whole) + margins + 2
        return QSize(width, super().sizeHint().height())

    def tooltip_text(self) -> str:
        return f"{self.whole}: {self.tip}" if self.is_cut() and self.tip else super().tooltip_text()


class TrackField(QWidget):
    def __init__(self, shell: Callable[[], Shell | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shell = shell  # the window, once the panel is installed (status bar, selection)
        self._doc: Document | None = None
        self._ids: tuple[int, ...] = ()  # the objects the field shows
        self.edit = QLineEdit()
        self.edit.setMaxLength(20)
        self.edit.setToolTip(
            "The object's track (a video's track_id): type a track's number to put it on that track (one "
            "object of a track on a frame), nothing to take it off; Fill Between Frames fills its frames"
        )
        self.edit.setAccessibleName("Track")  # the form's label is the row's, not the field's buddy
        self.edit.editingFinished.connect(lambda: self._edited(self._ids))
        esc_reverts(self.edit)
        self.kind = KindLabel()  # "key frame" or "interpolated 0-30", as CVAT's sidebar tells a keyframe
        self.kind.setAccessibleName("Key frame or interpolated")
        self.new = QPushButton("New Track")
        self.new.clicked.connect(self._new)
        self.new.setAccessibleName("New Track")
        self._tracked: tuple[weakref.ref[Document], bool] | None = None  # whether the document has a track
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)  # the spare room, and the first to give it up: then the kind is cut
        layout.addWidget(self.kind)
        layout.addWidget(self.new)

    def show_for(self, doc: Document | None, anns: list[Annotation]) -> None:
        """The objects' shared track, "(several)" for different ones; what is being typed stays while the
        same objects are shown."""
        ids = tuple(a.id for a in anns)
        if ids != self._ids and self.edit.isModified():
            self._edited(self._ids)  # typed for the objects the selection just left
        moved = ids != self._ids
        self._doc, self._ids = doc, ids
        self.new.setToolTip(f"Each selected object starts a track of its own: {new_track_key()}")
        if moved or not self.edit.hasFocus():
            self._reset(anns)

    def wanted(self, doc: Document, anns: list[Annotation]) -> bool:
        """Whether the row is shown: once the project has a track (a video's, or T's), so a project of
        photos or of a slide's cells keeps its height for what it shows (a cell's measurements at 1366x768).
        The project's objects are looked through once a document; then a selected object on a track turns
        the row on (New Track), and it stays on."""
        known = self._tracked
        if known is None or known[0]() is not doc:
            known = (weakref.ref(doc), any(track_of(a) is not None for a in doc.project.annotations.values()))
        if not known[1] and any(track_of(a) is not None for a in anns):
            known = (known[0], True)
        self._tracked = known
        return known[1]

    def _reset(self, anns: list[Annotation]) -> None:
        """The field as the objects are, what was typed dropped."""
        tracks = {track_of(a) for a in anns}
        one = next(iter(tracks)) if len(tracks) == 1 else None
        self.edit.setModified(False)
        self.edit.setText("" if one is None else str(one))
        self.edit.setPlaceholderText(MIXED if len(tracks) > 1 else NONE)
        kinds = {frame_kind(a) for a in anns}  # several objects: said when they are alike
        text, tip = next(iter(kinds)) if len(kinds) == 1 else ("", "")
        self.kind.set_line(text, tip)
        self.kind.updateGeometry()  # its size hint is its whole text's
        self.kind.setVisible(bool(text))

    def _edited(self, ids: tuple[int, ...]) -> None:
        shell, doc = self._shell(), self._doc
        if not self.edit.isModified() or shell is None or doc is None or doc is not shell.document:
            return
        self.edit.setModified(False)
        if not join_track(shell, doc, ids, self.edit.text()) and ids == self._ids:
            anns = doc.project.annotations  # refused: the field shows the objects' track again
            self._reset([anns[i] for i in ids if i in anns])

    def _new(self) -> None:
        shell, doc = self._shell(), self._doc
        if shell is not None and doc is not None and doc is shell.document and self._ids:
            start_tracks(shell, doc, list(self._ids))

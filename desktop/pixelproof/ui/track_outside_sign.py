"""The canvas's sign that the current track is out of view: on a frame from a mark where it left the view
(Tracks > Track Leaves View Here, CVAT's ``outside``) up to its next object, nothing of the track is drawn,
and a user took the track for lost. A small label in the canvas's top-left corner says ``Track 7 (person)
left the view at frame 12 (next key: frame 30)``; it goes on any frame where the track is in view again.

The track is the current one of Track Box Here (``TrackBoxActions.track``: the last one the user selected an
object of, kept across D / A). Whether it is out of view is ``core.track_outside``'s to say
(``out_of_view_runs``); the runs of a video are kept until the project changes (an edit, an undo), so a
frame change looks them up instead of walking the frames again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel

from pixelproof.core.frame_sequences import sequence_name, sequence_of
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import Project
from pixelproof.core.names import shown_name
from pixelproof.core.track_fill import shown_track
from pixelproof.core.track_outside import OutOfView, Run, out_of_view_runs, run_at

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell
    from pixelproof.ui.track_box_actions import TrackBoxActions

MARGIN = 8  # px from the canvas's top-left corner
STYLE = "background: rgba(20, 20, 20, 200); color: #ffd54f; padding: 3px 6px; border-radius: 3px;"


def sign_text(project: Project, info: OutOfView) -> str:
    """What the sign says: the track, its class, the frame it left at and its next key's."""
    category = project.categories.get(info.category) if info.category is not None else None
    name = f" ({shown_name(category.name, NAME_IN_TEXT)})" if category is not None else ""
    back = f"next key: frame {info.back}" if info.back is not None else "no key after it"
    return f"Track {shown_track(info.track)}{name} left the view at frame {info.mark} ({back})"


class TrackOutsideSign(QObject):
    """The label over the canvas's viewport (module docstring); ``refresh`` after a selection or frame
    change (``ClipboardActions`` calls it with the Tracks menu's items), ``forget`` after an edit."""

    def __init__(self, shell: Shell, track_box: TrackBoxActions) -> None:
        super().__init__(shell)
        self.shell, self.track_box = shell, track_box
        self.label = QLabel(shell.canvas.viewport())
        self.label.setObjectName("trackOutsideSign")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setStyleSheet(STYLE)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.hide()
        self._runs: dict[tuple[str, str], list[Run]] = {}  # (track, video) -> its runs out of view
        self._doc: Document | None = None

    def forget(self) -> None:
        """The project changed (an edit, its undo): the runs are worked out again when next shown."""
        self._runs.clear()
        self.refresh()

    def refresh(self) -> None:
        """Show the sign when the current track is out of view on the frame shown, else hide it."""
        doc, shell = self.shell.document, self.shell
        if doc is not self._doc:
            self._doc = doc
            self._runs.clear()
            if doc is not None:  # the connections go with the document
                doc.editAnnounced.connect(self.forget)
                doc.imagesChanged.connect(self.forget)  # frames added or gone: the places move
        info = None
        track = self.track_box.track
        if doc is not None and track is not None and shell.current_view() is shell.canvas:
            info = self._out_of_view(doc.project, doc.current_image_id, track)
        if info is None:
            self.label.hide()
            return
        self.label.setText(sign_text(doc.project, info))  # type: ignore[union-attr]
        self.label.adjustSize()
        self.label.move(MARGIN, MARGIN)
        self.label.show()
        self.label.raise_()

    def _out_of_view(self, project: Project, image_id: int, track: int | str) -> OutOfView | None:
        sequence, video = sequence_of(project, image_id), sequence_name(project, image_id)
        if sequence is None or video is None:
            return None
        key = (str(track), video)
        if key not in self._runs:
            self._runs[key] = out_of_view_runs(project, image_id, track)
        return run_at(self._runs[key], sequence.places[image_id])

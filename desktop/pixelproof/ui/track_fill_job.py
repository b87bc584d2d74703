"""Fill Between Frames on a long track, in the background: a 100,000-frame track took ~4 s of a frozen
window. The fill is planned (``core.track_fill.fill_plan``) in a ``jobs.Job`` on a ``Project.snapshot``,
with progress and Cancel in the status bar (``StatusProgress``; Esc on the canvas cancels too); the user
goes on working meanwhile. Back on the UI thread the new objects get their ids and the one edit is pushed
(one undo step, as a short fill) - unless the project changed meanwhile (an edit, an undo, images added or
removed): the plan is then of a project that is gone, so nothing is filled and the status bar says to fill
again. Cancel fills nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core import track_fill as core
from pixelproof.core.model import IdsExhausted
from pixelproof.ui import dialogs
from pixelproof.ui.jobs import Job
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.status_progress import StatusProgress

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

# tracks over more frames than this are filled in the background: ~50 ms of filling on the UI thread at
# most, so a short track (and its tests) is filled at once as before
BACKGROUND_FRAMES = 2000


def fill_key() -> str:
    """How the user fills again: the item's key, or its menu path when it has none."""
    keys = REGISTRY.text("edit.fill_between_frames")
    return keys if keys else "Tracks > Fill Between Frames"


class TrackFillJob(QObject):
    """One background fill of ``track`` over the sequence ``frames`` of ``doc``. ``on_filled(doc, made,
    track)`` pushes and says the fill (the window's own, as for a short track); ``on_ended()`` is called
    once whatever the outcome (the window lets Shift+T fill again)."""

    def __init__(
        self,
        shell: Shell,
        doc: Document,
        frames: Sequence[tuple[int, int]],
        track: int | str,
        on_filled: Callable[[Document, core.TrackFilled, int | str], None],
        on_ended: Callable[[], None],
    ) -> None:
        super().__init__(shell)
        self.shell, self.doc, self.track = shell, doc, track
        self._on_filled, self._on_ended = on_filled, on_ended
        self.changed = False  # an edit, an undo or the image list since the snapshot
        self._index, self._images = doc.undo_stack.index(), list(doc.project.images)
        snapshot = doc.project.snapshot()  # what the job reads while the user edits on
        window = range(len(frames))
        self.job = Job(
            lambda job: core.fill_plan(snapshot, frames, track, window, progress=job.step),
            self,
            expected=(core.FillRefused,),
        )
        doc.editAnnounced.connect(self._project_changed)
        doc.imagesChanged.connect(self._project_changed)
        shell.documentChanged.connect(self._document_changed)
        self.status = StatusProgress(shell.status_bar, shell.canvas, self._drawing)
        self.status.show_work(f"Filling the frames of track {core.shown_track(track)}", self.cancel)
        self.job.progress.connect(self.status.progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)
        self.job.start()

    def busy(self) -> str:
        """Why another fill cannot start now."""
        return (
            f"track {core.shown_track(self.track)} is still being filled: wait for it, or press Esc (or "
            "Cancel on the status bar)"
        )

    def _drawing(self) -> bool:
        """A drawing in progress on the canvas: Esc cancels it, not the fill."""
        tool = self.shell.canvas.tool
        return tool is not None and tool.busy()

    def cancel(self) -> None:
        """Stop the planning; nothing is filled (``cancelled`` says so)."""
        self.job.cancel()

    def _project_changed(self) -> None:
        self.changed = True

    def _document_changed(self, _doc: object) -> None:
        self.cancel()  # the project closed or another opened: the fill is of neither

    def _unchanged(self) -> bool:
        doc = self.doc
        return (
            self.shell.document is doc
            and not self.changed
            and doc.undo_stack.index() == self._index
            and list(doc.project.images) == self._images
        )

    def _finished(self, plan: core.FillPlan) -> None:
        self._end()
        if self.shell.document is not self.doc:
            return
        if not self._unchanged():
            self.shell.status(
                f"Fill Between Frames: nothing filled: the project changed while track "
                f"{core.shown_track(self.track)} was being filled; press {fill_key()} again to fill it",
                10000,
                "warning",
            )
            return
        try:
            made = core.planned_fill(self.doc.project, plan, self.track)
        except IdsExhausted as e:  # no id left: nothing added
            dialogs.show_error(self.shell.widget, "Fill Between Frames", str(e))
            return
        self._on_filled(self.doc, made, self.track)

    def _failed(self, reason: str) -> None:
        self._end()
        if self.shell.document is self.doc:
            dialogs.show_error(self.shell.widget, "Fill Between Frames", reason)

    def _cancelled(self) -> None:
        self._end()
        self.shell.status(
            f"Fill Between Frames cancelled: nothing filled on track {core.shown_track(self.track)}; the "
            "project is as it was",
            8000,
        )

    def _end(self) -> None:
        """Let go of the document and the status bar; the window may fill again."""
        with contextlib.suppress(RuntimeError):  # the document already deleted (closed meanwhile)
            for signal in (self.doc.editAnnounced, self.doc.imagesChanged):
                signal.disconnect(self._project_changed)
        self.shell.documentChanged.disconnect(self._document_changed)
        self.status.end()
        self.status.deleteLater()
        self._on_ended()
        self.deleteLater()

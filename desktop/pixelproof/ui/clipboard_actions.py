"""Edit > Copy (Ctrl+C), Paste (Ctrl+V), Duplicate (Ctrl+D): the selected objects of the shown image onto
the shown image - the same one, another, another slice, or an image of another open project - as one undo
step (``core.clipboard`` places and cuts the copies; this module only wires keys, menu and messages).

The clipboard is the window's own (objects do not go through the system clipboard) and stays across
image and project changes. A text field with the focus keeps Ctrl+C / Ctrl+V for its text (Qt gives a
focused line edit its standard keys before any window shortcut). Duplicate pastes a copy onto the same
image without replacing what was copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core import clipboard
from pixelproof.core.model import IdsExhausted
from pixelproof.core.wording import plural
from pixelproof.ui import dialogs
from pixelproof.ui.canvas.reveal import hidden_now
from pixelproof.ui.propagate_actions import PropagateActions
from pixelproof.ui.shortcuts import make_action
from pixelproof.ui.slice_fill_actions import SliceFillActions
from pixelproof.ui.track_actions import TrackActions
from pixelproof.ui.track_box_actions import TrackBoxActions
from pixelproof.ui.track_edit_actions import TrackEditActions
from pixelproof.ui.track_fill_actions import TrackFillActions
from pixelproof.ui.track_outside_sign import TrackOutsideSign
from pixelproof.ui.tracks_menu import add_tracks_menu

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell


def _objects(n: int) -> str:
    return f"{plural(n, 'object')}"


def _refused(pasted: clipboard.Pasted) -> str:
    """The objects left out for their keypoints, and why (the first one's reason: one line)."""
    n = len(pasted.refused)
    return f"{_objects(n)} left out: {pasted.refused[0]}" if n else ""


class ClipboardActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.clip: clipboard.Clipboard | None = None  # what Ctrl+V pastes
        w = shell.widget
        self.act_copy = make_action("edit.copy", w, self.copy, tip="Copy the selected objects")
        self.act_paste = make_action(
            "edit.paste", w, self.paste, tip="Paste the copied objects onto this image, at the same place"
        )
        self.act_duplicate = make_action(
            "edit.duplicate", w, self.duplicate, tip="A copy of the selected objects on top of them"
        )
        actions = [self.act_copy, self.act_paste, self.act_duplicate]
        shell.add_edit_actions(actions)
        for act in actions:
            shell.add_action(act)
        self.propagation = PropagateActions(shell)  # Edit > Propagate… (Ctrl+B), Keep Previous Objects
        self.slice_fill = SliceFillActions(shell)  # Edit > Fill Between Slices (3D Slicer's)
        # the Tracks menu's items (CVAT's track mode), greyed by the changes the clipboard's items follow
        self.track_fill = TrackFillActions(shell)  # Fill Between Frames (Shift+T)
        self.tracks = TrackActions(shell)  # New Track (T)
        self.track_box = TrackBoxActions(shell)  # Track Box Here (Ctrl+T)
        self.track_edit = TrackEditActions(shell)  # Merge Tracks, Split Track Here, Track Leaves View Here
        self.track_sign = TrackOutsideSign(shell, self.track_box)  # "Track 7 left the view at frame 12"
        track_items = [self.tracks.act_new_track, self.track_box.act_box, self.track_fill.act_fill]
        self.tracks_menu = add_tracks_menu(shell, track_items + self.track_edit.acts)
        shell.documentChanged.connect(self._document_changed)
        shell.viewChanged.connect(self._update)
        self._document_changed(shell.document)

    def _document_changed(self, doc: Document | None) -> None:
        if doc is not None:  # the connections go with the document
            doc.selectionChanged.connect(self._update)
            doc.currentImageChanged.connect(self._update)
            doc.editAnnounced.connect(self.track_fill.refresh)  # a track given or taken by an edit, an undo
        self._update()

    def _update(self, *_: object) -> None:
        doc, shell = self.shell.document, self.shell
        shown = doc is not None and doc.current_image_id != -1 and shell.current_view() is shell.canvas
        selected = shown and bool(self._selected_ids())
        self.act_copy.setEnabled(selected)
        self.act_duplicate.setEnabled(selected)
        self.act_paste.setEnabled(shown and self.clip is not None)
        self.slice_fill.refresh()  # their items follow the same changes
        self.track_fill.refresh()
        self.tracks.refresh()
        self.track_box.refresh()
        self.track_edit.refresh()
        self.track_sign.refresh()  # after track_box's: its current track

    def _selected_ids(self) -> list[int]:
        doc = self.shell.document
        return [a.id for a in doc.selected_annotations() if a.image_id == doc.current_image_id]

    def _copied(self) -> clipboard.Clipboard | None:
        doc = self.shell.document
        if doc is None or doc.current_image_id == -1 or not self._selected_ids():
            return None
        return clipboard.copy_annotations(doc.project, doc.current_image_id, self._selected_ids())

    def copy(self) -> None:
        clip = self._copied()
        if clip is not None:
            self.clip = clip
            n = len(clip.annotations)
            self.shell.status(f"Copied {_objects(n)}: Ctrl+V pastes them onto this or another image", 6000)
            self._update()

    def paste(self) -> None:
        if self.clip is not None:
            self._place(self.clip, "Paste")

    def duplicate(self) -> None:
        clip = self._copied()
        if clip is not None:
            self._place(clip, "Duplicate")

    def _place(self, clip: clipboard.Clipboard, verb: str) -> None:
        """Add copies of ``clip``'s objects to the shown image (one undo step) and say what was done."""
        doc = self.shell.document
        if doc is None or doc.current_image_id == -1:
            return
        canvas = self.shell.canvas
        if canvas.tool is not None:
            canvas.tool.cancel()  # a drawing in progress is dropped, as undo and redo do
        image = doc.project.images[doc.current_image_id]
        try:
            pasted = clipboard.paste(clip, doc.project, image.id)
        except IdsExhausted as e:  # no id left for the copies: nothing pasted
            dialogs.show_error(self.shell.widget, verb, str(e))
            return
        except ValueError as e:  # a category gone (PasteRefused), a mask over the pixel limit
            self.shell.status(f"{verb}: {e}", 10000, "warning")
            return
        anns, outside = pasted.annotations, f"outside this {image.width} x {image.height} image"
        refused = _refused(pasted)
        if not anns:
            lie = f"the copied {_objects(pasted.left_out)} lie {outside}" if pasted.left_out else ""
            said = "; ".join(t for t in (lie, refused) if t)
            self.shell.status(f"Nothing pasted: {said}", 10000, "warning")
            return
        hidden = hidden_now(canvas)
        doc.push(clipboard.pasted_edit(pasted, f"{verb} {_objects(len(anns))}"))  # canvas: their categories
        done = "Duplicated" if verb == "Duplicate" else "Pasted"
        where = "on top of the originals (V, then the arrow keys or a drag, moves them)"
        on_originals = clip.is_on(doc.project, image.id)
        text = f"{done} {_objects(len(anns))} " + (where if on_originals else "at the same place")
        if pasted.left_out:
            text += f"; {_objects(pasted.left_out)} left out: {outside}"
        if refused:
            text += f"; {refused}"
        # said here too: this line replaces the canvas's note
        shown_again = sorted(hidden - hidden_now(canvas))
        if shown_again:
            names = ", ".join(doc.project.categories[c].name for c in shown_again)
            text += f"; {names} was hidden: shown again"
        self.shell.status(text, 10000)

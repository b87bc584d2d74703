"""The preference "Video tracks: refill interpolated frames when a key frame changes" (Edit > Preferences, on
by default): after an edit of a track's key, the fills next to it follow it in the same undo step
(``core.track_refill``; ``Document.follow_up`` applies it), and the fills past a deleted first or
last key are removed. Off, they stay as they were and the status bar
says that Fill Between Frames fills them again, as before. Read at each edit: a change applies at once."""

from __future__ import annotations

from pixelproof.ui.settings import settings

KEY = "tracks/refill_on_key_edit"
# "key frame", as the Properties panel's Track row says it: in a dialog of keyboard keys, "a key" read as one
LABEL = "Video tracks: refill interpolated frames when a key frame changes"
TIP = (
    "On: moving, resizing, reshaping or deleting a key frame of a video's track (or adding one with Track "
    "Box Here) fills the frames next to it again, as CVAT's interpolated frames follow a keyframe, and "
    "deleting a first or last one removes the filled frames beyond the new first or last; one "
    "Ctrl+Z takes back both. Frames you changed yourself are keys and are never refilled. Off: they stay "
    "as they were until Tracks > Fill Between Frames"
)


def refills() -> bool:
    """Whether the fills next to an edited key follow it (a damaged value: on, the default)."""
    return settings().value(KEY, "true") not in ("false", False)


def set_refills(on: bool) -> None:
    """Keep the preference at once: the next edit reads it."""
    settings().setValue(KEY, "true" if on else "false")

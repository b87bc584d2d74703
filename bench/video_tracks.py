"""A key edit and Fill Between Frames on a long video's track (no Qt).

``python -m bench video_tracks [--frames N] [--step K]``

A project of one folder of N frames ``clip/frame_NNNNNN.png`` (100,000 by default), track 1 drawn on
every K-th frame (30). Timed: numbering the folder's frames the first time and again (``sequence_frames``);
Fill Between Frames over the track (its planning and the edit's apply); then a key drag in the middle of
the video - the key's edit applied and the refill of the fills next to it worked out
(``track_refill.refill_after``, what ``Document.follow_up`` runs) - as the median of 20 drags; then the
fill's edit pushed through a ``Document`` (its undo step, follow-up check and signals, offscreen with no
window: what the window adds on top is its panels' share) and undone.
Target: the drag's refill well under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from pixelproof.core.coco import new_project
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.track_fill import fill_between_frames, sequence_frames, untouched_fill
from pixelproof.core.track_refill import refill_after

TARGET_MS = 50.0


def video(frames: int, step: int) -> Project:
    """The project: ``frames`` frames, track 1's box on every ``step``-th (and the last)."""
    p = new_project(["car"])
    for f in range(frames):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 640, 480))
    keys = [*range(0, frames, step), frames - 1]
    for n, f in enumerate(dict.fromkeys(keys)):
        x = float(f % 500)
        p.add_annotation(Annotation(n + 1, f + 1, 1, [x, 10.0, 50.0, 40.0], extra={"track_id": 1}))
    return p


def pushed(frames: int, step: int) -> tuple[float, float]:
    """Seconds to push the whole video's fill edit through a ``Document``, then to undo it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from pixelproof.ui.document import Document

    _app = QGuiApplication.instance() or QGuiApplication([])
    doc = Document(video(frames, step))
    done = fill_between_frames(doc.project, 1, 1)
    assert done.edit is not None
    t = time.perf_counter()
    doc.push(done.edit)
    push = time.perf_counter() - t
    t = time.perf_counter()
    doc.undo_stack.undo()
    return push, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench video_tracks")
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--step", type=int, default=30)
    args = parser.parse_args(argv)
    p = video(args.frames, args.step)
    t = time.perf_counter()
    sequence_frames(p, 1)
    first = time.perf_counter() - t
    t = time.perf_counter()
    sequence_frames(p, 1)
    again = time.perf_counter() - t
    print(f"numbering the folder's frames: {first * 1000:.1f} ms the first time, {again * 1000:.1f} ms again")
    t = time.perf_counter()
    done = fill_between_frames(p, 1, 1)
    assert done.edit is not None
    done.edit.apply(p)
    fill_s = time.perf_counter() - t
    print(f"Fill Between Frames over {args.frames:,} frames ({done.filled:,} filled): {fill_s:.2f} s")
    middle = (args.frames // 2 // args.step) * args.step + 1  # a key's image near the middle
    (key,) = [a for a in p.annotations_of(middle) if not untouched_fill(a)]
    times = []
    for n in range(20):
        moved = clone(p.annotations[key.id])
        moved.bbox = [moved.bbox[0] + (1.0 if n % 2 == 0 else -1.0), *moved.bbox[1:]]
        t = time.perf_counter()
        edit = ReplaceAnnotations([moved])
        changes = edit.apply(p)
        refill = refill_after(p, edit, changes)
        times.append(time.perf_counter() - t)
        assert refill.edit is not None, refill.refused
        refill.edit.apply(p)
    drag = statistics.median(times) * 1000
    print(
        f"a key drag (edit + refill of {refill.filled} frames): {drag:.1f} ms median "
        f"(target < {TARGET_MS:.0f})"
    )
    push, undo = pushed(args.frames, args.step)
    print(f"the fill's edit through the Document (no window): push {push:.2f} s, undo {undo:.2f} s")
    return 0 if drag < TARGET_MS else 1

"""Add Images to a long video with outside marks (no Qt).

``python -m bench add_images_marks [--frames N] [--marks M]``

A project of one folder of N frames ``clip/frame_NNNNNN.png`` (100,000 by default) and M outside marks
(1,000), on frames and between them. Timed: AddImages of one image not named like a CVAT frame
(``clip/cover.png``, which turns the folder's numbering from names to places) and of one named so, each
as its marks' renumbering (``outside_follow.renumbered``) against its general path, the folder
numbered in full before and after (``frame_numbers`` twice, as renumbering did). Both must give the same
marks; the ratio is reference / now.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from pixelproof.core.coco import new_project
from pixelproof.core.edits.images import AddImages
from pixelproof.core.frame_sequences import frame_numbers
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.outside_follow import _renumbering


def reference(entries: list[Any], before: list[ImageRecord], after: list[ImageRecord]) -> list[Any]:
    """The marks renumbered with the folder numbered in full twice (one video, every image in it): the
    general path ``outside_follow`` still takes when images were taken away or renamed."""
    was, now = frame_numbers(before), frame_numbers(after)
    move = _renumbering(was, now, sorted((number, iid) for iid, number in was.items()))
    return [{**e, "frame": move(e["frame"])} for e in entries]


def video(frames: int, marks: int) -> Project:
    p = new_project(["car"])
    for f in range(frames):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 640, 480))
    step = max(1, frames // marks)
    p.extra["cvat_video"] = {
        "outside": [
            {"track": str(t), "part": None, "frame": t * step + t % 2, "tag": None, "sequence": "clip"}
            for t in range(marks)
        ]
    }
    return p


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench add_images_marks")
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--marks", type=int, default=1_000)
    args = parser.parse_args(argv)
    worst = 0
    for name in ("cover.png", f"frame_{args.frames + 5:06d}.png"):
        p = video(args.frames, args.marks)
        entries = p.extra["cvat_video"]["outside"]
        before = list(p.images.values())
        after = [*before, ImageRecord(10 * args.frames, f"clip/{name}", 640, 480)]
        t = time.perf_counter()
        expected = reference(entries, before, after)
        ref_s = time.perf_counter() - t
        t = time.perf_counter()
        AddImages([after[-1]]).apply(p)
        now_s = time.perf_counter() - t
        same = p.extra["cvat_video"]["outside"] == expected
        worst = worst or (0 if same else 1)
        print(
            f"add clip/{name} to {args.frames:,} frames with {args.marks:,} marks: reference (frame_numbers "
            f"twice) {ref_s:.2f} s, AddImages now {now_s:.2f} s: {ref_s / now_s:.1f}x"
            f"{'' if same else ' - MARKS DIFFER'}"
        )
    return worst

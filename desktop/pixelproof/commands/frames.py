"""``pixelproof frames VIDEO -o FOLDER [--step N] [--start S] [--stop E] [--max M] [--overwrite]``: a
video file's frames as ``frame_NNNNNN.png`` (numbered as in the video) for ``pixelproof FOLDER`` to open."""

from __future__ import annotations

import argparse

from pixelproof.commands._common import ProgressBar, add_examples, error, positive_int, shown, warn
from pixelproof.core.errors import error_text


def _frame_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a frame number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"a frame number is 0 or more, got {n}")
    return n


def add_parser(sub: argparse._SubParsersAction) -> None:
    from pixelproof.core.video_frames import DEFAULT_MAX_FRAMES

    p = sub.add_parser(
        "frames",
        help="write a video file's frames into a folder, to label as an image sequence",
        description="Writes frames of VIDEO (.mp4, .mov, .avi, .mkv, ...) into FOLDER as frame_000000.png, "
        "frame_000003.png, ..., each named by its frame number in the video, as CVAT names them; then "
        "`pixelproof FOLDER` opens them.",
    )
    p.add_argument("video", help="video file")
    p.add_argument("-o", "--output", required=True, metavar="FOLDER", help="folder to write the frames into")
    p.add_argument("--step", type=positive_int, default=1, metavar="N", help="every Nth frame (default 1)")
    p.add_argument("--start", type=_frame_number, default=0, metavar="S", help="first frame (default 0)")
    p.add_argument("--stop", type=_frame_number, metavar="E", help="last frame, included (default: the end)")
    p.add_argument(
        "--max",
        type=positive_int,
        default=DEFAULT_MAX_FRAMES,
        metavar="M",
        help=f"refuse a run writing more than M frames (default {DEFAULT_MAX_FRAMES:,})",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="write into a folder that holds frames already, replacing those of the same numbers",
    )
    add_examples(
        p,
        "pixelproof frames clip.mp4 -o clip/ --step 3",
        "pixelproof frames clip.mp4 -o clip/ --start 300 --stop 599",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.coco_dump import ProjectSaveError
    from pixelproof.core.limits import LimitError
    from pixelproof.core.save_targets import make_parent_folders
    from pixelproof.core.video_frames import VideoFramesError, extract_frames

    try:  # the missing folders above FOLDER, as every command's -o (extract_frames makes FOLDER)
        make_parent_folders(args.output)
    except ProjectSaveError as e:
        error(str(e))
        return 1
    with ProgressBar("writing frames", unit="frames") as bar:
        try:
            done = extract_frames(
                args.video,
                args.output,
                step=args.step,
                start=args.start,
                stop=args.stop,
                max_frames=args.max,
                overwrite=args.overwrite,
                progress=bar,
            )
        except (VideoFramesError, LimitError, OSError) as e:
            error(error_text(e), bar)
            return 1
    if done.stopped:
        warn(f"{args.video}: {done.stopped}")
    if not done.numbers:
        error(f"{args.video}: no frame in the range asked (--start {args.start}); nothing written")
        return 1
    print(shown(done.summary()))
    print(f"open them: pixelproof {shown(done.folder)}")
    return 3 if done.stopped else 0

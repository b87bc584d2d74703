"""A video file's frames as an image sequence PixelProof labels: ``frame_000000.png``, ``frame_000003.png``,
... in one folder, each named by its ORIGINAL frame number (as CVAT names a video's frames), so Fill Between
Frames, Go to Frame and the CVAT for video export number them as the video does. No Qt.

OpenCV decodes the video with its bundled FFmpeg, frame by frame from the first (frames skipped by ``step``
or ``start`` are grabbed, not converted): counting them so gives the true frame number where a seek would
land on the nearest key frame. What it refuses, before writing anything:

- a file that is no video: a FIFO or device (reading one blocks), a suffix that is not a video container's
  (``VIDEO_SUFFIXES``; FFmpeg would read a playlist or an image too), or one FFmpeg cannot open;
- a frame size over the pixel limit (``limits.check_image_size``), from the header and again for each frame;
- more frames than ``max_frames`` to write, from the header's frame count (a run is refused saying how many
  and how to narrow it; a video whose header counts none is stopped at the cap, said in ``stopped``);
- a folder already holding frames (``frame_*`` files), unless ``overwrite``: frames of two videos or two
  steps in one folder would make one sequence of both. With ``overwrite`` the frames of this run replace
  those of the same numbers; others are kept and counted in ``others_kept``.

Each frame is written atomically (``atomic.atomic_output``) inside the folder only: an existing frame that
is a symlink, FIFO or folder is refused up front (a link would be written through). A video that ends
before its header says (truncated, damaged) keeps the frames decoded and says so in ``stopped``; a write
that fails (the disk full) raises ``VideoFramesError`` naming the file, the frames written before it left
whole. ``progress(done, total)`` follows the frames written and may raise to stop (a cancelled job).
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pixelproof.core.atomic import atomic_output
from pixelproof.core.limits import (
    check_image_size,
    check_output_not_input,
    check_regular_file,
    file_kind,
    lexical_path,
)
from pixelproof.core.track_fill import FRAME_FILE
from pixelproof.core.wording import plural

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv")
# the FFmpeg demuxers those containers need: no playlist (hls), concat or image demuxer reads the file
DEMUXERS = "mov,avi,matroska,mpeg,asf,flv"
DEFAULT_MAX_FRAMES = 10_000  # ~10 GB of 1080p PNGs at most unless asked: a slip of --step is refused
MAX_FRAME_NUMBER = 999_999_999  # frame_NNNNNNNNN: the most digits FRAME_FILE (CVAT's names) reads
_OPTIONS = "OPENCV_FFMPEG_CAPTURE_OPTIONS"
_OPEN_LOCK = threading.Lock()  # the options go through the environment: one open sets them at a time
# FFmpeg's own lines ("moov atom not found") on stderr would tear a progress bar: the error says it once
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


class VideoFramesError(ValueError):
    """Nothing (more) was written; the message names the file and what to do."""


def frame_name(number: int) -> str:
    """``frame_000030.png``: CVAT's name for a video's frame, the one ``track_fill.FRAME_FILE`` reads."""
    return f"frame_{number:06d}.png"


@dataclass(frozen=True)
class FramesWritten:
    """What a run wrote into ``folder``: the frame numbers, in order."""

    folder: Path
    numbers: tuple[int, ...]
    declared: int  # the frames the video's header counts (0: it does not say)
    replaced: int = 0  # frames of the same number that were there (``overwrite``)
    others_kept: int = 0  # frame files of other numbers left as they were (``overwrite``)
    stopped: str = ""  # why the run ended before the range did (a truncated video, the cap), else ""

    def summary(self) -> str:
        """One line: ``clip/: 34 frames written (frame_000000.png .. frame_000099.png, every 3rd)``."""
        if not self.numbers:
            return f"{self.folder}: no frames written"
        span = f"{frame_name(self.numbers[0])} .. {frame_name(self.numbers[-1])}"
        step = self.numbers[1] - self.numbers[0] if len(self.numbers) > 1 else 1
        every = "" if step == 1 else f", every {_ordinal(step)}"
        extra = f"; {plural(self.replaced, 'frame')} replaced" if self.replaced else ""
        if self.others_kept:
            extra += f"; {plural(self.others_kept, 'other frame file')} kept as they were"
        return f"{self.folder}: {plural(len(self.numbers), 'frame')} written ({span}{every}){extra}"


def _ordinal(n: int) -> str:
    tail = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{tail}"


def frames_in_range(declared: int, step: int, start: int, stop: int | None) -> int | None:
    """How many frames ``start..stop`` (inclusive) every ``step`` holds of a video of ``declared`` frames;
    None when neither the header nor ``stop`` bounds it."""
    last = declared - 1 if declared > 0 else None
    if stop is not None:
        last = stop if last is None else min(last, stop)
    if last is None:
        return None
    return 0 if last < start else (last - start) // step + 1


def check_options(step: int, start: int, stop: int | None, max_frames: int) -> None:
    """Raise ``VideoFramesError`` for options no run can take (a step of 0, a stop before the start)."""
    if step < 1:
        raise VideoFramesError(f"step must be at least 1, got {step}")
    if start < 0 or start > MAX_FRAME_NUMBER:
        raise VideoFramesError(f"start must be a frame number 0..{MAX_FRAME_NUMBER:,}, got {start}")
    if stop is not None and stop < start:
        raise VideoFramesError(f"stop ({stop}) is before start ({start}): no frame lies between them")
    if max_frames < 1:
        raise VideoFramesError(f"the most frames to write must be at least 1, got {max_frames}")


def check_video_file(video: str | os.PathLike[str]) -> Path:
    """``video`` is a regular file with a video container's suffix; its path, absolute (FFmpeg reads a
    relative ``name:...`` as a protocol). Raises ``VideoFramesError``, ``LimitError`` or ``OSError``."""
    path = lexical_path(video)
    check_regular_file(path, str(video))  # a FIFO or device: refused before FFmpeg blocks on it
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise VideoFramesError(
            f"{video}: not a video file by its name (PixelProof reads {', '.join(VIDEO_SUFFIXES)}); "
            "a folder of pictures opens as it is: pixelproof FOLDER"
        )
    return path


@contextlib.contextmanager
def open_video(path: Path, where: str) -> Iterator[Any]:
    """``cv2.VideoCapture`` of ``path`` through FFmpeg, limited to the container demuxers of
    ``VIDEO_SUFFIXES`` and to local files; released at the end. Raises ``VideoFramesError``."""
    with _OPEN_LOCK:
        before = os.environ.get(_OPTIONS)
        os.environ[_OPTIONS] = f"format_whitelist;{DEMUXERS}|protocol_whitelist;file"
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # no "can't be used to capture"
        try:
            capture = cv2.VideoCapture(os.fspath(path), cv2.CAP_FFMPEG)
        finally:
            cv2.utils.logging.setLogLevel(level)
            if before is None:
                os.environ.pop(_OPTIONS, None)
            else:
                os.environ[_OPTIONS] = before
    try:
        if not capture.isOpened():
            raise VideoFramesError(
                f"{where}: not a video OpenCV's FFmpeg can read (damaged, truncated or no video)"
            )
        yield capture
    finally:
        capture.release()


def existing_frames(folder: Path) -> dict[int, Path]:
    """The frame files (``frame_000010.png`` and the like, any image suffix) in ``folder``, by number."""
    found: dict[int, Path] = {}
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if (m := FRAME_FILE.fullmatch(entry.name)) is not None:
                found[int(m.group(1))] = Path(entry.path)
    return found


def prepare_folder(
    folder: str | os.PathLike[str], video: Path, overwrite: bool
) -> tuple[Path, dict[int, Path]]:
    """The output folder (made if missing) and the frames already in it; refuses a folder that is the
    video or a file, and one holding frames unless ``overwrite``. Raises ``VideoFramesError``/``OSError``."""
    out = lexical_path(folder)
    check_output_not_input(out, [video], str(folder), output_is_dir=True)
    try:
        mode = os.stat(out).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISDIR(mode):
        raise VideoFramesError(
            f"{folder}: is {file_kind(mode) if not stat.S_ISREG(mode) else 'a file'}, not a folder"
        )
    there = existing_frames(out) if mode is not None else {}
    if there and not overwrite:
        first = there[min(there)].name
        raise VideoFramesError(
            f"{folder}: holds {plural(len(there), 'frame file')} already ({first}, ...); frames of two runs "
            "in one folder would make one sequence - choose an empty folder, or replace them "
            "(--overwrite; in the app, Replace frames already in the folder)"
        )
    for path in there.values():  # written through, a link would put a frame outside the folder
        kind = os.lstat(path).st_mode
        if not stat.S_ISREG(kind):
            what = "a symlink" if stat.S_ISLNK(kind) else file_kind(kind)
            raise VideoFramesError(f"{path}: is {what}, not a frame file to replace; nothing written")
    out.mkdir(parents=True, exist_ok=True)
    return out, there


def _write_frame(path: Path, frame: np.ndarray) -> None:
    ok, data = cv2.imencode(".png", frame)
    if not ok:  # pragma: no cover - a decoded 8-bit frame always encodes
        raise VideoFramesError(f"{path}: OpenCV could not encode the frame as PNG")
    with atomic_output(path, sync=False) as f:
        f.write(data.tobytes())


def extract_frames(
    video: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    step: int = 1,
    start: int = 0,
    stop: int | None = None,
    max_frames: int = DEFAULT_MAX_FRAMES,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> FramesWritten:
    """Write frames ``start``, ``start + step``, ... up to ``stop`` (inclusive; the end by default) of
    ``video`` into ``folder`` as ``frame_NNNNNN.png``, numbered as in the video (module docstring).
    Raises ``VideoFramesError``, ``LimitError`` or ``OSError`` (naming the file) - the frames written before
    a failure stay."""
    check_options(step, start, stop, max_frames)
    path = check_video_file(video)
    where = str(video)
    with open_video(path, where) as capture:
        declared = max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if width > 0 and height > 0:
            check_image_size(width, height, where, "a frame")
        wanted = frames_in_range(declared, step, start, stop)
        if declared and start >= declared:
            raise VideoFramesError(
                f"{where}: has {declared:,} frames (0..{declared - 1:,}); start {start} is past its end"
            )
        if wanted is not None and wanted > max_frames:
            raise VideoFramesError(
                f"{where}: {wanted:,} frames would be written, over the cap of {max_frames:,}; narrow the "
                "run with a larger step, a start and stop frame, or raise the cap (--step, --start, --stop, "
                "--max)"
            )
        out, there = prepare_folder(folder, path, overwrite)
        total = wanted or 0
        written: list[int] = []
        stopped = ""
        number = -1
        if progress is not None:
            progress(0, total)
        while True:
            number += 1
            if stop is not None and number > stop:
                break
            keep = number >= start and (number - start) % step == 0
            if keep and len(written) >= max_frames:
                cap = plural(max_frames, "frame")
                stopped = f"stopped at the cap of {cap} (the video's header counts no frames)"
                break
            if number > MAX_FRAME_NUMBER:
                stopped = f"stopped at frame {MAX_FRAME_NUMBER:,}, the last a frame name numbers"
                break
            if not capture.grab():
                if declared and number < declared:
                    stopped = (
                        f"the video ended at frame {number:,} of the {declared:,} its header counts "
                        "(truncated or damaged); the frames before it are written"
                    )
                break
            if not keep:
                continue
            ok, frame = capture.retrieve()
            if not ok or frame is None:
                stopped = f"frame {number:,} could not be decoded (damaged); the frames before it are written"
                break
            check_image_size(frame.shape[1], frame.shape[0], f"{where}: frame {number}", "a frame")
            target = out / frame_name(number)
            try:
                _write_frame(target, frame)
            except OSError as e:
                done = plural(len(written), "frame")
                reason = e.strerror or str(e)
                raise VideoFramesError(
                    f"{target}: not written: {reason}; the {done} written before it stay in {out}"
                ) from e
            written.append(number)
            if progress is not None:
                progress(len(written), max(total, len(written)))
    done = set(written)
    replaced, others = len(done & there.keys()), len(there.keys() - done)
    return FramesWritten(out, tuple(written), declared, replaced, others, stopped)

"""Small test videos made with OpenCV's own writer (mp4v in .mp4): frame ``i`` is a flat grey of level
``i * LEVEL``, so the order of decoded frames is checked through the lossy codec (``level_of``)."""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np

LEVEL = 12  # grey step between frames: mp4v's error is a few levels, far under half of it


def write_video(path: Path, frames: int = 20, size: tuple[int, int] = (64, 48)) -> Path:
    """``frames`` frames of ``size`` (width, height) at 10 fps; frame i is grey ``i * LEVEL``."""
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, size)
    assert w.isOpened()
    for i in range(frames):
        w.write(np.full((size[1], size[0], 3), i * LEVEL, np.uint8))
    w.release()
    return path


def level_of(png: Path) -> int:
    """The frame number a written frame's grey level says."""
    img = cv2.imread(str(png))
    assert img is not None, png
    return round(float(img.mean()) / LEVEL)


def _atoms(data: bytes) -> dict[bytes, tuple[int, int]]:
    found, i = {}, 0
    while i < len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        found[kind] = (i, size)
        i += size
    return found


def cut_after_header(path: Path, out: Path, keep: float = 0.6) -> Path:
    """``path`` as a download cut off part way: its ``moov`` (the frame index) moved before ``mdat``, as
    a "fast start" MP4 has it (chunk offsets shifted), then only ``keep`` of the frame data kept. FFmpeg
    opens it and counts every frame; the later ones are not there."""
    data = path.read_bytes()
    top = _atoms(data)
    mi, ms = top[b"moov"]
    moov = bytearray(data[mi : mi + ms])
    pos = 0
    while (pos := moov.find(b"stco", pos)) != -1:
        for k in range(struct.unpack(">I", moov[pos + 8 : pos + 12])[0]):
            at = pos + 12 + 4 * k
            moov[at : at + 4] = struct.pack(">I", struct.unpack(">I", moov[at : at + 4])[0] + ms)
        pos += 4
    di, ds = top[b"mdat"]
    assert di < mi  # OpenCV's writer puts the index last
    out.write_bytes(data[:di] + bytes(moov) + data[di : di + int(ds * keep)])
    return out

"""Other annotation formats: LabelMe, YOLO, Pascal VOC, mask folders, foreign COCO files.

Every format has the same small API so the GUI (File > Import / Export) and ``pixelproof convert`` share
it: ``read_<fmt>(path, *, on_problem=None, progress=None, **options) -> ImportResult`` and
``write_<fmt>(project, out_path, *, progress=None, **options) -> list[str]`` (warnings about what the
target format cannot hold). ``progress`` is called with (done, total). ``FORMATS`` maps format names to
both. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pixelproof.interop._util import ImportResult
from pixelproof.interop.coco_io import read_coco, write_coco
from pixelproof.interop.labelme import read_labelme, write_labelme
from pixelproof.interop.masks_folder import read_masks, write_masks
from pixelproof.interop.voc import read_voc, write_voc
from pixelproof.interop.yolo import read_yolo, write_yolo


@dataclass(frozen=True)
class Format:
    """One format: its reader and writer, and what a file dialog needs to describe it."""

    name: str
    title: str
    read: Callable[..., ImportResult]
    write: Callable[..., list[str]]
    input_is_file: bool  # True: INPUT is a file (COCO JSON); False: a folder (a file is accepted too)
    output_is_file: bool


FORMATS: dict[str, Format] = {
    "coco": Format("coco", "COCO JSON", read_coco, write_coco, True, True),
    "labelme": Format("labelme", "LabelMe folder", read_labelme, write_labelme, False, False),
    "yolo": Format("yolo", "YOLO dataset (Ultralytics)", read_yolo, write_yolo, False, False),
    "voc": Format("voc", "Pascal VOC XML", read_voc, write_voc, False, False),
    "masks": Format("masks", "PNG mask folder", read_masks, write_masks, False, False),
}

__all__ = [
    "FORMATS",
    "Format",
    "ImportResult",
    "read_coco",
    "read_labelme",
    "read_masks",
    "read_voc",
    "read_yolo",
    "write_coco",
    "write_labelme",
    "write_masks",
    "write_voc",
    "write_yolo",
]

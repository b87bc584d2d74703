"""Other annotation formats: COCO files from other tools, LabelMe, YOLO, Pascal VOC, mask folders, and the
datasets of the benchmarks (see ``formats`` for the list and how to add one). No Qt here.

Every format is declared once in its own module and collected in ``FORMATS`` (``formats.py``): the GUI's
File > Import / Export, ``pixelproof convert`` and ``pixelproof qa`` references all use those declarations.
"""

from __future__ import annotations

from pixelproof.interop._util import ImportResult, project_name
from pixelproof.interop.coco_io import read_coco, write_coco
from pixelproof.interop.formats import FORMATS, Format, Option, detect_format, register
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme
from pixelproof.interop.masks_folder import read_masks, write_masks
from pixelproof.interop.voc import read_voc, write_voc
from pixelproof.interop.yolo import read_yolo, write_yolo

__all__ = [
    "FORMATS",
    "Format",
    "ImportResult",
    "Option",
    "detect_format",
    "project_name",
    "read_coco",
    "read_labelme",
    "read_masks",
    "read_voc",
    "read_yolo",
    "register",
    "write_coco",
    "write_labelme",
    "write_masks",
    "write_voc",
    "write_yolo",
]

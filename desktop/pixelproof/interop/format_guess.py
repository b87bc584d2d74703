"""The format a dataset looks like when it was read as another and gave nothing: a YOLO folder read as COCO
JSON ("is a folder, not a file to read"), a LabelMe folder read as YOLO (its pictures without a label).
Said beside what the reader found, so the next try takes the right format."""

from __future__ import annotations

import os
from pathlib import Path

from pixelproof.interop.formats import Format, detect_formats

# each built-in format in a sentence, with its article ("it looks like an MVTec AD folder"): a title alone
# ("looks like LabelMe folder", "looks like COCO JSON") read as a slip
A_TITLE = {
    "coco": "a COCO JSON file",
    "coco-panoptic": "a COCO panoptic dataset (PNG segments)",
    "labelme": "a LabelMe folder",
    "yolo": "a YOLO dataset (Ultralytics)",
    "voc": "a Pascal VOC XML folder",
    "cityscapes": "a Cityscapes dataset (gtFine)",
    "kitti": "a KITTI dataset (detection, semantics)",
    "openimages": "an Open Images dataset (V6/V7 CSV)",
    "cvat": "a CVAT 1.1 XML export (for images or for video)",
    "datumaro": "a Datumaro JSON export",
    "labelstudio": "a Label Studio JSON file",
    "geojson": "a QuPath GeoJSON export",
    "mvtec": "an MVTec AD folder",
    "nifti": "a folder of NIfTI label volumes",
    "slicer-seg": "a 3D Slicer segmentation (.seg.nrrd)",
    "dicom-seg": "a DICOM SEG export",
    "rtstruct": "a DICOM RT Structure Set",
    "waymo": "a Waymo Open Dataset v2 folder (parquet)",
    "masks": "a PNG mask folder",
}


def a_title(fmt: Format) -> str:
    """``fmt`` named in a sentence ("looks like a LabelMe folder"); a plugin's format by its title after
    "a" or "an" (by its first letter)."""
    if fmt.name in A_TITLE:
        return A_TITLE[fmt.name]
    return f"{'an' if fmt.title[:1].lower() in 'aeiou' else 'a'} {fmt.title}"


def looks_like_another(path: str | os.PathLike[str], fmt: Format) -> Format | None:
    """The first other readable format whose detector claims ``path`` when ``fmt``'s does not; None when
    ``fmt`` claims it (the dataset is of that format, only empty or broken) or none does."""
    p = Path(path)
    if fmt.looks_like(p):
        return None
    return next((f for f in detect_formats(p) if f.name != fmt.name), None)


def another_format_hint(path: str | os.PathLike[str], fmt: Format, how: str = "--from {name}") -> str:
    """``it looks like a YOLO dataset (Ultralytics) (--from yolo)``, or "" (``how``: the command's or the
    dialog's way to choose a format, ``{name}`` and ``{title}`` filled in)."""
    other = looks_like_another(path, fmt)
    if other is None:
        return ""
    return f"it looks like {a_title(other)} ({how.format(name=other.name, title=other.title)})"

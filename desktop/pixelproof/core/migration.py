"""Files of an older format read as the current one (docs/format.md, "Format versions: 1 and 2").

Reading migrates in memory; the next save writes the current format (the previous file stays in
``<name>.json.bak``). ``format_note`` is what ``pixelproof info`` and the app say about it.
"""

from __future__ import annotations

from pixelproof.core.model import FORMAT_VERSION, Project


def migrate(project: Project) -> None:
    """A format 1 project (or another tool's COCO file) as format 2:

    - its images were labeled on the stored pixels: ``exif_orientation`` "ignore" keeps them so;
    - a manual object has no review state: review "pending" without a model source becomes none.
    """
    project.app.setdefault("exif_orientation", "ignore")
    for ann in project.annotations.values():
        if ann.review == "pending" and ann.is_manual:
            ann.review = None
    project.app["format"] = FORMAT_VERSION


def format_note(project: Project) -> str:
    """The file's format as loaded, what a save writes, and whether EXIF orientation is applied."""
    exif = "EXIF orientation applied"
    if not project.applies_exif:
        exif = "EXIF orientation not applied (labeled on stored pixels)"
    loaded = project.loaded_format
    if loaded is None:
        return f"COCO without PixelProof data (saved as {FORMAT_VERSION}); {exif}"
    if loaded != FORMAT_VERSION:
        return f"{loaded} (saved as {FORMAT_VERSION}); {exif}"
    return f"{loaded}; {exif}"

"""Pascal VOC XML boxes (``Annotations/*.xml``, images in ``JPEGImages/``).

VOC box corners are 1-based pixel indexes, both inclusive: ``xmin=1, xmax=10`` covers the first ten
pixels, which is COCO ``x=0, w=10``. Reading and writing convert that way by default (as detectron2 does);
``one_based=False`` takes the numbers as plain coordinates, as LabelMe's ``labelme2voc`` writes them.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from pixelproof.core.imageio import IMAGE_SUFFIXES, ImageReadError, image_size, read_image
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.reduced import inspect_huge
from pixelproof.core.sources import kind_of
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    check_image_mode,
    folder_project,
    fresh_output,
    group_id,
    is_file,
    rel_name,
    small_int,
    with_progress,
)
from pixelproof.interop.each_file import read_each_file
from pixelproof.interop.formats import IMAGE_CHOICES, Format, Option, sniff
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.safe_xml import XML_NAME, check_category_names, make_valid_xml, xml_text
from pixelproof.interop.stems import unique_stems
from pixelproof.interop.void_regions import without_void

_FLAGS = ("difficult", "truncated", "occluded")


def read_voc(
    path: str | os.PathLike[str],
    *,
    one_based: bool = True,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a VOC folder (with ``Annotations/``), a folder of XML files, or one XML file."""
    src = Path(path)
    if src.is_file():
        root, files = src.parent, [src]
    else:
        root = src
        xml_dir = src / "Annotations" if (src / "Annotations").is_dir() else src
        files = sorted(p for p in xml_dir.rglob("*.xml") if p.is_file())  # no FIFOs: they block
    project = folder_project(root)
    report = Reporter(on_problem)
    build = Builder(project)
    read_each_file(
        files,
        lambda file: _read_file(file, root, one_based, build, report),
        src=src,
        root=root,
        report=report,
        progress=progress,
    )
    return ImportResult(project, report.problems, report.skipped)


def _text(node: ET.Element | None, tag: str) -> str | None:
    child = node.find(tag) if node is not None else None
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _number(node: ET.Element | None, tag: str) -> float | None:
    """A finite number, or None (missing, not a number, NaN or infinite)."""
    t = _text(node, tag)
    try:
        value = float(t) if t is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _find_image(file: Path, root: Path, doc: ET.Element) -> Path | None:
    name = _text(doc, "filename")
    candidates = []
    if name:
        candidates += [root / "JPEGImages" / name, file.parent / name, root / name]
    p = _text(doc, "path")
    if p:
        candidates.append(Path(p))
    if not name:  # some tools leave filename out: same stem as the XML
        for base in (root / "JPEGImages", file.parent):
            candidates += [base / (file.stem + s) for s in IMAGE_SUFFIXES]
    return next((c for c in candidates if is_file(c)), None)


def _read_file(file: Path, root: Path, one_based: bool, build: Builder, report: Reporter) -> None:
    try:
        doc = ET.parse(file).getroot()
    except (ET.ParseError, OSError, LookupError, ValueError) as e:  # also an encoding it cannot use
        report.skip("files", f"{file}: not readable XML ({e}); skipped")
        return
    if doc.tag != "annotation":
        report.skip("files", f"{file}: not a VOC annotation (root element <{doc.tag}>); skipped")
        return
    image_file = _find_image(file, root, doc)
    size = doc.find("size")
    width, height = _number(size, "width"), _number(size, "height")
    if not width or not height or width <= 0 or height <= 0:
        if image_file is None:
            report.skip("files", f"{file}: no <size> and the image cannot be found; skipped")
            return
        try:
            width, height = image_size(image_file)
        except ImageReadError as e:
            report.skip("files", f"{file}: no <size> and the image cannot be read ({e}); skipped")
            return
        report(f"{file}: no <size>; size {int(width)}x{int(height)} read from {image_file.name}")
    if image_file is None:
        name = _text(doc, "filename") or f"{file.stem}.jpg"
        image_file = root / "JPEGImages" / name if (root / "JPEGImages").is_dir() else file.parent / name
        report(f"{file}: image {name} not found; imported with the size in the XML")
    if width != int(width) or height != int(height):
        report.skip("files", f"{file}: <size> must be whole pixels, got {width:g} x {height:g}; skipped")
        return
    image = build.image(rel_name(image_file, root), int(width), int(height), where=f"{file}: <size>")
    with build.record(image, report):
        _read_objects(file, doc, image, one_based, build, report)


def _read_objects(
    file: Path, doc: ET.Element, image: ImageRecord, one_based: bool, build: Builder, report: Reporter
) -> None:
    for k, obj in enumerate(doc.iter("object")):
        where = f"{file}: object {k + 1}"
        parts = obj.findall("part")
        app_extra = _object_extras(obj)
        if parts:
            app_extra["group_id"] = k + 1  # the parts share it: linked to this object
        if _add_box(obj, image, one_based, build, report, where, app_extra) and parts:
            for n, part in enumerate(parts):
                part_extra = {"group_id": k + 1, "part_of": _text(obj, "name")}
                _add_box(part, image, one_based, build, report, f"{where} part {n + 1}", part_extra)
        elif parts:
            report.skip("invalid", f"{where}: its {plural(len(parts), '<part> box')} skipped with it")


def _object_extras(obj: ET.Element) -> dict[str, Any]:
    """difficult/truncated/occluded/pose, and VOC Action's ``<actions>`` flags, as extras."""
    app_extra: dict[str, Any] = {}
    for tag in (*_FLAGS, "pose"):
        t = _text(obj, tag)
        if t is not None and not (tag == "pose" and t == "Unspecified"):
            app_extra[tag] = _flag(t) if tag in _FLAGS else t
    actions = obj.find("actions")
    if actions is not None:
        flags = {a.tag: _flag(a.text.strip()) for a in actions if a.text and a.text.strip()}
        if flags:
            app_extra["actions"] = flags
    return app_extra


def _add_box(
    obj: ET.Element,
    image: ImageRecord,
    one_based: bool,
    build: Builder,
    report: Reporter,
    where: str,
    app_extra: dict[str, Any],
) -> bool:
    """Add one ``<object>`` or ``<part>`` box; False (reported, counted) when it cannot be read."""
    name = _text(obj, "name")
    bnd = obj.find("bndbox")
    coords = [_number(bnd, t) for t in ("xmin", "ymin", "xmax", "ymax")]
    if name is None or any(c is None for c in coords):
        report.skip(
            "invalid", f"{where}: needs <name> and <bndbox> with xmin, ymin, xmax, ymax numbers; skipped"
        )
        return False
    x1, y1, x2, y2 = coords
    if one_based:
        x1, y1 = x1 - 1, y1 - 1
    if x2 < x1 or y2 < y1:
        report.skip("invalid", f"{where}: xmax/ymax smaller than xmin/ymin; skipped")
        return False
    try:
        cat = build.category(name)
        build.annotation(image, cat.id, bbox=[x1, y1, x2 - x1, y2 - y1], app_extra=app_extra, where=where)
    except LimitError as e:
        report.skip("invalid", f"{e}; skipped")
        return False
    return True


def _flag(text: str) -> int | str:
    """``<difficult>1</difficult>`` as 1; anything that is no small integer stays text, as written."""
    value = small_int(text)
    return text if value is None else value


# ------------------------------------------------------------------------------------------------
# writing


def write_voc(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "keep",
    one_based: bool = True,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """``out_dir/Annotations/<stem>.xml`` per image (boxes in whole pixels); returns warnings.

    ``images`` "copy"/"link" fill ``out_dir/JPEGImages``; "keep" records the original path in ``<path>``.
    Polygons and masks are written as their bounding boxes (VOC XML holds boxes only). A category name
    the reader would give back changed (blank, blanks around it) is refused first (``CategoryNameError``):
    only names of categories with objects are checked, VOC keeping no others.
    """
    check_image_mode(images)
    project, warnings = without_void(project, "VOC XML")
    used = {a.category_id for a in project.annotations.values()}
    cats = [c for c in project.categories.values() if c.id in used]
    check_category_names(cats, "VOC XML", str(Path(out_dir) / "Annotations" / "*.xml"))
    out = Path(out_dir)
    make_folders(out / "Annotations")
    stems = unique_stems(project)
    names = {c.id: c.name for c in project.categories.values()}
    shapes = rounded = changed = 0
    for image in with_progress(list(project.images.values()), len(project.images), progress):
        src = project.image_path(image)
        filename = xml_text(stems[image.id] + image_suffix(src))  # the copy has the name the XML holds
        placed = None
        if images != "keep" and image_exists(src):
            placed = place_image(src, out / "JPEGImages" / filename, images, image, project.applies_exif)
        if placed is not None:
            warnings.append(placed)
        anns = sorted(project.annotations_of(image.id), key=lambda a: a.id)
        shapes += sum(a.kind != "box" for a in anns)
        rounded += sum(any(v != round(v) for v in a.bbox) for a in anns)
        dropped: list[str] = []
        root = _image_xml(image, src, filename, anns, names, one_based, dropped)
        changed += make_valid_xml(root) + len(dropped)
        ET.indent(root)
        with fresh_output(out / "Annotations" / f"{stems[image.id]}.xml") as f:
            ET.ElementTree(root).write(f, encoding="utf-8", xml_declaration=True)  # says UTF-8 to any tool
    if shapes:
        warnings.append(
            f"{plural(shapes, 'polygon/mask object')} written as bounding boxes (VOC XML holds boxes)"
        )
    if rounded:
        warnings.append(f"{plural(rounded, 'box')} rounded to whole pixels")
    if changed:
        warnings.append(
            f"{plural(changed, 'text')} with characters XML cannot hold (control characters) "
            "written with U+FFFD, "
            "or actions whose name is no XML name left out"
        )
    return warnings


def _depth(src: Path) -> int:
    """Channels of the image from its header, whatever its size (3 when it cannot be read; a palette
    image is shown as RGB); only a regular file is opened (a FIFO named as the image made the export
    wait forever). Pillow's own open refused an image over its bomb limit with a traceback. A DICOM
    image or a volume's slice (no file of its own) is grey unless its pixels say otherwise."""
    if kind_of(src) in ("slice", "nifti", "dicom"):
        try:
            return 3 if read_image(src).ndim == 3 else 1
        except ImageReadError:
            return 3
    if not is_file(src):
        return 3
    try:
        return inspect_huge(src).channels
    except ImageReadError:
        return 3


def _image_xml(
    image: ImageRecord,
    src: Path,
    filename: str,
    anns: list[Annotation],
    names: dict[int, str],
    one_based: bool,
    dropped: list[str] | None = None,
) -> ET.Element:
    dropped = [] if dropped is None else dropped
    root = ET.Element("annotation")
    ET.SubElement(root, "folder").text = "JPEGImages"
    ET.SubElement(root, "filename").text = filename
    ET.SubElement(root, "path").text = str(src.absolute())
    size = ET.SubElement(root, "size")
    ET.SubElement(size, "width").text = str(image.width)
    ET.SubElement(size, "height").text = str(image.height)
    ET.SubElement(size, "depth").text = str(_depth(src))
    ET.SubElement(root, "segmented").text = "0"
    shift = 1 if one_based else 0
    parents = {group_id(a) for a in anns if "part_of" not in a.app_extra}
    objects: dict[Any, ET.Element] = {}
    for a in anns:
        group = group_id(a)
        if "part_of" in a.app_extra and group in objects:
            part = ET.SubElement(objects[group], "part")  # inside its object, as VOC Layout writes it
            ET.SubElement(part, "name").text = names[a.category_id]
            _bndbox(part, a.bbox, shift)
            continue
        obj = ET.SubElement(root, "object")
        ET.SubElement(obj, "name").text = names[a.category_id]
        ET.SubElement(obj, "pose").text = str(a.app_extra.get("pose", "Unspecified"))
        for tag in _FLAGS:
            if tag in a.app_extra or tag != "occluded":
                ET.SubElement(obj, tag).text = str(a.app_extra.get(tag, 0))
        _bndbox(obj, a.bbox, shift)
        actions = a.app_extra.get("actions")
        if isinstance(actions, dict) and actions:
            node = ET.SubElement(obj, "actions")
            for tag, value in actions.items():
                if XML_NAME.match(str(tag)):
                    ET.SubElement(node, str(tag)).text = str(value)
                else:  # ElementTree writes tags unchecked: ``x><evil/><y`` would add elements
                    dropped.append(str(tag))
        if group is not None and group in parents and "part_of" not in a.app_extra:
            objects.setdefault(group, obj)
    return root


def _bndbox(parent: ET.Element, bbox: list[float], shift: int) -> None:
    x, y, w, h = bbox
    x1, y1, x2, y2 = (math.floor(v + 0.5) for v in (x, y, x + w, y + h))  # half up, not to even
    bnd = ET.SubElement(parent, "bndbox")
    for tag, v in (("xmin", x1 + shift), ("ymin", y1 + shift), ("xmax", x2), ("ymax", y2)):
        ET.SubElement(bnd, tag).text = str(v)


def looks_like_voc(path: Path) -> bool:
    """An ``Annotations/`` folder of XML, or one XML file whose root is ``<annotation>``."""
    if path.is_file():
        return path.suffix.lower() == ".xml" and b"<annotation" in sniff(path, 4096)
    return path.is_dir() and (path / "Annotations").is_dir() and any((path / "Annotations").glob("*.xml"))


_ONE_BASED = (
    "1-based corners, both inclusive, as Pascal VOC; no: plain 0-based coordinates (LabelMe's labelme2voc)"
)

FORMAT = Format(
    name="voc",
    title="Pascal VOC XML",
    reader=read_voc,
    declares_sizes=True,
    writer=write_voc,
    read_options=(Option("one_based", "bool", _ONE_BASED, True, label="Corners are 1-based (Pascal VOC)"),),
    write_options=(
        Option(
            "images",
            "choice",
            "image files: refer to the originals (keep), copy, or hard/symbolic link them into JPEGImages/",
            "keep",
            choices=IMAGE_CHOICES,
            label="Image files",
        ),
        Option("one_based", "bool", _ONE_BASED, True, label="Write 1-based corners (Pascal VOC)"),
    ),
    detect=looks_like_voc,
    suffixes=(".xml",),
    lost_on_export=(
        "shapes (written as their boxes), sub-pixel box corners, void regions (left out, a warning says how "
        "many: VOC XML has no regions to ignore); the crowd flag, scores, review state, notes"
    ),
)

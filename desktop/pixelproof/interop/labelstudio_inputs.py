"""What a Label Studio export points at: its label config (category order and colours, the ``<Image>``'s
data key) and its images (found by base name); the reader is :mod:`pixelproof.interop.labelstudio`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pixelproof.core.limits import LimitError
from pixelproof.core.name_fold import fold
from pixelproof.interop._util import Builder, Reporter, is_file
from pixelproof.interop.safe_xml import read_small_xml

LABEL_TAGS = ("RectangleLabels", "PolygonLabels", "EllipseLabels", "BrushLabels", "KeyPointLabels", "Labels")
_UPLOAD_PREFIX = re.compile(r"[0-9a-f]{8}-(.+)\Z")


def read_config(path: Path, given: bool, build: Builder, report: Reporter) -> tuple[str, Labels]:
    """Categories from the label config, in its order and with its colours; returns the task ``data``
    key of its ``<Image>`` (``image`` without a config) and the regions' labels (``Labels``)."""
    labels = Labels(build)
    if not given and not path.is_file():
        return "image", labels
    try:
        root = read_small_xml(path, "label config")
    except (OSError, ValueError) as e:
        report(f"{e}; categories come from the results")
        return "image", labels
    key = "image"
    for el in root.iter():
        if el.tag == "Image" and (el.get("value") or "").startswith("$"):
            key = el.get("value", "$image")[1:]
            break
    for tag in root.iter():
        if tag.tag not in LABEL_TAGS:
            continue
        for label in tag.iter("Label"):
            name = label.get("value")
            if not name:
                continue
            try:
                cat = build.category(name)
            except LimitError as e:
                report(f"{path}: <Label>: {e}; skipped")
                continue
            color = _hex_color(label.get("background", ""))
            if color:
                cat.color = color
            labels.configured(cat.name)
    return key, labels


class Labels:
    """A region's label as a category: the config's spelling of a name written in another case (a config
    edited from 'butterfly' to 'Butterfly' after regions were drawn), each such pairing said once."""

    def __init__(self, build: Builder) -> None:
        self.build = build
        self.names: set[str] = set()  # the config's labels
        self.folded: dict[str, str] = {}  # a config label without case (name_fold) -> the label
        self.paired: set[str] = set()  # labels already said to be paired

    def configured(self, name: str) -> None:
        self.names.add(name)
        self.folded.setdefault(fold(name), name)

    def category_id(self, label: str, where: str, report: Reporter) -> int:
        """The category of a region labelled ``label`` (``where`` names it in the one line said)."""
        name = label if label in self.names else self.folded.get(fold(label), label)
        if name != label and label not in self.paired:
            self.paired.add(label)
            report(
                f"{where}: label {label!r} is the config's {name!r} in another case; its regions (here "
                f"and in later tasks) go to {name!r}"
            )
        return self.build.category(name).id


def _hex_color(text: str) -> str:
    """``#rrggbb`` for a CSS colour (``#f00``, ``red``, ``rgba(218, 1, 238, 1)``), "" when unknown."""
    from PIL import ImageColor

    try:
        rgb = ImageColor.getrgb(text.strip())
    except (ValueError, AttributeError):
        return ""
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


class ImageFinder:
    """Image files by base name: in ``image_dir`` (recursively) when given, else beside the export and in
    its ``images/``. Only files found on disk are ever named, so ``..`` or an absolute path in a task's
    URL leads nowhere."""

    def __init__(self, beside: Path, image_dir: Path | None) -> None:
        self.chosen = image_dir is not None
        self.root = image_dir if image_dir is not None else beside
        if image_dir is not None:
            files = image_dir.rglob("*")
            self.searched = str(image_dir)
        else:
            files = [*beside.glob("*"), *(beside / "images").rglob("*")]
            self.searched = f"{beside} or its images/"
        self.by_name: dict[str, list[Path]] = {}
        self.by_fold: dict[str, list[Path]] = {}  # a name written in another case (Windows, macOS)
        for f in sorted(files):
            if is_file(f):
                self.by_name.setdefault(f.name, []).append(f)
                self.by_fold.setdefault(f.name.casefold(), []).append(f)

    def find(self, url: str) -> tuple[str, Path | None, str]:
        """(base name, file or None, note on a choice among several files) for a task's image URL."""
        parts = urlsplit(url)
        local = parse_qs(parts.query).get("d") if "local-files" in parts.path else None
        rel = unquote(local[0] if local else parts.path).replace("\\", "/")
        name = rel.rsplit("/", 1)[-1]
        upload = _UPLOAD_PREFIX.match(name) if "/upload/" in parts.path else None
        for candidate in (name, upload.group(1) if upload else None):
            if not candidate:
                continue
            found = self.by_name.get(candidate) or self.by_fold.get(candidate.casefold()) or []
            if not found:
                continue
            tail = [f for f in found if f.as_posix().endswith("/" + rel.lstrip("/"))]
            pick = (tail or found)[0]
            note = (
                ""
                if len(tail or found) == 1
                else f"{len(tail or found)} files named {candidate}; {pick} used"
            )
            return candidate, pick, note
        return name, None, ""

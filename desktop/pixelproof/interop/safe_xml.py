"""Writing XML that stays well formed whatever a project holds. ElementTree writes tags, attribute names
and characters unchecked: one control character made a whole CVAT file unreadable, and an attribute or tag
named ``x="1"/><evil`` would have added elements to it. The CVAT and VOC writers pass their trees here,
and their category names to ``check_category_names`` (a name the readers would give back changed is
refused before anything is written)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from pixelproof.core.limits import read_text
from pixelproof.core.model import Category

_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
XML_NAME = re.compile(r"[A-Za-z_][\w.-]*\Z", re.ASCII)


def xml_text(value: str) -> str:
    """``value`` with each character XML 1.0 cannot hold (control characters, lone surrogates) as U+FFFD:
    ElementTree writes them as they are, and one such character made the whole file unreadable."""
    return _XML_BAD.sub("\ufffd", value)


def make_valid_xml(root: ET.Element) -> int:
    """Make the tree serialize as well-formed XML; returns how many texts or attributes it changed.
    Texts and attribute values go through :func:`xml_text`; attributes whose name is no XML name
    (``x="1"/><evil``: ElementTree writes names unchecked) are dropped. Tags are the writer's own."""
    changed = 0
    for el in root.iter():
        if el.text is not None and (text := xml_text(el.text)) != el.text:
            el.text, changed = text, changed + 1
        for key, value in list(el.attrib.items()):
            if not XML_NAME.match(key):
                del el.attrib[key]
                changed += 1
            elif (text := xml_text(value)) != value:
                el.attrib[key], changed = text, changed + 1
    return changed


class CategoryNameError(ValueError):
    """A category name an XML export would not give back as it is: refused before anything is written."""


def name_as_read(name: str) -> str:
    """``name`` as the VOC and CVAT readers give it back: the parser turns a carriage return into a line
    feed, and the readers strip the blanks around a text node (pretty-printed XML indents them); an empty
    result is no name at all. Characters XML cannot hold are left to ``xml_text`` (written as U+FFFD,
    with a warning), so only what the format itself would change is compared."""
    return xml_text(name).replace("\r\n", "\n").replace("\r", "\n").strip()


def check_category_names(categories: Iterable[Category], fmt: str, file: str) -> None:
    """Refuse (``CategoryNameError``) when a category name ``file`` would hold reads back as another name
    (" car " as "car", merging with a real "car") or as none ("", its objects skipped by the reader): an
    export must not rename or drop a category behind the user's back. Called before the writer creates
    anything, so a refusal leaves no half output."""
    bad = []
    for cat in categories:
        back = name_as_read(cat.name)
        if back and back == xml_text(cat.name):
            continue
        fate = f"as {back!r}" if back else "as no name (objects skipped)"
        bad.append(f"category {cat.id} {cat.name!r} {fate}")
    if bad:
        raise CategoryNameError(
            f"{file}: nothing exported: {fmt} readers would give back " + "; ".join(bad)
            + " (they strip the blanks around a name); rename the category first, "
            "e.g. pixelproof taxonomy rename PROJECT OLD NEW"
        )  # fmt: skip


MAX_CONFIG_BYTES = 1 << 20  # a labeling configuration is a page of XML


def read_small_xml(path: str | os.PathLike[str], what: str = "XML") -> ET.Element:
    """The root of a small XML file (a Label Studio labeling configuration), refused with a ValueError
    naming the file when it is over ``MAX_CONFIG_BYTES``, no regular file, not XML, or declares a DTD: a
    configuration has no use for entities, and an entity expanding into entities is a memory bomb."""
    text = read_text(path, str(path), MAX_CONFIG_BYTES)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ValueError(f"{path}: {what} with a DTD or entities is refused")
    try:
        return ET.fromstring(text)
    except ET.ParseError as e:
        raise ValueError(f"{path}: not readable {what} ({e})") from None

"""Writing XML that stays well formed whatever a project holds. ElementTree writes tags, attribute names
and characters unchecked: one control character made a whole CVAT file unreadable, and an attribute or tag
named ``x="1"/><evil`` would have added elements to it. The CVAT and VOC writers pass their trees here."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

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

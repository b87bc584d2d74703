"""What a DICOM SEG segment is, as coded concepts (SNOMED CT "Anatomical Structure" / "Liver", as 3D
Slicer's terminology and MONAI Label write them): kept on the category a SEG import makes and written back
by the SEG export, so a SEG read, corrected and written again still says Liver, not the generic Tissue.

Stored under the category's ``pixelproof.dicom_seg``: ``{"label": the segment label, "category": [code
value, coding scheme, meaning], "type": [...]}``. The codes are used only while the category keeps that
name: a category renamed since would be written under codes naming something else.

A code value longer than 16 characters (LongCodeValue) or a URN (URNCodeValue) is kept as a value like
any other and written back in the field it came in. A code a SEG cannot hold again (a missing or mistyped
field, several items or value fields, a field too long or holding a control or bidi character, a meaning
the sources' character set cannot spell) is never kept or written: that one concept is Tissue, and the
reader or the export says so. highdicom would refuse the whole SEG
for a missing field, on reading (losing every mask) as on writing."""

from __future__ import annotations

from typing import Any

from pixelproof.core.limits import short_repr

KEY = "dicom_seg"
_SEQUENCES = (
    ("category", "SegmentedPropertyCategoryCodeSequence"),
    ("type", "SegmentedPropertyTypeCodeSequence"),
)
_FIELDS = ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")
_LIMITS = (16, 16, 64)  # CodeValue and CodingSchemeDesignator are SH, CodeMeaning LO
# a value past CodeValue's 16 characters comes in LongCodeValue (UC: a SNOMED CT extension's 18 digits),
# a URN in URNCodeValue (UR); highdicom's CodedConcept writes a value back in the field its form asks for
_VALUE_FIELDS = ("CodeValue", "LongCodeValue", "URNCodeValue")
LONG_VALUE = 1024  # characters of a long or URN code value kept (UC and UR allow more; no code is as long)


def _fault(values: list[Any], value_field: str = "CodeValue") -> str | None:
    """Why three field values (the code value from ``value_field``) are not one code a SEG holds (None
    when they are)."""
    limits = (16 if value_field == "CodeValue" else LONG_VALUE, *_LIMITS[1:])
    for field, v, n in zip((value_field, *_FIELDS[1:]), values, limits, strict=True):
        if v is None:
            return f"no {field}"
        if not isinstance(v, str):
            return f"{field} is {short_repr(v)}, not one text value"
        if not v.strip():
            return f"{field} is empty"
        if len(v.strip()) > n:
            return f"{field} of {len(v.strip()):,} characters (a SEG holds {n})"
        bad = next((c for c in v if c == "\\" or not c.isprintable()), None)
        if bad is not None:  # control and bidi characters; a backslash splits a DICOM value in two
            return f"{field} holds character U+{ord(bad):04X}"
    return None


def _python_codec(charset: Any) -> str:
    """The Python codec of a dataset's (first) SpecificCharacterSet term; ASCII when it has none."""
    from pydicom.charset import convert_encodings

    terms = [charset] if isinstance(charset, str) else list(charset or [])
    try:
        return convert_encodings([str(t) for t in terms] or ["ISO_IR 6"])[0]
    except (LookupError, ValueError):
        return "ascii"


def segment_codes(ds: Any) -> tuple[dict[int, dict[str, list[str]]], list[str]]:
    """Each segment's well-formed category and type codes by segment number, read from the SEG dataset
    before highdicom sees it, and why any other was not kept. A code it cannot hold is replaced in
    ``ds`` (in memory) by Tissue, so highdicom still reads the masks."""
    from pydicom.dataset import Dataset

    kept: dict[int, dict[str, list[str]]] = {}
    faults: list[str] = []
    for item in ds.get("SegmentSequence") or []:
        number = item.get("SegmentNumber")
        if not isinstance(number, int):
            continue  # highdicom refuses the file, saying why
        label = item.get("SegmentLabel")
        for name, sequence in _SEQUENCES:
            items = item.get(sequence) or []
            if len(items) != 1:
                fault = f"{len(items)} {name} codes (a SEG holds one)" if items else f"no {name} code"
            else:
                present = [k for k in _VALUE_FIELDS if k in items[0]]
                field = present[0] if present else "CodeValue"
                values = [items[0].get(k) for k in (field, *_FIELDS[1:])]
                fault = f"both {' and '.join(present)}" if len(present) > 1 else _fault(values, field)
                if fault is None:
                    kept.setdefault(number, {})[name] = [v.strip() for v in values]
                    continue
                fault = f"its {name} code: {fault}"
            faults.append(
                f"segment {number} ({short_repr(label)}): {fault}; written as Tissue by a SEG export"
            )
            tissue = Dataset()
            tissue.CodeValue, tissue.CodingSchemeDesignator, tissue.CodeMeaning = "85756007", "SCT", "Tissue"
            setattr(item, sequence, [tissue])
    return kept, faults


def coded_concepts(hd: Any, category: Any, charset: Any = None) -> tuple[tuple[Any, Any], str | None]:
    """((property category, property type), a warning or None) for a category's segment: its imported
    codes while it keeps the segment's name, Tissue for a code missing or one a SEG written in
    ``charset`` (the sources' SpecificCharacterSet) cannot hold."""
    from pydicom.sr.codedict import codes

    tissue = (codes.SCT.Tissue, codes.SCT.Tissue)
    if KEY not in category.app_extra:
        return tissue, None
    stored = category.app_extra[KEY]
    where = f"category {short_repr(category.name)}: its pixelproof.dicom_seg"
    if not isinstance(stored, dict) or not isinstance(stored.get("label"), str):
        return tissue, f"{where} is {short_repr(stored)}, not a segment's label and codes: written as Tissue"
    if stored["label"] != category.name:
        return tissue, None  # renamed since: the codes name what it was
    found, faults = [], []
    codec = _python_codec(charset)
    for name, _ in _SEQUENCES:
        t = stored.get(name)
        fault = (
            _fault(t, "LongCodeValue")
            if isinstance(t, list) and len(t) == 3
            else f"{short_repr(t)}, not 3 texts"
        )
        if fault is None:
            try:
                "".join(t).encode(codec)
            except UnicodeError:
                fault = f"cannot be spelt in the sources' character set ({short_repr(charset or 'ASCII')})"
        if fault is None:
            v, s, m = (x.strip() for x in t)
            try:
                found.append(hd.sr.CodedConcept(value=v, scheme_designator=s, meaning=m))
                continue
            except (ValueError, TypeError) as e:
                fault = f"refused by highdicom: {e}"
        found.append(codes.SCT.Tissue)
        if name in stored:
            faults.append(f"{name} code: {fault}")
    if not faults:
        return (found[0], found[1]), None
    return (found[0], found[1]), f"{where} {'; '.join(faults)}; written as Tissue"


def segment_descriptions(hd: Any, cats: list[Any], charset: Any = None) -> tuple[list[Any], list[str]]:
    """One segment per category, numbered by the rank of its id (SEG numbers segments from 1), for a SEG
    of sources in ``charset``; with a warning for each category whose kept codes are written as Tissue."""
    out, warnings = [], []
    for k, c in enumerate(cats, start=1):
        (kind, what), warning = coded_concepts(hd, c, charset)
        if warning is not None:
            warnings.append(warning)
        label = segment_label(c.name)
        if label != c.name[:64].strip():
            warnings.append(
                f"category {short_repr(c.name)}: written as segment label {short_repr(label)} (a DICOM "
                "label holds no backslash, which splits it in two values, nor control characters)"
            )
        out.append(
            hd.seg.SegmentDescription(
                segment_number=k,
                segment_label=label or f"segment {k}",
                segmented_property_category=kind,
                segmented_property_type=what,
                algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
            )
        )
    return out, warnings


def segment_label(name: str) -> str:
    """A class name as a SEG's SegmentLabel (LO: 64 characters, no backslash, no control character): the
    backslash and control characters as spaces, so the label reads back as the one name, not a list."""
    return "".join(" " if ch == "\\" or not ch.isprintable() else ch for ch in name)[:64].strip()

"""What a DICOM SEG segment is, as coded concepts (SNOMED CT "Anatomical Structure" / "Liver", as 3D
Slicer's terminology and MONAI Label write them): kept on the category a SEG import makes and written back
by the SEG export, so a SEG read, corrected and written again still says Liver, not the generic Tissue.

Stored under the category's ``pixelproof.dicom_seg``: ``{"label": the segment label, "category": [code
value, coding scheme, meaning], "type": [...]}``. The codes are used only while the category keeps that
name: a category renamed since would be written under codes naming something else."""

from __future__ import annotations

from typing import Any

KEY = "dicom_seg"
_SEQUENCES = (
    ("category", "SegmentedPropertyCategoryCodeSequence"),
    ("type", "SegmentedPropertyTypeCodeSequence"),
)
_LIMITS = (16, 16, 64)  # CodeValue and CodingSchemeDesignator are SH, CodeMeaning LO


def _triple(item: Any) -> list[str] | None:
    values = [item.get(k) for k in ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")]
    if all(isinstance(v, str) and 0 < len(v.strip()) <= n for v, n in zip(values, _LIMITS, strict=True)):
        return [v.strip() for v in values]
    return None


def segment_codes(description: Any, label: str) -> dict[str, Any] | None:
    """The segment's category and type codes with its label, or None when either is missing or malformed
    (a SEG must have both; without them the export's generic code is as good)."""
    out: dict[str, Any] = {"label": label}
    for name, sequence in _SEQUENCES:
        items = description.get(sequence) or []
        triple = _triple(items[0]) if len(items) == 1 else None
        if triple is None:
            return None
        out[name] = triple
    return out


def coded_concepts(hd: Any, category: Any) -> tuple[Any, Any]:
    """(property category, property type) for a category's segment: its imported codes while it keeps
    the segment's name, else Tissue / Tissue."""
    from pydicom.sr.codedict import codes

    stored = category.app_extra.get(KEY)
    if isinstance(stored, dict) and stored.get("label") == category.name:
        found = []
        for name, _ in _SEQUENCES:
            t = stored.get(name)
            if isinstance(t, list) and len(t) == 3 and all(isinstance(v, str) for v in t):
                found.append(
                    _triple({"CodeValue": t[0], "CodingSchemeDesignator": t[1], "CodeMeaning": t[2]})
                )
        if len(found) == 2 and None not in found:
            return tuple(hd.sr.CodedConcept(value=v, scheme_designator=s, meaning=m) for v, s, m in found)  # type: ignore[return-value]
    return codes.SCT.Tissue, codes.SCT.Tissue

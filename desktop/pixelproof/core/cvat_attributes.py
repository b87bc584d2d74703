"""The attributes a CVAT label declares (checkbox, select, radio, number, text) and an object's values of
them, as CVAT's object sidebar edits them. The CVAT reader keeps the declarations in the category's
``cvat`` extras (``name``, ``input_type``, ``default_value``, ``values``, ``mutable``, as read) and an
object's values in its ``attributes`` extras; this module gives both meaning without Qt.

An object holds only the values set on it or read with it: a declared attribute it does not hold has
the label's default, which is what the panel shows and the export writes (CVAT gives a new object its
label's defaults, and its own export writes every attribute of every object)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Category, ImageRecord

MAX_VALUE = 4096  # characters of an attribute value in CVAT's database (AttributeVal.value)
INPUT_TYPES = ("checkbox", "select", "radio", "number", "text")
_MAX_DECIMALS = 6
# what CVAT or PixelProof keeps on an object read from CVAT: such an object shows the Occluded flag
# the keys only the CVAT reader writes: a LabelMe / X-AnyLabeling shape has attributes and a group id too
_CVAT_ONLY_KEYS = ("occluded", "z_order", "cvat_source", "cvat_attrib")


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """One declared attribute. ``number`` is (min, max, step) when the declaration is a usable range,
    else None (the value is then any number); ``decimals`` is how many the range's texts use."""

    name: str
    input_type: str
    values: tuple[str, ...]
    default: str
    number: tuple[float, float, float] | None = None
    decimals: int = 0


def declared_attributes(category: Category | None) -> list[AttributeSpec]:
    """The attributes ``category`` declares, in their order; [] for a category that declares none. A
    declaration with no name is left out; a type CVAT does not have is edited as text."""
    cvat = category.extra.get("cvat") if category is not None else None
    raw = cvat.get("attributes") if isinstance(cvat, dict) else None
    out: list[AttributeSpec] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and (spec := _spec(item)) is not None:
            out.append(spec)
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _spec(item: dict[str, Any]) -> AttributeSpec | None:
    name = _text(item.get("name"))
    if not name.strip():
        return None
    kind = _text(item.get("input_type")).strip().lower()
    kind = kind if kind in INPUT_TYPES else "text"
    declared_default = _text(item.get("default_value"))
    values = _values(_text(item.get("values")), kind, declared_default)
    number, decimals = _range(values) if kind == "number" else (None, 0)
    fallback = {
        "checkbox": "false",
        "select": values[0] if values else "",
        "radio": values[0] if values else "",
        "number": number_text_of(number[0], decimals) if number else "",
    }.get(kind, "")
    return AttributeSpec(name, kind, values, declared_default or fallback, number, decimals)


def _values(text: str, kind: str, default: str) -> tuple[str, ...]:
    """CVAT writes one value a line; Datumaro's test files separate them by spaces (``v1 v2 v3``), which
    is taken as such for a checkbox or number, or when the default is one of the words."""
    if "\n" in text:
        return tuple(v.strip() for v in text.split("\n") if v.strip())
    words = text.split()
    if kind in ("checkbox", "number") or (len(words) > 1 and default in words):
        return tuple(words)
    return (text.strip(),) if text.strip() else ()


def _range(values: tuple[str, ...]) -> tuple[tuple[float, float, float] | None, int]:
    try:
        low, high, step = (float(v) for v in values)
    except ValueError:
        return None, 0
    if not all(map(math.isfinite, (low, high, step))) or low > high or step <= 0:
        return None, 0
    decimals = max((len(v.partition(".")[2]) if "e" not in v.lower() else _MAX_DECIMALS) for v in values)
    return (low, high, step), min(decimals, _MAX_DECIMALS)


def stored_attributes(ann: Annotation) -> dict[str, str]:
    """The values ``ann`` holds (read from a file or set in the panel), as text."""
    attrs = ann.app_extra.get("attributes")
    return {str(k): _text(v) for k, v in attrs.items()} if isinstance(attrs, dict) else {}


def effective_attributes(ann: Annotation, specs: list[AttributeSpec]) -> dict[str, str]:
    """Every declared attribute with the object's value or the label's default, in the declared order,
    then those it holds that the label does not declare (kept from a file, written back)."""
    held = stored_attributes(ann)
    out = {s.name: held.get(s.name, s.default) for s in specs}
    out.update((k, v) for k, v in held.items() if k not in out)
    return out


def shared_value(values: Iterable[str]) -> str | None:
    """The value several objects have in common, or None when they differ (shown as mixed)."""
    items = list(values)
    return items[0] if items and all(v == items[0] for v in items) else None


def checked(value: str) -> bool | None:
    """A checkbox value as CVAT reads it ("true"/"false", any case); None for anything else."""
    return {"true": True, "false": False}.get(value.strip().lower())


def number_of(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def value_problem(spec: AttributeSpec, value: str) -> str | None:
    """Why CVAT would not take ``value`` for ``spec`` (its validateAttributeValue), or None."""
    if len(value) > MAX_VALUE:
        return f"longer than the {MAX_VALUE:,} characters CVAT holds"
    if spec.input_type == "checkbox":
        return None if checked(value) is not None else "neither true nor false"
    if spec.input_type == "number":
        number = number_of(value)
        if number is None:
            return "not a number"
        if spec.number is not None and not spec.number[0] <= number <= spec.number[1]:
            return f"outside {number_text(spec, spec.number[0])} to {number_text(spec, spec.number[1])}"
        return None
    if spec.input_type in ("select", "radio") and value not in spec.values:
        return "not one of the values the label declares"
    return None


def number_text_of(value: float, decimals: int) -> str:
    """A number as CVAT's sidebar writes it (JavaScript's String of the number): no trailing zeros."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_text(spec: AttributeSpec, value: float) -> str:
    return number_text_of(value, spec.decimals if spec.number is not None else _MAX_DECIMALS)


def is_occluded(ann: Annotation) -> bool:
    """CVAT's occluded flag (the reader keeps an integer; anything else counts as yes or no)."""
    return ann.app_extra.get("occluded") not in (None, False, 0, "", "0")


def from_cvat(ann: Annotation, image: ImageRecord | None, specs: list[AttributeSpec]) -> bool:
    """Whether ``ann`` is a CVAT object (its image, its label's declarations or its own values came from
    CVAT): those show the Occluded flag, others (a COCO project's, an X-AnyLabeling shape's attributes
    read from LabelMe) do not."""
    app = image.extra.get("pixelproof") if image is not None else None
    return (
        bool(specs)
        or any(k in ann.app_extra for k in _CVAT_ONLY_KEYS)
        or (isinstance(app, dict) and "cvat" in app)
    )


def with_value(ann: Annotation, specs: list[AttributeSpec], name: str, value: str) -> Annotation | None:
    """A copy of ``ann`` with attribute ``name`` set to ``value``; None when that is already its value."""
    if effective_attributes(ann, specs).get(name) == value:
        return None
    out = clone(ann)
    out.app_extra["attributes"] = {**stored_attributes(ann), name: value}
    return out


def with_occluded(ann: Annotation, occluded: bool) -> Annotation | None:
    """A copy of ``ann`` with CVAT's occluded flag set (1) or cleared (0); None when it already is."""
    if is_occluded(ann) == occluded:
        return None
    out = clone(ann)
    out.app_extra["occluded"] = int(occluded)
    return out


def attributes_after_move(
    ann: Annotation, old: list[AttributeSpec], new: list[AttributeSpec]
) -> dict[str, str] | None:
    """The attributes ``ann`` holds once its category (declaring ``old``) becomes one declaring ``new``,
    as CVAT changes an object's label: each attribute of the new label whose name the object had (its
    value or the old label's default) with a value the new label accepts; every other one dropped, so the
    new label's defaults apply. None when that is what it holds already."""
    held = stored_attributes(ann)
    if not held and not old:
        return None
    before = effective_attributes(ann, old)
    after = {
        s.name: before[s.name] for s in new if s.name in before and value_problem(s, before[s.name]) is None
    }
    return None if after == held and ("attributes" in ann.app_extra or not after) else after

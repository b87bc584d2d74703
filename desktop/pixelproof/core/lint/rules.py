"""Per-class lint rules, stored in the project under ``pixelproof.rules`` (documented in docs/format.md).

A rules document has three optional sections::

    {"thresholds": {"duplicate_iou": 0.95, ...},          # dataset-wide figures (THRESHOLDS below)
     "default": {"min_width": 2, ...},                     # applies to every class
     "classes": {"person": {"min_area": "0.1%", "border": false, "countable": true}}}

Class entries take the limits of ``CLASS_KEYS`` and may override any threshold. Sizes are pixels (a
number) or a percentage of the image (a string ``"5%"``: of its width for widths, height for heights,
pixel count for areas). Every problem is reported with its location (``rules.classes.person.min_area:
...``) through ``RulesError``, so a bad rules file is one clear message, never a crash mid-run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixelproof.core.limits import NAME_IN_TEXT, LimitError, read_yaml, short_repr

GEOMETRY_KINDS = ("box", "polygon", "mask")

# name -> (default, help). None = no limit / not set.
THRESHOLDS: dict[str, tuple[float | None, str]] = {
    "duplicate_iou": (0.95, "IoU at or above which two objects of one class are a duplicate"),
    "near_duplicate_iou": (
        0.85,
        "IoU at or above which two objects of one class are a near duplicate (at duplicate_iou or more: off)",
    ),
    "class_conflict_iou": (
        0.85,
        "IoU at or above which two objects of different classes are a class conflict (the higher of their "
        "classes' values)",
    ),
    "bbox_tolerance": (1.0, "px a stored bbox may differ from the tight box of its shape"),
    "outlier_z": (3.5, "robust z (0.6745 (x - median) / MAD) beyond which a value is an outlier"),
    "outlier_min_objects": (20, "objects a class needs before its own distribution is trusted"),
    "outlier_min_spread": (0.05, "floor of the MAD (log units, or Dice) so identical objects do not flag"),
    "speckle_px": (16, "islands and holes of a mask smaller than this many pixels are speckle"),
    "island_gap": (0.25, "an island is far when its gap to the main body exceeds this x sqrt(main area)"),
    "touch_min_px": (3, "pixels of contact for two countable masks to count as touching"),
    "confident": (0.95, "prediction score at which a prediction is confident (ObjectLab: overlooked, swap)"),
    "min_prediction_score": (0.5, "predictions at or below this are ignored for location (ObjectLab)"),
    "cover": (0.9, "share of a box inside its matched prediction for partial_box / oversized_box"),
    "min_mask_dice": (None, "Dice with the model's mask below which low_mask_agreement always flags"),
    "near_picture_bits": (6, "pHash bits (of 64) two pictures may differ by to be near copies (0..16)"),
}

# the thresholds that are shares (IoU, scores, Dice): 0..1
UNIT_THRESHOLDS = (
    "duplicate_iou",
    "near_duplicate_iou",
    "class_conflict_iou",
    "confident",
    "min_prediction_score",
    "cover",
    "min_mask_dice",
)

CLASS_KEYS: dict[str, str] = {
    "min_width": "size",
    "max_width": "size",
    "min_height": "size",
    "max_height": "size",
    "min_area": "size",
    "max_area": "size",
    "min_aspect": "number",  # width / height
    "max_aspect": "number",
    "kinds": "kinds",  # allowed geometry kinds
    "border": "bool",  # may touch the image border (default true)
    "countable": "bool",  # masks must not overlap or touch (default false)
}


class RulesError(Exception):
    """The rules are not usable; ``problems`` holds one located message per problem."""

    def __init__(self, problems: list[str], source: str = "rules") -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.source = source


@dataclass(frozen=True, slots=True)
class Size:
    """A length or area limit: pixels, or a fraction of the image dimension."""

    value: float
    relative: bool = False

    def pixels(self, image_extent: float) -> float:
        return self.value * image_extent if self.relative else self.value

    def to_json(self) -> float | str:
        if self.relative:
            return f"{self.value * 100:g}%"
        return int(self.value) if float(self.value).is_integer() else self.value


# every class, unless the rules' "default" section says otherwise: a click or a stray drag, not an object.
# min_area 5 flags 4 px and less: a 2x2 speck is what one click of the 2 px brush paints (README, Rules)
DEFAULT_CLASS_RULES: dict[str, Any] = {"min_width": Size(2), "min_height": Size(2), "min_area": Size(5)}


@dataclass(frozen=True, slots=True)
class ClassRules:
    """Resolved rules of one class: limits, allowed kinds, border and countable flags, thresholds."""

    min_width: Size | None = None
    max_width: Size | None = None
    min_height: Size | None = None
    max_height: Size | None = None
    min_area: Size | None = None
    max_area: Size | None = None
    min_aspect: float | None = None
    max_aspect: float | None = None
    kinds: tuple[str, ...] = GEOMETRY_KINDS
    border: bool = True
    countable: bool = False
    thresholds: Mapping[str, float | None] = field(default_factory=dict)

    def threshold(self, name: str) -> float | None:
        return self.thresholds[name]


@dataclass(frozen=True)
class Rules:
    """The whole rules document, validated. ``for_class(name)`` resolves default + class entry."""

    thresholds: dict[str, float | None] = field(default_factory=lambda: default_thresholds())
    default: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_CLASS_RULES))
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # as written (kept for saving back unchanged)

    def threshold(self, name: str) -> float | None:
        return self.thresholds[name]

    def for_class(self, name: str) -> ClassRules:
        entry = {**self.default, **self.classes.get(name, {})}
        limits = {k: v for k, v in entry.items() if k in CLASS_KEYS and v is not None}
        own = {k: v for k, v in entry.items() if k in THRESHOLDS}  # None = "not set" for min_mask_dice
        return ClassRules(**limits, thresholds={**self.thresholds, **own})

    def to_json(self) -> dict[str, Any]:
        """The document as stored in the project (only what differs from the defaults is written)."""
        out: dict[str, Any] = {}
        th = {k: v for k, v in self.thresholds.items() if v != THRESHOLDS[k][0]}
        if th:
            out["thresholds"] = th
        changed = {
            k: v
            for k, v in self.default.items()
            if k not in DEFAULT_CLASS_RULES or DEFAULT_CLASS_RULES[k] != v
        }
        if changed:
            out["default"] = {k: _value_json(v) for k, v in changed.items()}
        if self.classes:
            out["classes"] = {c: {k: _value_json(v) for k, v in e.items()} for c, e in self.classes.items()}
        return out


def default_thresholds() -> dict[str, float | None]:
    return {k: v[0] for k, v in THRESHOLDS.items()}


def _value_json(v: Any) -> Any:
    if isinstance(v, Size):
        return v.to_json()
    if isinstance(v, tuple):
        return list(v)
    return v


# ------------------------------------------------------------------------------------------------
# parsing


def parse_rules(doc: Any, where: str = "rules") -> Rules:
    """Validate a rules document (None = defaults); raises ``RulesError`` listing every problem."""
    if doc is None:
        return Rules()
    problems: list[str] = []
    err = problems.append
    if not isinstance(doc, dict):
        raise RulesError([f"{where}: expected an object, got {type(doc).__name__}"])
    for key in doc.keys() - {"thresholds", "default", "classes"}:
        err(f"{where}.{_name(key)}: unknown section (expected thresholds, default, classes)")
    thresholds = default_thresholds()
    th = doc.get("thresholds", {})
    if not isinstance(th, dict):
        err(f"{where}.thresholds: expected an object, got {type(th).__name__}")
        th = {}
    for key, value in th.items():
        parsed = _threshold(key, value, f"{where}.thresholds.{_name(key)}", err)
        if parsed is not _BAD:
            thresholds[key] = parsed
    default = {**DEFAULT_CLASS_RULES, **_class_entry(doc.get("default", {}), f"{where}.default", err)}
    classes: dict[str, dict[str, Any]] = {}
    cls = doc.get("classes", {})
    if not isinstance(cls, dict):
        err(f"{where}.classes: expected an object (class name -> rules), got {type(cls).__name__}")
        cls = {}
    for name, entry in cls.items():
        classes[str(name)] = _class_entry(entry, f"{where}.classes.{_name(name)}", err)
    if problems:
        raise RulesError(problems)
    return Rules(thresholds, default, classes, raw=doc)


_BAD = object()


def _name(key: Any) -> str:
    """A class or key name in a problem's location, cut as names in sentences are (a 1 MB name is no
    name, and its problem must stay a line)."""
    text = str(key)
    return text if len(text) <= NAME_IN_TEXT else text[:NAME_IN_TEXT] + "…"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _threshold(key: str, value: Any, where: str, err: Any) -> Any:
    if key not in THRESHOLDS:
        err(f"{where}: unknown threshold (known: {', '.join(THRESHOLDS)})")
        return _BAD
    if value is None and THRESHOLDS[key][0] is None:
        return None
    v = _number(value)
    if v is None or v < 0:
        err(f"{where}: expected a non-negative number, got {short_repr(value)}")
        return _BAD
    if key in UNIT_THRESHOLDS and v > 1:
        err(f"{where}: expected a number in 0..1, got {short_repr(value)}")
        return _BAD
    if key == "near_picture_bits" and (v > 16 or not v.is_integer()):
        err(f"{where}: expected a whole number of bits in 0..16, got {short_repr(value)}")
        return _BAD
    return v


def _size(value: Any, where: str, err: Any) -> Size | None:
    if isinstance(value, str):
        text = value.strip()
        v = _number_from_text(text[:-1]) if text.endswith("%") else None
        if v is None or v < 0:
            err(
                f"{where}: expected pixels (a number) or a percentage of the image like '5%', "
                f"got {short_repr(value)}"
            )
            return None
        return Size(v / 100.0, relative=True)
    v = _number(value)
    if v is None or v < 0:
        err(
            f"{where}: expected pixels (a non-negative number) or a percentage like '5%', "
            f"got {short_repr(value)}"
        )
        return None
    return Size(v)


def _number_from_text(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _class_entry(entry: Any, where: str, err: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(entry, dict):
        err(f"{where}: expected an object, got {type(entry).__name__}")
        return out
    for key, value in entry.items():
        at = f"{where}.{_name(key)}"
        kind = CLASS_KEYS.get(key)
        if kind is None:
            if key in THRESHOLDS:
                parsed = _threshold(key, value, at, err)
                if parsed is not _BAD:
                    out[key] = parsed
            else:
                err(f"{at}: unknown key (known: {', '.join([*CLASS_KEYS, *THRESHOLDS])})")
            continue
        if value is None:
            out[key] = None  # explicit "no limit": overrides a default
            continue
        if kind == "size":
            size = _size(value, at, err)
            if size is not None:
                out[key] = size
        elif kind == "number":
            v = _number(value)
            if v is None or v <= 0:
                err(f"{at}: expected a positive number (width / height), got {short_repr(value)}")
            else:
                out[key] = v
        elif kind == "bool":
            if not isinstance(value, bool):
                err(f"{at}: expected true or false, got {short_repr(value)}")
            else:
                out[key] = value
        else:  # kinds
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(k, str) and k in GEOMETRY_KINDS for k in value)
            ):
                err(
                    f"{at}: expected a non-empty list of {', '.join(GEOMETRY_KINDS)}, got {short_repr(value)}"
                )
            else:
                out[key] = tuple(dict.fromkeys(value))
    for lo, hi in (("min_aspect", "max_aspect"),):
        if lo in out and hi in out and out[lo] > out[hi]:
            err(f"{where}: {lo} {out[lo]:g} is larger than {hi} {out[hi]:g}")
    return {k: v for k, v in out.items()}


def rules_of(app: Mapping[str, Any]) -> Rules:
    """The rules stored in a project's top-level ``pixelproof`` dict (defaults when there are none)."""
    return parse_rules(app.get("rules"), "pixelproof.rules")


def load_rules_file(path: str | os.PathLike[str]) -> Rules:
    """Read rules from a JSON or YAML file; ``RulesError`` names the file on any problem."""
    p = Path(path)
    doc = _read_yaml(p) if p.suffix.lower() in (".yaml", ".yml") else _read_json(p)
    try:
        return parse_rules(doc, "rules")
    except RulesError as e:
        raise RulesError([f"{p}: {m}" for m in e.problems], str(p)) from None


def _read_json(p: Path) -> Any:
    from pixelproof.core.coco import ProjectFormatError, read_json

    try:
        return read_json(p)
    except ProjectFormatError as e:
        raise RulesError([f"{p}: {m}" for m in e.problems], str(p)) from None


def _read_yaml(p: Path) -> Any:
    """YAML as ``limits.read_yaml`` reads it (a regular file of at most 1 MB, no aliases, nesting
    bounded: 200,000 nested brackets hung lint and 3,000 raised a RecursionError), its refusals as
    ``RulesError``."""
    try:
        return read_yaml(p)
    except (LimitError, ValueError) as e:
        raise RulesError([str(e)], str(p)) from None
    except OSError as e:
        raise RulesError([f"{p}: cannot read the file: {e.strerror or e}"], str(p)) from None

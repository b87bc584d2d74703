"""Class maps of mask folders: which class a pixel value (semantic) or an instance id (instance) stands for.

One reader for every dialect met in the wild, so ``convert``, ``qa`` and the review view agree:

- value -> name lists: ``classes.txt`` / ``labels.txt`` / ``class_names.txt`` (line n = value n, line 0 =
  background; LabelMe's leading ``__ignore__`` line is dropped);
- value -> name tables: ``classes.json`` / ``class_map.json`` as ``{"1": "cat"}``, ``classes.csv`` /
  ``class_map.csv`` with the columns ``value,class`` (or ``id,class``);
- per-file instance maps: ``instances.json`` (``{"a.png": {"1": "cat"}}``), ``instances.csv``
  (``mask,instance,class``), ``classes.json`` as ``{"instances": {"a.png": {"1": "cat"}}}``,
  ``classes.csv`` with ``file,id,class``, or a ``<stem>.json`` beside each mask.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixelproof.interop._util import Reporter

LIST_FILES = ("classes.txt", "labels.txt", "class_names.txt")
TABLE_FILES = ("classes.json", "class_map.json", "classes.csv", "class_map.csv")
RESERVED = ("", "__ignore__", "_background_")


@dataclass
class ClassMap:
    """``names``: semantic value -> class name (None: no map found); ``instances``: mask file name ->
    {instance id (str) -> class name or class value}."""

    names: dict[int, str] | None = None
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: Path | None = None

    @property
    def per_file(self) -> bool:
        return bool(self.instances)

    def name(self, value: int) -> str | None:
        if self.names is None:
            return None
        name = self.names.get(value)
        return None if name in RESERVED else name


def read_class_map(root: Path, given: Path | None, report: Reporter) -> ClassMap:
    """The class map of a mask folder: ``given`` (a list, JSON or CSV) or the first of the known files."""
    out = ClassMap()
    candidates = [given] if given is not None else [root / n for n in (*LIST_FILES, *TABLE_FILES)]
    for f in candidates:
        if f.is_file():
            _read_one(f, out, report)
            out.source = f
            break
    if (root / "instances.json").is_file():
        out.instances.update(_instances_json(root / "instances.json", report))
    if (root / "instances.csv").is_file():
        out.instances.update(_instances_csv(root / "instances.csv", ("mask", "instance", "class"), report))
    return out


def _read_one(f: Path, out: ClassMap, report: Reporter) -> None:
    try:
        if f.suffix.lower() == ".json":
            data = json.loads(f.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("instances"), dict):
                out.instances.update(_per_file(data["instances"], f, report))
            elif isinstance(data, dict):
                out.names = {int(k): str(v) for k, v in data.items()}
            else:
                report(f"{f}: expected a JSON object of value -> class name; ignored")
        elif f.suffix.lower() == ".csv":
            with f.open(newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh), [])
            if "file" in header:
                out.instances.update(_instances_csv(f, ("file", "id", "class"), report))
            else:
                out.names = _value_table(f, "value" if "value" in header else "id", report)
        else:
            out.names = dict(enumerate(_lines(f)))
    except (ValueError, TypeError, OSError, UnicodeDecodeError) as e:
        report(f"{f}: cannot read the class map ({e}); ignored")


def _lines(f: Path) -> list[str]:
    lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if lines and lines[0] == "__ignore__":
        lines = lines[1:]
    return lines


def _value_table(f: Path, key: str, report: Reporter) -> dict[int, str]:
    out: dict[int, str] = {}
    with f.open(newline="", encoding="utf-8") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            try:
                out[int(row[key])] = str(row["class"])
            except (KeyError, ValueError, TypeError):
                report(f"{f}:{lineno}: expected columns {key},class with an integer {key}; line skipped")
    return out


def _per_file(data: dict, f: Path, report: Reporter) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, ids in data.items():
        if not isinstance(ids, dict):
            report(f"{f}: {name}: expected {{instance id: class}}; ignored")
            continue
        out[str(name)] = {str(k): v for k, v in ids.items()}
    return out


def _instances_json(f: Path, report: Reporter) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (ValueError, OSError, UnicodeDecodeError) as e:
        report(f"{f}: not readable JSON ({e}); ignored")
        return {}
    if not isinstance(data, dict):
        report(f"{f}: expected {{mask: {{instance: class}}}}; ignored")
        return {}
    return _per_file(data, f, report)


def _instances_csv(f: Path, columns: tuple[str, str, str], report: Reporter) -> dict[str, dict[str, Any]]:
    file_col, id_col, class_col = columns
    out: dict[str, dict[str, Any]] = {}
    with f.open(newline="", encoding="utf-8") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            try:
                out.setdefault(row[file_col], {})[str(int(row[id_col]))] = row[class_col]
            except (KeyError, ValueError, TypeError):
                report(f"{f}:{lineno}: expected columns {','.join(columns)}; line skipped")
    return out


def sidecar_map(mask: Path, report: Reporter) -> dict[str, Any] | None:
    """``<stem>.json`` beside a mask: {instance id: class}."""
    side = mask.with_suffix(".json")
    if not side.is_file():
        return None
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        return {str(k): v for k, v in data.items()}
    except (ValueError, AttributeError, OSError, UnicodeDecodeError):
        report(f"{side}: expected {{instance: class}}; ignored")
        return None


def has_instance_map(root: Path, mask_dir: Path) -> bool:
    """Whether a folder's masks hold instance ids (a per-file class map exists) rather than class values."""
    if (root / "instances.json").is_file() or (root / "instances.csv").is_file():
        return True
    for name in ("classes.json", "class_map.json"):
        try:
            data = json.loads((root / name).read_text(encoding="utf-8")) if (root / name).is_file() else None
        except (ValueError, OSError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("instances"), dict):
            return True
    for name in ("classes.csv", "class_map.csv"):
        if (root / name).is_file():
            with (root / name).open(newline="", encoding="utf-8", errors="replace") as fh:
                if "file" in next(csv.reader(fh), []):
                    return True
    return any(p.with_suffix(".png").is_file() for p in mask_dir.glob("*.json"))

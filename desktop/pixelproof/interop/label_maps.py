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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.limits import LimitError, check_id, short_repr
from pixelproof.interop._util import Reporter, small_int
from pixelproof.interop.csv_tables import csv_columns, csv_rows
from pixelproof.interop.dataset_json import loads_json

LIST_FILES = ("classes.txt", "labels.txt", "class_names.txt")
TABLE_FILES = ("classes.json", "class_map.json", "classes.csv", "class_map.csv")
RESERVED = ("", "__ignore__", "_background_")
VOC_CLASSES = (  # Pascal VOC's 20 classes, values 1..20
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "pottedplant",
    "sheep",
    "sofa",
    "train",
    "tvmonitor",
)


def class_value(cls: Any) -> int | None:
    """A per-file class map entry (``instances.json``, CSV cells) as a class value, a line of the class
    list, when it is one (an integer, or ASCII digits: ``small_int``); None when it is a name (``"²"``
    is a digit to ``isdigit``, and int() refused it)."""
    if isinstance(cls, int) and not isinstance(cls, bool):
        return cls
    return small_int(cls) if isinstance(cls, str) and not cls.startswith("-") else None


def voc_colormap(n: int = 256) -> np.ndarray:
    """Pascal VOC's colour map (also LabelMe's), so written palette PNGs look as in those tools."""
    cmap = np.zeros((n, 3), dtype=np.uint8)
    for i in range(n):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[i] = (r, g, b)
    return cmap


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
            data = _read_json(f)
            if isinstance(data, dict) and isinstance(data.get("instances"), dict):
                out.instances.update(_per_file(data["instances"], f, report))
            elif isinstance(data, dict):
                out.names = {}
                for k, v in data.items():
                    at = f"{f}: key {short_repr(k)}"
                    try:
                        out.names[check_id(int(k), at)] = str(v)
                    except LimitError as e:  # a value past 64 bits stopped the whole import
                        report(f"{e}; ignored")
                    except ValueError:  # one such key made the whole map ignored
                        report(f"{at}: no integer; ignored")
            else:
                report(f"{f}: expected a JSON object of value -> class name; ignored")
        elif f.suffix.lower() == ".csv":
            header = csv_columns(f)
            if "file" in header:
                out.instances.update(_instances_csv(f, ("file", "id", "class"), report))
            else:
                out.names = _value_table(f, "value" if "value" in header else "id", report)
        else:
            out.names = dict(enumerate(_lines(f)))
    except (ValueError, TypeError, OSError, UnicodeDecodeError) as e:
        report(f"{f}: cannot read the class map ({e}); ignored")


def _read_json(f: Path) -> Any:
    """A class or colour map's JSON; a ValueError (which the callers report, naming the file) also for
    nesting too deep to parse: ``json.loads`` raised a RecursionError there, a traceback for the user."""
    return loads_json(f.read_bytes())


def _lines(f: Path) -> list[str]:
    lines = [ln.strip() for ln in f.read_text(encoding="utf-8-sig").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if lines and lines[0] == "__ignore__":
        lines = lines[1:]
    return lines


def _value_table(f: Path, key: str, report: Reporter) -> dict[int, str]:
    out: dict[int, str] = {}
    for lineno, row in csv_rows(f, report):
        try:
            out[check_id(int(row[key]), f"{f}:{lineno}")] = str(row["class"])
        except LimitError as e:  # a value past 64 bits stopped the whole import
            report(f"{e}; line skipped")
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
        data = _read_json(f)
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
    for lineno, row in csv_rows(f, report):
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
        data = _read_json(side)
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
            found = root / name
            data = _read_json(found) if found.is_file() else None
        except (ValueError, OSError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("instances"), dict):
            return True
    for name in ("classes.csv", "class_map.csv"):
        if (root / name).is_file() and "file" in csv_columns(root / name):
            return True
    return any(p.with_suffix(".png").is_file() for p in mask_dir.glob("*.json"))


# ------------------------------------------------------------------------------------------------
# colour maps: RGB masks (VOC SegmentationClass as RGB, CamVid, Datumaro's common semantic layout)

VOID_VALUE = 255
VOID_NAMES = ("void", "ignored", "ignore", "__ignore__")
# CamVid's 32 classes (Brostow et al.), as its label_colors.txt lists them and Datumaro reads them
CAMVID_COLORS = (
    ("Void", (0, 0, 0)), ("Animal", (64, 128, 64)), ("Archway", (192, 0, 128)), ("Bicyclist", (0, 128, 192)),
    ("Bridge", (0, 128, 64)), ("Building", (128, 0, 0)), ("Car", (64, 0, 128)),
    ("CartLuggagePram", (64, 0, 192)), ("Child", (192, 128, 64)), ("Column_Pole", (192, 192, 128)),
    ("Fence", (64, 64, 128)), ("LaneMkgsDriv", (128, 0, 192)), ("LaneMkgsNonDriv", (192, 0, 64)),
    ("Misc_Text", (128, 128, 64)), ("MotorcycycleScooter", (192, 0, 192)), ("OtherMoving", (128, 64, 64)),
    ("ParkingBlock", (64, 192, 128)), ("Pedestrian", (64, 64, 0)), ("Road", (128, 64, 128)),
    ("RoadShoulder", (128, 128, 192)), ("Sidewalk", (0, 0, 192)), ("SignSymbol", (192, 128, 128)),
    ("Sky", (128, 128, 128)), ("SUVPickupTruck", (64, 128, 192)), ("TrafficCone", (0, 0, 64)),
    ("TrafficLight", (0, 64, 64)), ("Train", (192, 64, 128)), ("Tree", (128, 128, 0)),
    ("Truck_Bus", (192, 128, 192)), ("Tunnel", (64, 0, 64)), ("VegetationMisc", (192, 192, 0)),
    ("Wall", (64, 192, 0)),
)  # fmt: skip


@dataclass
class ColorMap:
    """RGB colour -> mask value, and value -> class name; void-named colours map to ``VOID_VALUE``."""

    colors: dict[tuple[int, int, int], int]
    names: dict[int, str]
    source: str

    @classmethod
    def from_list(cls, entries: list[tuple[str, tuple[int, int, int] | None]], source: str) -> ColorMap:
        """The map of ``entries`` (value = place); an entry without a colour (``None``: one not read) keeps
        its value, so the classes after it keep theirs."""
        colors: dict[tuple[int, int, int], int] = {}
        names: dict[int, str] = {}
        for value, (name, rgb) in enumerate(entries):
            if rgb is None:
                continue
            if name.strip().lower() in VOID_NAMES:
                colors.setdefault(rgb, VOID_VALUE)
                continue
            colors.setdefault(rgb, value)
            names[value] = name
        return cls(colors, names, source)

    def to_ids(self, rgb: np.ndarray) -> tuple[np.ndarray, int]:
        """HxWx3 colours -> HxW values, and how many pixels had a colour the map does not name (-> 0)."""
        packed = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
        keys = np.array([(r << 16) | (g << 8) | b for r, g, b in self.colors], dtype=np.int64)
        values = np.array(list(self.colors.values()), dtype=np.int64)
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        pos = np.clip(np.searchsorted(keys, packed), 0, max(len(keys) - 1, 0))
        known = keys[pos] == packed if len(keys) else np.zeros(packed.shape, bool)
        ids = np.where(known, values[pos] if len(keys) else 0, 0)
        return ids.astype(np.int64), int(np.count_nonzero(~known))


def voc_color_map() -> ColorMap:
    """Pascal VOC's default palette: value k has colour ``voc_colormap()[k]``; 255 (224, 224, 192) is void."""
    cmap = voc_colormap()
    colors = {tuple(int(c) for c in cmap[k]): k for k in range(256)}
    return ColorMap(
        colors, dict(enumerate(["_background_", *VOC_CLASSES])), "Pascal VOC's default colour map"
    )


def camvid_color_map() -> ColorMap:
    return ColorMap.from_list(list(CAMVID_COLORS), "CamVid's default colour map")


def read_color_map(root: Path, report: Reporter) -> ColorMap | None:
    """The colour map of a folder of RGB masks: ``dataset_meta.json`` (Datumaro), ``labelmap.txt``
    (``name:r,g,b:parts:actions``, Datumaro's VOC) or ``label_colors.txt`` (``r g b<TAB>name``, CamVid)."""
    try:
        if (root / "dataset_meta.json").is_file():
            meta = _read_json(root / "dataset_meta.json")
            labels = {int(k): str(v) for k, v in meta["label_map"].items()}
            where = f"{root / 'dataset_meta.json'}: segmentation_colors"
            colors = [_rgb(rgb, f"{where}[{i}]", report) for i, rgb in enumerate(meta["segmentation_colors"])]
            entries = [(labels.get(i, f"class_{i}"), rgb) for i, rgb in enumerate(colors)]
            return ColorMap.from_list(entries, str(root / "dataset_meta.json"))
        if (root / "labelmap.txt").is_file():
            entries = []
            text = (root / "labelmap.txt").read_text(encoding="utf-8-sig")
            for lineno, line in enumerate(text.splitlines(), start=1):
                if line.strip() and not line.lstrip().startswith("#"):
                    name, rgb, *_ = line.split(":")
                    entries.append(
                        (name.strip(), _rgb(rgb.split(","), f"{root / 'labelmap.txt'}:{lineno}", report))
                    )
            return ColorMap.from_list(entries, str(root / "labelmap.txt"))
        if (root / "label_colors.txt").is_file():
            entries = []
            text = (root / "label_colors.txt").read_text(encoding="utf-8-sig")
            for lineno, line in enumerate(text.splitlines(), start=1):
                parts = line.split()
                if len(parts) >= 4:
                    rgb = _rgb(parts[:3], f"{root / 'label_colors.txt'}:{lineno}", report)
                    entries.append((" ".join(parts[3:]), rgb))
            return ColorMap.from_list(entries, str(root / "label_colors.txt"))
    except (ValueError, KeyError, TypeError, AttributeError, OSError, UnicodeDecodeError) as e:
        report(f"{root}: cannot read the colour map ({e}); RGB masks cannot be read")
    return None


def _rgb(values: Any, where: str, report: Reporter) -> tuple[int, int, int] | None:
    """A colour map's colour: 3 integers 0..255; else None, said with its place (a component of 1e308 or
    99999999999999999999 stopped the import with an OverflowError, two components failed every mask)."""
    try:
        if isinstance(values, list) and len(values) == 3:
            rgb = tuple(int(v) for v in values)
            if all(0 <= v <= 255 for v in rgb):
                return rgb  # type: ignore[return-value]
    except (TypeError, ValueError, OverflowError):
        pass
    report(f"{where}: colour {short_repr(values)} is not 3 integers 0..255; that class's colour is not read")
    return None

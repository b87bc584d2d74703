"""Load a QA reference: a COCO project, or a folder of PNG masks (DESIGN.md §6, issue 6).

A mask folder becomes an in-memory ``Project`` (one RLE annotation per instance, or per class for semantic
masks) so QA has one code path. Folder forms:

- semantic PNGs: pixel = class value (0 = background); palette PNGs (VOC) are read as palette indices;
  255 = void, excluded from every count. Class names come from ``classes.json`` / ``classes.csv``
  (value -> name), else from the candidate project's category with that id.
- instance PNGs: pixel = instance id (0 = background, 255 = void), with a class map giving each id's class:
  ``classes.json`` as ``{"instances": {"a.png": {"1": "cat", "2": "dog"}}}`` or ``classes.csv`` with the
  header ``file,id,class``.

Semantic references have no objects, so the instance figures (precision, recall, PQ...) are not scored.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import masks
from pixelproof.core.coco import ProjectFormatError, load_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

VOID = 255
CLASS_MAP_NAMES = ("classes.json", "classes.csv", "class_map.json", "class_map.csv")


class ReferenceLoadError(Exception):
    """The reference cannot be read; ``problems`` lists each reason (one line each)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Reference:
    """What QA scores against: a project, plus void (ignored) pixels per reference image id."""

    project: Project
    void: dict[int, dict[str, Any]] = field(default_factory=dict)  # image id -> RLE of void pixels
    kind: str = "project"  # "project" | "instance masks" | "semantic masks"
    source: str = ""
    problems: list[str] = field(default_factory=list)  # non-fatal: unreadable files, unknown values

    @property
    def instance_scored(self) -> bool:
        return self.kind != "semantic masks"

    def void_mask(self, image: ImageRecord) -> np.ndarray | None:
        rle = self.void.get(image.id)
        return masks.decode(rle) if rle is not None else None


def load_reference(
    path: str | os.PathLike[str], candidate: Project | None = None, mode: str = "auto"
) -> Reference:
    """A reference from a project .json or a folder of PNG masks; raises ``ReferenceLoadError``.

    ``mode`` ("auto" | "semantic" | "instance") says how a folder's PNGs are read; "auto" picks instance
    when the class map is per file.
    """
    p = Path(path)
    if p.is_dir():
        return load_mask_folder(p, candidate, mode)
    try:
        project = load_project(p)
    except ProjectFormatError as e:
        raise ReferenceLoadError([f"{e.path}: {q}" for q in e.problems]) from None
    return Reference(project=project, kind="project", source=str(p))


def _read_class_map(folder: Path) -> tuple[dict[int, str], dict[str, dict[int, str]], list[str]]:
    """(semantic value -> name, per-file instance id -> name, problems)."""
    problems: list[str] = []
    for name in CLASS_MAP_NAMES:
        f = folder / name
        if not f.is_file():
            continue
        try:
            if f.suffix == ".json":
                data = json.loads(f.read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("instances"), dict):
                    per_file = {
                        str(k): {int(i): str(c) for i, c in v.items()} for k, v in data["instances"].items()
                    }
                    return {}, per_file, problems
                if isinstance(data, dict):
                    return {int(k): str(v) for k, v in data.items()}, {}, problems
                problems.append(f"{f}: expected a JSON object")
                return {}, {}, problems
            with f.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            if rows and "file" in rows[0]:
                per: dict[str, dict[int, str]] = {}
                for r in rows:
                    per.setdefault(r["file"], {})[int(r["id"])] = r["class"]
                return {}, per, problems
            key = "value" if rows and "value" in rows[0] else "id"
            return {int(r[key]): r["class"] for r in rows}, {}, problems
        except (ValueError, KeyError, TypeError, OSError, json.JSONDecodeError) as e:
            problems.append(f"{f}: cannot read the class map: {e}")
            return {}, {}, problems
    return {}, {}, problems


def read_label_png(path: Path) -> np.ndarray:
    """Label values of a mask PNG: palette indices for palette images, grey values otherwise."""
    from PIL import Image

    with Image.open(path) as im:
        if im.mode in ("P", "L", "I", "I;16", "I;16B", "1"):
            arr = np.array(im)
        elif im.mode in ("LA",):
            arr = np.array(im)[..., 0]
        else:
            raise ValueError(f"{im.mode} image: label masks must be palette or grey PNGs")
    return arr.astype(np.int64)


def load_mask_folder(folder: Path, candidate: Project | None = None, mode: str = "auto") -> Reference:
    """Read a folder of PNG masks into a ``Reference`` (see the module docstring for the forms)."""
    files = sorted(f for f in folder.rglob("*") if f.suffix.lower() == ".png" and f.is_file())
    if not files:
        raise ReferenceLoadError([f"{folder}: no PNG masks found"])
    semantic_map, instance_map, problems = _read_class_map(folder)
    if mode == "auto":
        mode = "instance" if instance_map else "semantic"
    project = Project()
    void: dict[int, dict[str, Any]] = {}
    cat_ids: dict[str, int] = {}

    def category_id(name: str, preferred: int | None = None) -> int:
        if name not in cat_ids:
            cid = preferred if preferred is not None and preferred not in project.categories else None
            cid = cid if cid is not None else max(project.categories, default=0) + 1
            project.add_category(Category(id=cid, name=name))
            cat_ids[name] = cid
        return cat_ids[name]

    def semantic_name(value: int) -> str | None:
        if value in semantic_map:
            return semantic_map[value]
        if candidate is not None and value in candidate.categories:
            return candidate.categories[value].name
        return None

    next_ann = 1
    for image_id, f in enumerate(files, start=1):
        rel = f.relative_to(folder).as_posix()
        try:
            arr = read_label_png(f)
        except (OSError, ValueError) as e:
            problems.append(f"{f}: {e}")
            continue
        h, w = arr.shape[:2]
        project.add_image(ImageRecord(id=image_id, file_name=rel, width=w, height=h))
        values = np.unique(arr)
        if mode == "semantic":
            names = {v: semantic_name(int(v)) for v in values if v not in (0, VOID)}
        else:
            ids = instance_map.get(rel) or instance_map.get(f.name) or instance_map.get(f.stem) or {}
            names = {v: ids.get(int(v)) for v in values if v not in (0, VOID)}
        if VOID in values and VOID not in names:
            void[image_id] = masks.encode(arr == VOID)
        for v in values:
            v = int(v)
            if v in (0, VOID) and names.get(v) is None:
                continue
            name = names.get(v)
            if name is None:
                what = "class value" if mode == "semantic" else "instance id"
                problems.append(f"{rel}: {what} {v} has no class in the class map; ignored")
                continue
            m = arr == v
            rle = masks.encode(m)
            preferred = v if mode == "semantic" and v not in semantic_map else None
            cid = category_id(name, preferred)
            project.add_annotation(
                Annotation(
                    id=next_ann,
                    image_id=image_id,
                    category_id=cid,
                    bbox=masks.bbox(m),
                    segmentation=rle,
                    area=float(np.count_nonzero(m)),
                )
            )
            next_ann += 1
    kind = "semantic masks" if mode == "semantic" else "instance masks"
    return Reference(project=project, void=void, kind=kind, source=str(folder), problems=problems)

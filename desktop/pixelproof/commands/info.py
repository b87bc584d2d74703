"""``pixelproof info PROJECT [--json]``: counts by kind, source, review state and image status."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pixelproof.commands._common import load_or_report, shown
from pixelproof.core.migration import format_note
from pixelproof.core.model import REVIEW_STATES, Annotation, Project
from pixelproof.core.overlap_versions import versions_side_by_side


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="counts of images, categories and annotations")
    p.add_argument("project", help="project .json file")
    p.add_argument("--json", action="store_true", help="print a JSON object (documented in README)")
    p.set_defaults(run=run)


def summarize(project: Project) -> dict[str, Any]:
    """Counts of objects; void regions (objects of void categories) are counted apart, not as objects."""
    void = project.void_category_ids()
    anns = [a for a in project.annotations.values() if a.category_id not in void]
    by_category = Counter(a.category_id for a in anns)
    held = versions_side_by_side(project)
    return {
        "images": len(project.images),
        "categories": len(project.categories),
        "annotations": len(anns),
        "void_regions": len(project.annotations) - len(anns),
        "by_kind": dict(Counter(a.kind for a in anns)),
        "by_source": dict(Counter(_source_group(a.source) for a in anns)),
        "by_review": review_counts(anns),
        "by_category": {c.name: by_category.get(c.id, 0) for c in project.categories.values() if not c.void},
        "image_status": dict(Counter(project.image_status(i) for i in project.images)),
        "overlap_images": len(held),
        "overlap_waiting": sum(len(who) == 1 for who in held.values()),
    }


def review_counts(annotations: list[Annotation]) -> dict[str, int]:
    """Objects per review state, every state listed: ``none`` (nobody reviewed it: what is drawn by hand),
    ``pending`` (a model's proposal not accepted yet), ``accepted``, ``rejected``."""
    counts = Counter(a.review or "none" for a in annotations)
    return {state: counts.get(state, 0) for state in ("none", *REVIEW_STATES)}


def image_geometry(project: Project) -> list[dict[str, Any]]:
    """Per image: size, ``pixel_spacing`` [row, col] mm (null when unknown) and, for a slice of a volume,
    the volume, the slice axis and index, and the slice position (mm)."""
    from pixelproof.core.qa_objects import image_spacing
    from pixelproof.core.qa_volumes import volume_name
    from pixelproof.core.volumes import parse_slice_ref

    out = []
    for image in project.images.values():
        spacing = image_spacing(image)
        row: dict[str, Any] = {
            "id": image.id,
            "file_name": image.file_name,
            "width": image.width,
            "height": image.height,
            "pixel_spacing": list(spacing) if spacing is not None else None,
        }
        ref = parse_slice_ref(image.file_name)
        if ref is not None:
            row.update(volume=volume_name(ref), slice_axis=ref.axis, slice_index=ref.index)
            row["slice_position"] = image.extra.get("slice_position")
        out.append(row)
    return out


def _source_group(source: str | None) -> str:
    if not source or source == "manual":
        return "manual"
    return source.split("/", 1)[0] if source.startswith("model:") else source


def run(args: argparse.Namespace) -> int:
    project = load_or_report(args.project)
    if project is None:
        return 1
    info = summarize(project)
    if args.json:
        info["per_image"] = image_geometry(project)
        print(json.dumps(info, indent=2))
        return 0
    print(f"project      {shown(args.project)}")
    print(f"format       {format_note(project)}")
    print(f"images       {info['images']}")
    _counts("by status", sorted(info["image_status"].items()))
    print(f"categories   {info['categories']}")
    print(f"annotations  {info['annotations']}")
    if info["void_regions"]:
        print(f"void regions {info['void_regions']} (left out of the counts below and of QA)")
    _counts("by kind", sorted(info["by_kind"].items()))
    _counts("by source", sorted(info["by_source"].items()))
    _counts("by review", [(k, v) for k, v in info["by_review"].items() if v])
    _counts("by category", info["by_category"].items())
    if info["overlap_images"]:
        waiting = info["overlap_waiting"]
        print(
            f"overlap      {info['overlap_images']} images hold annotators' versions side by side "
            + (f"({waiting} with one version so far) " if waiting else "")
            + "(`pixelproof consensus`, then --accept)"
        )
    return 0


def _counts(title: str, counts: Iterable[tuple[str, int]]) -> None:
    parts = ", ".join(f"{shown(k)} {v}" for k, v in counts) or "-"
    print(f"  {title:<13}{parts}")

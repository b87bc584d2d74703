"""Lint results as JSON, CSV or one self-contained HTML page (fields documented in README)."""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import safe_csv
from pixelproof.core.atomic import atomic_output
from pixelproof.core.lint.engine import LintResult
from pixelproof.core.lint.problems import KINDS, PROJECT_WIDE
from pixelproof.core.model import Project
from pixelproof.core.names import short_file_name
from pixelproof.core.report_html import html_text

# the JSON's problem fields, by their names; those a problem may lack (empty cells) after the first nine,
# which keep their places for readers of older CSVs
CSV_FIELDS = [
    "kind",
    "score",
    "image_id",
    "file_name",
    "annotation_id",
    "category",
    "bbox",
    "message",
    "fix",
    "related_annotation_id",
    "model_bbox",
    "figures",
    "key",
]


def to_dict(
    result: LintResult,
    project: str = "",
    extra_options: dict[str, Any] | None = None,
    file_names: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """``{"problems": [...], "summary": {...}, "options": {...}}`` plus per-image ObjectLab scores, each
    with its image's file name when ``file_names`` gives it: a per-image score to join on the file name, as
    the problems are (cleanlab's and FiftyOne's per-sample scores are joined so)."""
    data: dict[str, Any] = {
        "project": project,
        "problems": [p.to_dict() for p in result.problems],
        "summary": result.summary(),
        "options": {**result.options, **(extra_options or {})},
    }
    if result.image_scores:
        data["objectlab"] = {
            str(iid): {
                **({"file_name": file_names[iid]} if file_names and iid in file_names else {}),
                "label_quality": round(s.score, 6),
                "overlooked": round(s.overlooked_image, 6),
                "badloc": round(s.badloc_image, 6),
                "swap": round(s.swap_image, 6),
            }
            for iid, s in sorted(result.image_scores.items())
        }
    if result.cancelled:
        data["cancelled"] = True
    return data


def flagged_images(project: Project, result: LintResult) -> Project:
    """A project of the images with a listed problem (``--min-score`` and up, not dismissed), in the
    project's order, with all their objects and every class: the images to relabel, for ``convert`` to
    any format (as a FiftyOne user exports a filtered view). A problem of the whole project
    (``empty_class``) names no image and adds none."""
    from pixelproof.core.split import subset

    flagged = {p.image_id for p in result.problems if p.image_id is not None}
    return subset(project, [i for i in project.images if i in flagged])


def write_json(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    with atomic_output(path, text=True) as fh:
        fh.write(json.dumps(data, indent=1, allow_nan=False) + "\n")


def write_csv(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """One row per problem, a column per JSON field; bbox, model_bbox, fix and figures as compact JSON."""
    with atomic_output(path, text=True, newline="") as fh:
        rows = ([p.get(k) for k in CSV_FIELDS] for p in data["problems"])
        safe_csv.write_table(fh, list(CSV_FIELDS), rows, bom=True)


# ------------------------------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;overflow-wrap:anywhere}th{background:#eee}
.cards{display:flex;flex-wrap:wrap;gap:14px}
.cards figure{margin:0;font-size:12px;width:250px;overflow-wrap:anywhere}
.cards img{border:1px solid #ccc}.kind{font-weight:bold}
.cards figure.pair{width:500px}.pics{display:flex;gap:10px}.pics span{width:245px;overflow-wrap:anywhere}
"""
PAIR = " class='pair'"  # a duplicate_picture's card: two pictures side by side
_OUTLINE = (230, 159, 0)  # orange: where to look
_PROPOSED = (0, 114, 178)  # blue: the fix's box
_MODEL = (0, 158, 115)  # green: the model's box behind the problem (``model_bbox``), when not the fix's
JPEG_QUALITY = 85  # a crop is a photo: a JPEG is a seventh of the PNG, and reads the same


def write_html(
    data: dict[str, Any],
    path: str | os.PathLike[str],
    project: Project | None = None,
    worst: int = 40,
    read_image: Callable[[Path], np.ndarray] | None = None,
) -> None:
    """Summary tables and the ``worst`` problems as cards with a crop of the image (when readable)."""
    s = data["summary"]
    title = html_text(short_file_name(data.get("project", "")))
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>PixelProof lint report</title>",
        f"<style>{_CSS}</style></head><body><h1>PixelProof lint report</h1>",
        f"<p>{title}: {s['images']} images, {s['objects']} objects"
        + (f", {s['predictions']} predictions" if s.get("predictions") is not None else ", no model")
        + f"; {s['problems']} problems listed, {s['dismissed']} dismissed as not a problem.</p>",
        "<h2>By kind</h2><table><tr><th>kind</th><th>problems</th><th>meaning</th></tr>",
    ]
    for kind, n in s["by_kind"].items():
        parts.append(f"<tr><td>{kind}</td><td>{n}</td><td>{html.escape(KINDS.get(kind, ''))}</td></tr>")
    parts.append("</table><h2>By class</h2><table><tr><th>class</th><th>problems</th></tr>")
    for cls, n in s["by_class"].items():
        parts.append(f"<tr><td>{html_text(cls)}</td><td>{n}</td></tr>")
    parts.append(
        f"</table><h2>The {min(worst, len(data['problems']))} worst problems</h2><div class='cards'>"
    )
    images: dict[int, np.ndarray | None] = {}
    for p in data["problems"][:worst]:
        png = _crop(p, project, images, read_image) if project is not None else b""
        img = f"<img src='{_data_url(png)}' alt='crop'><br>" if png else ""
        partner = _partner(p, project)
        if partner is not None:  # duplicate_picture: the copy beside the picture it copies, both named
            other = _crop(partner, project, images, read_image)  # type: ignore[arg-type]
            img = (
                f"<div class='pics'>{_named(png, p['file_name'])}{_named(other, partner['file_name'])}</div>"
            )
        action = (p.get("fix") or {}).get("action", "none")
        ann = "" if p["annotation_id"] is None else f" #{p['annotation_id']}"
        where = short_file_name(p["file_name"] or PROJECT_WIDE)  # a problem of no image: the project's
        parts.append(
            f"<figure{PAIR if partner else ''}>{img}<span class='kind'>{p['kind']}</span> {p['score']:.2f} · "
            f"{html_text(p['category'] or '')}{ann}<br>{html_text(where)}<br>"
            f"{html_text(p['message'])}<br><i>fix: {html.escape(action)}</i></figure>"
        )
    parts.append("</div></body></html>")
    with atomic_output(path, text=True) as fh:
        fh.write("\n".join(parts))


def _data_url(jpeg: bytes) -> str:
    """A JPEG inline: the page stays one self-contained file."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _named(png: bytes, name: str) -> str:
    """A picture (when readable) above its file name."""
    img = f"<img src='{_data_url(png)}' alt='picture'>" if png else ""
    return f"<span>{img}<br>{html_text(short_file_name(name))}</span>"


def _partner(p: dict[str, Any], project: Project | None) -> dict[str, Any] | None:
    """For a ``duplicate_picture``, the earlier copy it names (``figures.other_image_id``) as a problem-like
    dict ``_crop`` crops whole; None for other kinds or a copy the project no longer holds."""
    other_id = (p.get("figures") or {}).get("other_image_id")
    if p["kind"] != "duplicate_picture" or project is None or other_id is None:
        return None
    other = project.images.get(int(other_id))
    if other is None:
        return None
    return {"image_id": other.id, "file_name": other.file_name, "bbox": [0, 0, other.width, other.height]}


def _crop(
    p: dict[str, Any],
    project: Project,
    cache: dict[int, np.ndarray | None],
    read: Callable[[Path], np.ndarray] | None,
    size: int = 240,
) -> bytes:
    import cv2

    from pixelproof.core.imageio import read_project_image, to_display8

    iid = p["image_id"]
    if iid not in cache:
        image = project.images.get(iid)
        try:  # as the project sees it: a slice whose series changed since gives no crop of another one
            pixels = None
            if image is not None:
                pixels = read(project.image_path(image)) if read else read_project_image(project, image)
            cache[iid] = None if pixels is None else to_display8(pixels)
        except Exception:
            cache[iid] = None
    pixels = cache[iid]
    if pixels is None:
        return b""
    rgb = pixels if pixels.ndim == 3 else np.repeat(pixels[..., None], 3, axis=2)
    rgb = np.ascontiguousarray(rgb[..., :3])
    h, w = rgb.shape[:2]
    fix = p.get("fix") or {}
    boxes = [(p["bbox"], _OUTLINE)]
    proposed = fix.get("bbox") or (fix.get("annotation") or {}).get("bbox")
    if proposed:
        boxes.append((proposed, _PROPOSED))
    model = p.get("model_bbox")
    if model and not (proposed and np.allclose(model, proposed, atol=0.5)):  # a fix's box is drawn already
        boxes.append((model, _MODEL))
    xs = [v for b, _ in boxes for v in (b[0], b[0] + b[2])]
    ys = [v for b, _ in boxes for v in (b[1], b[1] + b[3])]
    margin = 0.25 * max(max(xs) - min(xs), max(ys) - min(ys), 16)
    x0, y0 = int(max(0, min(xs) - margin)), int(max(0, min(ys) - margin))
    x1, y1 = int(min(w, max(xs) + margin + 1)), int(min(h, max(ys) + margin + 1))
    if x1 <= x0 or y1 <= y0:
        return b""
    crop = rgb[y0:y1, x0:x1].copy()
    scale = size / max(crop.shape[:2])
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))))
    for (bx, by, bw_, bh_), color in boxes:
        a = (round((bx - x0) * scale), round((by - y0) * scale))
        b = (round((bx + bw_ - x0) * scale), round((by + bh_ - y0) * scale))
        cv2.rectangle(crop, a, b, color, 2)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
    )
    return buf.tobytes() if ok else b""

"""The entries of the top-level ``pixelproof`` object that name images or objects by id (docs/format.md):
the per-image maps, a shard's record of what it was dealt, lint's "not a problem" decisions, the record of
the last "Pre-label all" (``core.run_ids``: the images asked and done). A project
holding some of another's images keeps the entries of its own only: a shard (``split.subset``), an export
that leaves images or objects out (``Format.write``), where an entry of an image not in the file made it
inconsistent and told what was left out."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from pixelproof.core.channel_display import KEY as DISPLAY_KEY
from pixelproof.core.model import Project, id_key
from pixelproof.core.overlap_versions import CONSENSUS_KEY, HONEYPOT_KEY, OVERLAP_KEY
from pixelproof.core.run_ids import only_images
from pixelproof.core.shard_match import FILES_AT_SPLIT

# top-level pixelproof maps keyed by image id
IMAGE_MAPS = (
    "image_status",
    "time_spent",
    "image_review",
    OVERLAP_KEY,
    CONSENSUS_KEY,
    DISPLAY_KEY,
    HONEYPOT_KEY,
)
# pixelproof.shard's maps keyed by image id
SHARD_MAPS = ("at_split", FILES_AT_SPLIT, "status_at_split", "stacking_at_split")


def images_only(entries: dict[str, Any], keep: Container[int]) -> dict[str, Any]:
    """The entries of a map keyed by image id whose image is in ``keep``."""
    return {k: v for k, v in entries.items() if id_key(k) in keep}


def written_app(project: Project) -> dict[str, Any]:
    """``project.app`` with only the entries naming ``project``'s images and objects: a new dict (the maps
    changed new too) when one names another, else ``project.app`` itself. A "not a problem" decision
    (``kind|image|object[+object]``) goes with its image or one of its objects; a key of no such form
    names nothing and stays."""
    app = project.app
    out = dict(app)
    for key in IMAGE_MAPS:
        entries = app.get(key)
        if isinstance(entries, dict):
            out[key] = images_only(entries, project.images)
    shard = app.get("shard")
    if isinstance(shard, dict):
        out["shard"] = {
            k: images_only(v, project.images) if k in SHARD_MAPS and isinstance(v, dict) else v
            for k, v in shard.items()
        }
    only_images(out, project.images.__contains__)
    lint = app.get("lint")
    if isinstance(lint, dict) and isinstance(lint.get("dismissed"), list):
        kept = [k for k in lint["dismissed"] if _names_held(k, project)]
        out["lint"] = {k: v for k, v in lint.items() if k != "dismissed"} | (
            {"dismissed": kept} if kept else {}
        )
        if not out["lint"]:  # as the app leaves it when the last decision goes
            del out["lint"]
    return app if out == app else out


def _names_held(key: Any, project: Project) -> bool:
    """Whether a "not a problem" key names only images and objects of ``project`` (or nothing)."""
    parts = key.split("|") if isinstance(key, str) else []
    image = id_key(parts[1]) if len(parts) == 3 else None
    if image is None:
        return True
    tail = parts[2]
    if tail == "-" or "@" in tail:  # an image's problem, a missing object: no object id
        return image in project.images
    ids = [id_key(t) for t in tail.split("+")]
    if None in ids:
        return True
    return image in project.images and all(i in project.annotations for i in ids)

"""The image ids in the record of the app's last "Pre-label all" (``pixelproof.prelabel_run``, kept by
``core.edits.prelabel_run``): the images the run was asked for and those done. Every operation that
renumbers, drops or moves images keeps them right through ``run_ids``, one rule: an id follows its image,
an id naming no image any more is removed (a number reused later would otherwise count as done), and a
record left naming no image asked is dropped. Removing an image (``Project.remove_image``), exports and
subsets (``image_maps``), ``renumber``, reading COCO split files as one (``coco_splits``) and ``merge``
(``merged_run``: the base's record in the merged ids; a shard's run is not the project's) use it. No
imports of the model: ``core.model`` uses it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pixelproof.core.wording import plural

RUN = "prelabel_run"  # the top-level pixelproof key


def well_formed(rec: Any) -> bool:
    """Whether ``rec`` is a record of the shape the app reads (docs/format.md); another (a hand-edited
    file) is ignored by the app: the next run starts anew."""
    if (
        not isinstance(rec, dict)
        or not isinstance(rec.get("run"), str)
        or not isinstance(rec.get("inputs"), dict)
    ):
        return False
    for key in ("images", "done"):
        values = rec.get(key)
        if not isinstance(values, list) or not all(type(v) is int for v in values):
            return False
    return True


def run_ids(rec: Any, images: Mapping[int, int]) -> tuple[dict[str, Any] | None, int]:
    """``rec`` with its image ids in ``images``' new ids (old -> new; an id not in it names an image no
    longer there: removed) and how many ids were removed. None when it is no record of the app's shape or
    no image asked is left (a malformed record counts as one removal). The other keys stay, in order."""
    if not well_formed(rec):
        return None, 1
    asked = [images[i] for i in rec["images"] if i in images]
    done = [images[i] for i in rec["done"] if i in images]
    removed = len(rec["images"]) - len(asked) + len(rec["done"]) - len(done)
    if not asked:
        return None, removed
    out = {**rec, "images": asked, "done": done}
    if "shrunk" in rec:  # a done image's factor follows it (``prelabel_run.shrunk_done`` reads it)
        shrunk = rec["shrunk"] if isinstance(rec["shrunk"], list) else []
        pairs = [p for p in shrunk if isinstance(p, list) and len(p) == 2 and type(p[0]) is int]
        out["shrunk"] = [[images[i], f] for i, f in pairs if i in images]
    return out, removed


def only_images(app: dict[str, Any], keep: Callable[[int], bool]) -> None:
    """Take the image ids ``keep`` refuses out of ``app``'s record (removed images, images a subset or an
    export leaves out, new images taking an id it named); the record goes when no image asked is left.
    A record of another shape is left as it is (the app ignores it)."""
    rec = app.get(RUN)
    if not well_formed(rec):
        return
    ids = [*rec["images"], *rec["done"]]
    if all(keep(i) for i in ids):
        return
    kept, _ = run_ids(rec, {i: i for i in ids if keep(i)})
    if kept is None:
        del app[RUN]
    else:
        app[RUN] = kept


def merged_run(
    app: dict[str, Any], base_app: dict[str, Any] | None, base_ids: Mapping[int, int], shard_apps: list[dict]
) -> int:
    """Set the merged project's record (``app``, the base's copy, else the first shard's) to the base's in
    the merged ids (``base_ids``: the base's image ids -> the merged project's): the merged project
    continues the base, whose run resumes on the images it had not done. A shard's record (a run started
    in the shard) is not carried: a run continues in the file it was started in. Returns how many shard
    records were left out."""
    rec, _ = run_ids(base_app.get(RUN), base_ids) if base_app is not None and RUN in base_app else (None, 0)
    if rec is None:
        app.pop(RUN, None)
    else:
        app[RUN] = rec
    return sum(RUN in a for a in shard_apps)


def run_dropped_text(n: int) -> str:
    """The merge's line on the shards' records it left out (CLI and app alike); "" for none."""
    if not n:
        return ""
    return (
        f"the unfinished Pre-label all of {plural(n, 'shard')} not carried: a run continues in the file "
        "it was started in; Pre-label all in the merged project starts anew"
    )

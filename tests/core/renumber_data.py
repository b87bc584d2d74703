"""A project near the top of the id range holding every kind of per-id data PixelProof keeps, made through
the real paths (split, merge, consensus, edits), and an independent reading of a saved file by names and
shapes (no ids) for the renumber tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from PIL import Image

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.consensus import accept_consensus, consensus_edit
from pixelproof.core.edits import AddAnnotations, RemoveAnnotations, ReviewDecision, SetImageStatus
from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.edits.image_state import SetReference
from pixelproof.core.edits.images import RecordTime
from pixelproof.core.edits.lint import DismissProblems, SetLintRules
from pixelproof.core.edits.model_mapping import RememberMapping
from pixelproof.core.limits import ID_MAX
from pixelproof.core.lint.problems import Problem
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.split import split_project
from tests.core.teams_data import H, W, box_annotation, disc, mask_annotation

TOP = ID_MAX - 10**6  # the objects' ids start here: room for the annotators' ranges of the split
IMAGE_IDS = [ID_MAX - 5 * 10**9, 7, ID_MAX - 3, ID_MAX]  # gaps, and the last id there is
CATEGORY_IDS = [ID_MAX, 3, ID_MAX - 9]


def polygon(aid: int, image_id: int, category_id: int, x: float, y: float) -> Annotation:
    points = [x, y, x + 12.5, y, x + 12.5, y + 9.25, x, y + 9.25]
    return Annotation(aid, image_id, category_id, [x, y, 12.5, 9.25], [points], 12.5 * 9.25)


def base_project(folder: Path) -> Project:
    """Four real PNGs, three classes (one void, with colour, shortcut and a guideline), twelve objects
    (masks, polygons, boxes) on ids near 2**63 - 1 with gaps, saved to ``folder/p.json``."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    p = Project(path=folder / "p.json")
    for k, iid in enumerate(IMAGE_IDS):
        Image.fromarray(np.full((H, W, 3), 30 * k, np.uint8)).save(folder / f"images/i{k}.png")
        p.add_image(ImageRecord(iid, f"images/i{k}.png", W, H))
    p.add_category(
        Category(CATEGORY_IDS[0], "cat", "animal", "#ff0000", "c", app_extra={"guideline": "**ears**"})
    )
    p.add_category(Category(CATEGORY_IDS[1], "dog", "animal", "#00ff00", "d", {"keypoints": []}))
    p.add_category(Category(CATEGORY_IDS[2], "DontCare", None, "#808080", app_extra={"void": True}))
    aid = TOP
    for k, iid in enumerate(IMAGE_IDS):
        p.add_annotation(mask_annotation(aid, iid, CATEGORY_IDS[0], disc(20 + k, 20, 8)))
        p.add_annotation(polygon(aid + 7, iid, CATEGORY_IDS[1], 35.0, 5.0 + k))
        p.add_annotation(box_annotation(aid + 9, iid, CATEGORY_IDS[k % 3], [40, 30, 10 + k, 8]))
        aid += 1000
    save_project(p)
    return load_project(p.path)


def rich_project(folder: Path) -> Project:
    """``base_project`` split between ann and bob (every image seen by both), each drawing in their shard,
    merged back into it, a consensus worked out (one image's accepted), then statuses, reviews, time,
    "not a problem" decisions (one on an object deleted since), masks made from boxes (one box deleted
    since), a model mapping, rules, a reference, and the object ids exhausted (an object of id 2**63 - 1
    added and deleted). The shards are saved in ``folder/shards``, the project to ``folder/p.json``."""
    base = base_project(folder)
    split = split_project(base, ["ann", "bob"], overlap=1.0, seed=3)
    (folder / "shards").mkdir()
    shards = []
    for k, (name, shard) in enumerate(split.shards.items()):
        shard.path = folder / "shards" / f"{name}.json"
        image = sorted(shard.images)[0]
        AddAnnotations(
            [box_annotation(shard.next_annotation_id(), image, CATEGORY_IDS[1], [2, 2 + k, 9, 9])]
        ).apply(shard)
        RecordTime(image, name, 12.5 + k).apply(shard)
        save_project(shard)
        shards.append(Shard.of(load_project(shard.path), name))
    project = merge_shards(shards, base=base).project
    project.path, project.file_state = base.path, base.file_state
    edit, _summary = consensus_edit(project, "majority")
    edit.apply(project)
    first = next(iter(project.images))
    accept_consensus(project, [first]).apply(project)  # its consensus_of names objects deleted now
    images = list(project.images)
    SetImageStatus(images[1], "done").apply(project)
    SetImageStatus(images[2], "in_progress").apply(project)
    ReviewDecision(project, images[3], "rejected", "blurry").apply(project)
    RecordTime(images[0], "lead", 3.0).apply(project)
    # masks made from boxes: one linked to a box there, one whose box is deleted since
    top = project.next_annotation_id()
    box_a = box_annotation(top, images[1], CATEGORY_IDS[1], [5, 5, 20, 20])
    box_b = box_annotation(top + 1, images[2], CATEGORY_IDS[1], [6, 6, 20, 20])
    model = {"source": "model:sam", "review": "pending"}
    made = [
        mask_annotation(
            top + 2, images[1], CATEGORY_IDS[1], disc(15, 15, 9), **model, app_extra={FROM_BOX: top}
        ),
        mask_annotation(
            top + 3, images[2], CATEGORY_IDS[1], disc(16, 16, 9), **model, app_extra={FROM_BOX: top + 1}
        ),
    ]
    AddAnnotations([box_a, box_b, *made]).apply(project)
    RemoveAnnotations([top + 1]).apply(project)
    pair = [a.id for a in project.annotations_of(images[1])][:2]
    doomed = project.annotations_of(images[2])[0]
    keys = [
        _problem("overlap", images[1], pair[0], pair[1]),
        _problem("tiny", images[2], doomed.id),
        _problem("unlabeled_image", images[3], None),
        Problem("missing_object", 0.9, images[0], "", None, "dog", [10.2, 11.7, 5, 5], "").key,
    ]
    DismissProblems(project, keys).apply(project)
    RemoveAnnotations([doomed.id]).apply(project)
    RememberMapping("yolo/m.onnx@abc", {"0": "cat", "1": None}).apply(project)
    SetLintRules({"classes": {"dog": {"min_area": 9}}}).apply(project)
    SetReference("reference.json").apply(project)
    AddAnnotations([box_annotation(ID_MAX, images[0], CATEGORY_IDS[0], [1, 1, 3, 3])]).apply(project)
    RemoveAnnotations([ID_MAX]).apply(project)  # the mark: every object id given out
    save_project(project)
    return load_project(project.path)


def _problem(kind: str, image_id: int, aid: int | None, related: int | None = None) -> str:
    return Problem(kind, 1.0, image_id, "", aid, None, [0, 0, 1, 1], "", related_id=related).key


# ------------------------------------------------------------------------------------------------
# an independent reading of a saved file


def read(path: Path) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())


def by_names(data: dict[str, Any], folder: Path | None = None) -> dict[str, Any]:
    """The file's content with every id replaced by what it names: an image by its file name (the path
    it names, given the file's ``folder``), a class by its name, an object by (image, class, box, n-th of
    its kind). A reference to an id that names nothing is left out (it names nothing on either side of a
    renumbering)."""
    if folder is not None:
        data = dict(
            data,
            images=[dict(im, file_name=os.path.normpath(folder / im["file_name"])) for im in data["images"]],
        )
    images = {im["id"]: im["file_name"] for im in data["images"]}
    cats = {c["id"]: c["name"] for c in data["categories"]}
    seen: dict[tuple, int] = {}
    objects: dict[int, tuple] = {}
    for a in data["annotations"]:
        key = (images[a["image_id"]], cats[a["category_id"]], tuple(a["bbox"]))
        seen[key] = seen.get(key, 0) + 1
        objects[a["id"]] = (*key, seen[key])
    app = data.get("pixelproof", {})
    out: dict[str, Any] = {
        "images": [{k: v for k, v in im.items() if k != "id"} for im in data["images"]],
        "categories": [{k: v for k, v in c.items() if k != "id"} for c in data["categories"]],
        "extra": {
            k: v for k, v in data.items() if k not in ("images", "categories", "annotations", "pixelproof")
        },
    }
    anns = []
    for a in data["annotations"]:
        mine = dict(a.get("pixelproof", {}))
        if FROM_BOX in mine:
            mine[FROM_BOX] = objects.get(mine[FROM_BOX])
            if mine[FROM_BOX] is None:
                del mine[FROM_BOX]
        if "consensus_of" in mine:
            mine["consensus_of"] = [objects[i] for i in mine["consensus_of"] if i in objects]
        rest = {k: v for k, v in a.items() if k not in ("id", "image_id", "category_id", "pixelproof")}
        anns.append((objects[a["id"]], rest, mine))
    out["annotations"] = anns
    for key, value in app.items():
        if key in ("image_status", "time_spent", "image_review", "overlap_annotators", "consensus"):
            value = {images[int(k)]: v for k, v in value.items() if int(k) in images}
        elif key == "lint":
            value = dict(
                value, dismissed=[d for d in map(_decision(images, objects), value["dismissed"]) if d]
            )
        elif key.startswith("last_") or key == "renumbered":
            continue
        elif key == "reference" and folder is not None:
            value = os.path.normpath(folder / value)
        out[f"pixelproof.{key}"] = value
    return out


def _decision(images: dict[int, str], objects: dict[int, tuple]) -> Any:
    def named(key: str) -> tuple | None:
        kind, image, tail = key.split("|")
        if int(image) not in images:
            return None
        if tail == "-" or "@" in tail:
            return (kind, images[int(image)], tail)
        found = [objects.get(int(t)) for t in tail.split("+")]
        if None in found or any(f[0] != images[int(image)] for f in found):  # type: ignore[index]
            return None
        return (kind, images[int(image)], *found)

    return named

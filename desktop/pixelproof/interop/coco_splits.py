"""A COCO export folder of several splits read as one project.

CVAT's and Datumaro's COCO exports of a project with subsets, and COCO's own layout, hold one
``annotations/instances_<split>.json`` per split with the pictures in ``images/<split>/``; Roboflow's, one
``<split>/_annotations.coco.json`` beside its pictures. Each file is read
by the one COCO reader (``coco_io.read_coco``), then joined: each image keeps its file's split (as the
Datumaro reader keeps a subset; ``instances_default.json`` is no split), categories are one per name (a
later file's ids are mapped onto the first's, said when a name has other ids or supercategories), and the
image and object ids each file starts again from are kept apart (a later file's colliding ids renumbered,
said). An image the folder lacks is named ``images/<split>/<name>`` so two splits' ``a.jpg`` stay two. Files
PixelProof wrote keep their per-image maps (status, review, time spent) under the images' new ids, and
their objects' links (``from_box``, ``consensus_of``) and "not a problem" decisions under the objects' new
ids (``core.renumber``'s rewriting): each file's links name its own objects, so one naming none of them
(another split's, or a deleted one) is removed and said rather than left naming whatever took that id.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from pixelproof.core.image_folder import on_disk
from pixelproof.core.image_maps import IMAGE_MAPS
from pixelproof.core.model import (
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    Category,
    Project,
    id_key,
)
from pixelproof.core.renumber import renumbered_decisions, renumbered_links
from pixelproof.core.run_ids import RUN, run_ids
from pixelproof.core.split_names import subset_split
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    listed,
    rel_name,
)
from pixelproof.interop.splits import set_split

PREFIX = "instances_"
ID_MARKS = (LAST_ANNOTATION_ID, LAST_IMAGE_ID, LAST_CATEGORY_ID)
ROBOFLOW_FILE = "_annotations.coco.json"  # coco_io's: each split's file in Roboflow's COCO export


def split_of_file(file: Path) -> str:
    """The split a COCO file holds: ``instances_val.json`` -> ``val``, Roboflow's
    ``valid/_annotations.coco.json`` -> ``valid`` (read as ``val``); else its stem."""
    if file.name == ROBOFLOW_FILE:
        return file.parent.name
    stem = file.stem
    return stem[len(PREFIX) :] if stem.startswith(PREFIX) and len(stem) > len(PREFIX) else stem


def read_coco_splits(
    folder: Path,
    files: list[Path],
    *,
    remap_categories: bool = False,
    check_images: bool = True,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Read each of ``files`` (the COCO files of export folder ``folder``) and join them into one project
    whose image names resolve against ``folder``."""
    from pixelproof.interop.coco_io import _remap, read_coco  # (coco_io reads a folder with this module)

    report = Reporter(on_problem)
    names = [rel_name(f, folder) for f in files]
    report.note(
        f"{folder}: read {len(files)} COCO files ({', '.join(names)}) as one project; "
        "each image's split is its file's"
    )
    merged = folder_project(folder)
    skipped: Counter[str] = Counter()
    first_file: dict[str, tuple[str, Category]] = {}  # category name -> (file, its category)
    named: dict[str, str] = {}  # image file name -> the file that listed it first
    marks: dict[str, int] = {}
    for file in files:
        part = read_coco(file, check_images=check_images, on_problem=report, progress=progress)
        skipped += part.skipped
        for key in ID_MARKS:
            marks[key] = max(marks.get(key, 0), part.project.issued(key))
        _join(merged, part.project, file, folder, check_images, first_file, named, report)
    merged.keep_given_out(marks)  # an id a file's removed image, class or object had stays given out
    if remap_categories:
        _remap(merged)
    return ImportResult(merged, report.problems, skipped, notes=report.notes)


def _join(
    merged: Project,
    part: Project,
    file: Path,
    folder: Path,
    check_images: bool,
    first_file: dict[str, tuple[str, Category]],
    named: dict[str, str],
    report: Reporter,
) -> None:
    """Add one file's project to ``merged`` (see the module)."""
    split = split_of_file(file)
    cat_ids = _join_categories(merged, part, file, first_file, report)
    if not merged.extra:
        merged.extra = dict(part.extra)  # info, licenses: the first file's
    image_ids: dict[int, int] = {}
    moved_images: list[int] = []
    new_image_ids = merged.id_counter(LAST_IMAGE_ID, above=max(part.images, default=0))
    twice: list[str] = []
    for image in list(part.images.values()):
        old = image.id
        if old in merged.images or merged.was_given_out(LAST_IMAGE_ID, old):
            image.id = new_image_ids.take()
            moved_images.append(old)
        image_ids[old] = image.id
        image.file_name = _name(part, image, folder, split, check_images)
        if image.file_name in named:
            twice.append(f"{image.file_name} (also in {named[image.file_name]})")
        named.setdefault(image.file_name, file.name)
        app = image.extra.get("pixelproof")
        image.extra["pixelproof"] = set_split(dict(app) if isinstance(app, dict) else {}, subset_split(split))
        merged.add_image(image)
    moved_anns: list[int] = []
    new_ann_ids = merged.id_counter(LAST_ANNOTATION_ID, above=max(part.annotations, default=0))
    owners = {a.id: a.image_id for a in part.annotations.values()}  # in the file's ids, for its decisions
    ann_ids: dict[int, int] = {}
    for ann in list(part.annotations.values()):
        old = ann.id
        if old in merged.annotations or merged.was_given_out(LAST_ANNOTATION_ID, old):
            ann.id = new_ann_ids.take()
            moved_anns.append(old)
        ann_ids[old] = ann.id
        ann.image_id = image_ids[ann.image_id]
        ann.category_id = cat_ids[ann.category_id]
        merged.add_annotation(ann)
    removed: Counter[str] = Counter()
    for ann in part.annotations.values():  # links name the file's own objects: in their new ids
        ann.app_extra = renumbered_links(ann.app_extra, ann_ids, removed)
    _join_app(merged, part, image_ids, file, report, removed)
    _join_decisions(merged, part, owners, image_ids, ann_ids, removed)
    if moved_images:
        report(
            f"{file}: {plural(len(moved_images), 'image id')} also in an earlier file "
            f"({listed([str(i) for i in moved_images])}) given new ids"
        )
    if moved_anns:
        report(
            f"{file}: {plural(len(moved_anns), 'annotation id')} also in an earlier file "
            f"({listed([str(i) for i in moved_anns])}) given new ids"
        )
    if twice:
        report(f"{file}: {plural(len(twice), 'image')} listed by another split too: {listed(twice)}")
    if removed:
        places = ", ".join(f"{n} {where}" for where, n in sorted(removed.items()))
        report(
            f"{file}: {plural(sum(removed.values()), 'reference')} to objects or images not in this "
            "file removed "
            f"({places}): each file's links name its own objects, so another split's (or a deleted) "
            "one cannot be told apart from the object that took its id"
        )


def _join_app(
    merged: Project,
    part: Project,
    image_ids: dict[int, int],
    file: Path,
    report: Reporter,
    removed: Counter[str],
) -> None:
    """A PixelProof project's own keys (a file PixelProof wrote): the per-image maps with the images' new
    ids; the last "Pre-label all"'s record likewise (one naming no image of the file removed, counted),
    joined with an earlier file's record of the same run; any other key as the first file holding it has
    it, a later file's other value said, not read."""
    for key, value in part.app.items():
        if key in IMAGE_MAPS and isinstance(value, dict):
            entries = merged.app.setdefault(key, {})
            for k, v in value.items():
                if (old := id_key(k)) in image_ids:
                    entries[str(image_ids[old])] = v
        elif key == RUN:
            _join_run(merged, value, image_ids, file, report, removed)
        elif key in ("format", "lint", *ID_MARKS):
            continue  # the merged project's own; the decisions: _join_decisions
        elif key not in merged.app:
            merged.app[key] = value
        elif merged.app[key] != value:
            report(f"{file}: pixelproof.{key} is not the earlier file's; the earlier one kept")


def _join_run(
    merged: Project,
    value: Any,
    image_ids: dict[int, int],
    file: Path,
    report: Reporter,
    removed: Counter[str],
) -> None:
    """The file's record of the last "Pre-label all" in the images' new ids (``core.run_ids``); an export
    of one project in splits holds the run's images of each split in each file: the same run's records
    are joined, another run's said and not read."""
    rec, lost = run_ids(value, image_ids)
    if lost:
        removed[f"pixelproof.{RUN}"] += lost
    have = merged.app.get(RUN)
    if rec is None:
        return
    if have is None:
        merged.app[RUN] = rec
    elif have["run"] == rec["run"] and have["inputs"] == rec["inputs"]:
        for key in ("images", "done"):
            have[key] = list(dict.fromkeys([*have[key], *rec[key]]))
        if rec.get("shrunk"):  # each file's done images' factors (run_ids made them pairs in the new ids)
            have["shrunk"] = [
                *(have["shrunk"] if isinstance(have.get("shrunk"), list) else []),
                *rec["shrunk"],
            ]
    else:
        report(f"{file}: pixelproof.{RUN} is another run than the earlier file's; the earlier one kept")


def _join_decisions(
    merged: Project,
    part: Project,
    owners: dict[int, int],
    image_ids: dict[int, int],
    ann_ids: dict[int, int],
    removed: Counter[str],
) -> None:
    """The file's "not a problem" decisions (``pixelproof.lint.dismissed``) added to the merged project's in
    the new ids (``renumber``'s rule: one naming no image or object of this file is removed, counted); the
    file's other ``lint`` keys as the first file holding them has them."""
    lint = part.app.get("lint")
    if not isinstance(lint, dict):
        return
    have = merged.app.setdefault("lint", {})
    for key, value in lint.items():
        if key == "dismissed" and isinstance(value, list):
            keys = renumbered_decisions(value, owners, image_ids, ann_ids, removed)
            old = have.get("dismissed")
            have["dismissed"] = list(dict.fromkeys([*(old if isinstance(old, list) else []), *keys]))
        else:
            have.setdefault(key, value)


def _join_categories(
    merged: Project, part: Project, file: Path, first_file: dict[str, tuple[str, Category]], report: Reporter
) -> dict[int, int]:
    """The file's category ids -> the merged project's: one category per name, the first file's id kept."""
    ids: dict[int, int] = {}
    new_ids = merged.id_counter(LAST_CATEGORY_ID, above=max(part.categories, default=0))
    for cat in part.categories.values():
        known = first_file.get(cat.name)
        if known is not None:
            where, have = known
            ids[cat.id] = have.id
            if cat.id != _original_id(have):
                report(
                    f"{file}: category {cat.name!r} has id {cat.id} here but {_original_id(have)} in "
                    f"{where}; read as one category (id {have.id})"
                )
            if (cat.supercategory or "") != (have.supercategory or ""):
                report(
                    f"{file}: category {cat.name!r} has supercategory {cat.supercategory!r} here but "
                    f"{have.supercategory!r} in {where}; {have.supercategory!r} kept"
                )
            continue
        old = cat.id
        if not merged.category_id_free(old):
            cat.id = new_ids.take()
            cat.extra.setdefault("original_id", old)
        ids[old] = cat.id
        merged.add_category(cat)
        first_file[cat.name] = (file.name, cat)
    return ids


def _original_id(cat: Category) -> Any:
    return cat.extra.get("original_id", cat.id)


def _name(part: Project, image: Any, folder: Path, split: str, check_images: bool) -> str:
    """The image's name relative to the export folder: where the COCO reader found it, else (missing, or
    not looked for) ``images/<split>/<name>`` beside ``annotations/``, the place CVAT and Datumaro put it."""
    if os.path.isabs(image.file_name):
        return image.file_name
    where, _ = on_disk(part, image)
    if check_images and os.path.exists(where):
        return rel_name(part.image_path(image), folder)
    base = Path(os.path.abspath(part.path)).parent if part.path is not None else folder
    home = folder / "images" / split if base.name == "annotations" else base
    return rel_name(home / image.file_name, folder)

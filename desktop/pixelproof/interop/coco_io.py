"""Foreign COCO files in, COCO files out.

Other tools' COCO files carry any ids (0-based, gaps), ``segmentation: []`` on boxes, and the odd broken
object; reading drops what cannot be repaired (each problem reported with its JSON location) instead of
refusing the whole file, and can renumber categories 1..n. Writing keeps PixelProof's extras (they are
harmless to other readers), writes void regions as crowd regions (``core.void_crowd``: trainers ignore
them) and box-only objects with their box's outline as segmentation (``core.box_outline``: pycocotools
and torchvision read one on every object), and can copy or link the images next to the new file.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from copy import deepcopy
from functools import lru_cache
from pathlib import Path
from typing import Any

from pixelproof.core.box_outline import boxes_as_outlines
from pixelproof.core.coco import (
    ProjectFormatError,
    atomic_write,
    dumps_project,
    project_from_dict,
    read_json,
)
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.core.image_folder import on_disk
from pixelproof.core.keypoints import yolo_keypoints_as_coco
from pixelproof.core.limits import MAX_KEYPOINTS
from pixelproof.core.model import Project
from pixelproof.core.names import shown_name
from pixelproof.core.save_targets import check_save_target
from pixelproof.core.track_fill import with_class
from pixelproof.core.void_crowd import void_as_crowd
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    check_image_mode,
    mark_outside_root,
    rel_name,
    with_progress,
)
from pixelproof.interop.declared_sizes import damaged_image, damaged_warning
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image, unclaimed
from pixelproof.interop.json_keys import first_item_keys, top_level_keys
from pixelproof.interop.stems import unique_stems

ROBOFLOW_FILE = "_annotations.coco.json"
_LOCATION = re.compile(r"^(images|annotations|categories)\[(\d+)\]")


def read_coco(
    path: str | os.PathLike[str],
    *,
    remap_categories: bool = False,
    check_images: bool = True,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import any COCO instances file. ``remap_categories`` renumbers categories 1..n in id order (COCO
    tools often start at 0, which some trainers take as background). ``check_images`` reports image files
    that are missing (a QA reference needs only the annotations, so it turns this off)."""
    src = Path(path)
    report = Reporter(on_problem)
    files = coco_files_in(src) if src.is_dir() else []
    if len(files) > 1 and not set(files) <= set(split_files(src)):
        names = ", ".join(str(f.relative_to(src)) for f in files[:10])
        raise ValueError(f"{len(files)} COCO files ({names}); give one of them")
    if len(files) > 1 or _one_named_split(src, files):  # an export's splits: each image its file's split
        from pixelproof.interop.coco_splits import read_coco_splits

        return read_coco_splits(
            src,
            files,
            remap_categories=remap_categories,
            check_images=check_images,
            on_problem=on_problem,
            progress=progress,
        )
    if files:
        src = files[0]
        report.note(f"{path}: read {src} (the folder's COCO file)")
    skipped: Counter[str] = Counter()
    try:
        data = read_json(src)
    except ProjectFormatError as e:
        for p in e.problems:
            report(f"{src}: {p}")
        return ImportResult(_empty(src), report.problems, Counter(files=1))
    if not isinstance(data, dict):
        report(f"{src}: top level: expected a JSON object")
        return ImportResult(_empty(src), report.problems, Counter(files=1))
    data = dict(data)
    _rename_duplicates(data, report)
    anns = data.get("annotations")
    panoptic = next(
        (
            i
            for i, a in enumerate(anns if isinstance(anns, list) else [])
            if isinstance(a, dict) and "segments_info" in a
        ),
        None,
    )
    if panoptic is not None:  # read as instances, every annotation was three errors and its image empty
        report(
            f"{src}: annotations[{panoptic}]: a COCO panoptic annotation (segments_info, pixels in PNGs): "
            "not read as instances; read the file as COCO panoptic (convert --from coco-panoptic)"
        )
        return ImportResult(_empty(src), report.problems, Counter(files=1))
    for ann in anns if isinstance(anns, list) else []:  # not a list: project_from_dict says so
        if isinstance(ann, dict) and ann.get("segmentation") == [] and ann.get("bbox") is not None:
            del ann["segmentation"]  # a box-only object as some tools write it
    project = None
    for _ in range(4):  # each pass drops the entries reported broken; dropping images may orphan more
        try:
            project = project_from_dict(data, source=src)
            break
        except ProjectFormatError as e:
            drop: dict[str, set[int]] = {}
            for problem in e.problems:
                report.often("skipped entries", f"{src}: {problem}; skipped")
                m = _LOCATION.match(problem)
                if m:
                    drop.setdefault(m.group(1), set()).add(int(m.group(2)))
            if not drop:
                report.summarise(src)
                return ImportResult(_empty(src), report.problems, Counter(files=1))
            for key, idx in drop.items():
                skipped[key] += len(idx)
                data[key] = [v for i, v in enumerate(data.get(key) or []) if i not in idx]
    report.summarise(src)
    if project is None:
        return ImportResult(_empty(src), report.problems, skipped + Counter(files=1))
    project.path = Path(os.path.abspath(src))
    for cat in project.categories.values():  # each object of it a triple per name: not read as keypoints
        if isinstance(names := cat.extra.get("keypoints"), list) and len(names) > MAX_KEYPOINTS:
            report(
                f"{src}: category {cat.id} ({shown_name(cat.name)}): {len(names):,} keypoints, over the "
                f"limit of {MAX_KEYPOINTS:,}; its objects' keypoints kept as read, not shown or edited"
            )
    for ann in project.annotations.values():
        if ann.segmentation == []:  # an export's box read from `[]` (core.box_outline): box-only, as above
            ann.segmentation = None
    if remap_categories:
        _remap(project)
    images = list(project.images.values()) if check_images else []
    folders = image_folders(Path(os.path.abspath(src)))
    moved: Counter[Path] = Counter()
    for image in with_progress(images, len(images), progress):
        where, ref = on_disk(project, image)  # a volume's slice: its file (or series folder) is looked for
        name, fragment = (ref.source, image.file_name[len(ref.source) :]) if ref else (image.file_name, "")
        present = os.path.exists if ref is not None else os.path.isfile  # False on ENAMETOOLONG, no raise
        if present(where) or os.path.isabs(name):
            if not present(where):
                report.often("images not found", f"{src}: image {image.id}: file {image.file_name} not found")
            continue
        found = next((d for d in folders if present(d / name)), None)
        if found is None:
            looked = ", ".join(str(d) for d in [src.parent, *folders])
            report.often(
                "images not found",
                f"{src}: image {image.id}: file {image.file_name} not found (looked in {looked})",
            )
            continue
        image.file_name = rel_name(found / name, src.parent) + fragment
        moved[found] += 1
    report.summarise(src)
    for folder, n in moved.items():
        report.note(
            f"{src}: {plural(n, 'image')} found in {folder} (the usual COCO layout); their names "
            "now lead there"
        )
    root = dataset_root(src)
    for image in project.images.values():  # exports copy or link none of these unless allowed
        mark_outside_root(image, project.image_path(image), root)
    return ImportResult(project, report.problems, skipped, notes=report.notes)


def _rename_duplicates(data: dict[str, Any], report: Reporter) -> None:
    """Other tools' files may name two categories alike; a project may not (counts, exports and QA go
    by name), so the later ones get a free name ``cat (2)`` - reported, their objects kept."""
    cats = data.get("categories")
    if not isinstance(cats, list):
        return
    taken = {c.get("name") for c in cats if isinstance(c, dict) and isinstance(c.get("name"), str)}
    first: dict[str, int] = {}
    renamed = []
    for i, cat in enumerate(cats):
        name = cat.get("name") if isinstance(cat, dict) else None
        if not isinstance(name, str):
            renamed.append(cat)
            continue
        if name not in first:
            first[name] = i
            renamed.append(cat)
            continue
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        new = f"{name} ({n})"
        taken.add(new)
        report(
            f"categories[{i}].name: duplicate name {name!r} (also categories[{first[name]}]); renamed {new!r}"
        )
        renamed.append({**cat, "name": new})
    data["categories"] = renamed


def dataset_root(json_file: Path) -> Path:
    """The folder a COCO file's images must lie under: the parent of ``annotations/`` in the standard
    layout (``coco/annotations/instances_val2017.json`` + ``coco/val2017/``), else the file's folder."""
    folder = Path(os.path.abspath(json_file)).parent
    return folder.parent if folder.name == "annotations" else folder


def image_folders(json_file: Path) -> list[Path]:
    """Where COCO datasets keep their images besides the JSON's folder: for ``annotations/instances_val.json``
    the standard layout's ``images/val/``, then ``val/`` (``val2017/``), ``images/`` and the dataset root;
    ``images/`` beside a JSON anywhere else."""
    base = json_file.parent
    if base.name != "annotations":
        return [base / "images"]
    root = base.parent
    split = json_file.stem.rsplit("_", 1)[-1] if "_" in json_file.stem else ""
    candidates = [root / "images" / split, root / split] if split else []
    return [*candidates, root / "images", root]


def _empty(src: Path) -> Project:
    project = Project()
    project.path = Path(os.path.abspath(src))
    return project


def _remap(project: Project) -> None:
    order = sorted(project.categories)
    new_ids = {old: i for i, old in enumerate(order, start=1)}
    if all(k == v for k, v in new_ids.items()):
        return
    cats = {new_ids[c.id]: c for c in project.categories.values()}
    for new, cat in cats.items():
        if cat.id != new:
            cat.extra.setdefault("original_id", cat.id)
            cat.id = new
    project.categories = cats
    for ann in project.annotations.values():
        with_class(ann, new_ids[ann.category_id])  # a fill of Fill Between Frames nobody touched stays one


def write_coco(
    project: Project,
    out_path: str | os.PathLike[str],
    *,
    images: str = "keep",
    progress: ProgressCallback | None = None,
) -> list[str]:
    """Write the project as a COCO file at ``out_path``; the project itself is not changed.

    ``images``: "keep" refers to the original files (relative to the new file), "copy"/"link" put them in
    ``images/`` beside it.
    """
    check_image_mode(images)
    out = Path(os.path.abspath(out_path))
    out.parent.mkdir(parents=True, exist_ok=True)
    check_save_target(out)  # a picture or text file a mistyped OUTPUT names is not overwritten
    doc: dict[str, Any] = project_to_dict(project)
    warnings: list[str] = []
    stems = unique_stems(project)
    by_id = {d["id"]: d for d in doc["images"]}
    missing = 0
    renamed: list[str] = []
    damaged: list[tuple[Path, tuple[int, int], str]] = []
    for image in with_progress(list(project.images.values()), len(project.images), progress):
        src = project.image_path(image)
        if (why := damaged_image(src)) is not None:
            damaged.append((src, (image.width, image.height), why))
        if images == "keep":
            name = image.file_name if os.path.isabs(image.file_name) else rel_name(src, out.parent)
        else:
            dst = out.parent / "images" / (stems[image.id] + image_suffix(src))
            if image_exists(src):  # images/ may be another export's too (instances_val.json beside)
                wanted, dst = dst, unclaimed(dst, src, images, project.applies_exif)
                if dst != wanted:
                    renamed.append(f"{wanted.name} -> {dst.name}")
                placed = place_image(src, dst, images, image, project.applies_exif)
                if placed is not None:
                    warnings.append(placed)
            else:
                missing += 1
            name = rel_name(dst, out.parent)
        by_id[image.id] = dict(by_id[image.id], file_name=name)
    doc["images"] = list(by_id.values())
    copy = project_from_dict(doc)
    copy.path = out
    _rebase_marks(project, copy)
    if crowd := void_as_crowd(copy):
        names = ", ".join(sorted(copy.categories[c].name for c in copy.void_category_ids()))
        warnings.append(
            f"{plural(crowd, 'void region')} ({names}) written with iscrowd 1, COCO's mark of a region to "
            "ignore: trainers and COCOeval ignore them, so they are not learnt as a class"
        )
    if posed := yolo_keypoints_as_coco(copy):  # a YOLO pose dataset's: person_keypoints, not boxes alone
        warnings.append(
            f"{plural(posed, 'object')} of a YOLO pose dataset written with COCO keypoints, named as the app "
            "shows them (keypoint 1, ...: data.yaml names none)"
        )
    boxes_as_outlines(copy)  # pycocotools and torchvision read a segmentation on every object
    atomic_write(out, dumps_project(copy), backup=True)  # README's two converts to project.json: .bak
    if missing:
        warnings.append(f"{plural(missing, 'image file')} not found, so not copied")
    if (said := damaged_warning(damaged)) is not None:
        warnings.append(said)
    if renamed:
        warnings.append(
            f"{plural(len(renamed), 'image')} named apart from other pictures already in "
            f"{out.parent / 'images'} "
            f"(another export's?), e.g. {renamed[0]}"
        )
    return warnings


def _rebase_marks(project: Project, copy: Project) -> None:
    """The tracks' leaves-view marks (``core.track_outside``) of ``copy``, the project written elsewhere,
    name their video by the folder its frames' names now give, as Save As renames them: else a CVAT export
    of the file written finds no frame of the video they name."""
    from pixelproof.core.frame_sequences import sequence_name
    from pixelproof.core.track_outside import (
        KEPT,
        rebase_sequences,
    )  # here: it imports the edits (and OpenCV)

    if KEPT not in copy.extra:
        return
    copy.extra = {**copy.extra, KEPT: deepcopy(copy.extra[KEPT])}  # the project's own stay as they are
    folders = {sequence_name(project, i): sequence_name(copy, i) for i in project.images}
    rebase_sequences(copy, {old: new for old, new in folders.items() if old is not None and new is not None})


def _one_named_split(folder: Path, files: list[Path]) -> bool:
    """An export folder of one split file naming a split (``instances_train.json``; not CVAT's
    ``instances_default.json``, no split): read as the splits of an export are, the split kept."""
    from pixelproof.core.split_names import subset_split
    from pixelproof.interop.coco_splits import split_of_file

    return (
        len(files) == 1 and files == split_files(folder) and subset_split(split_of_file(files[0])) is not None
    )


def coco_files_in(folder: Path) -> list[Path]:
    """The COCO instances files of an export folder: ``annotations/instances_*.json`` (CVAT's COCO 1.0
    export, ``instances_default.json`` + ``images/``; Datumaro's and COCO's own layout), else the folder's
    own ``.json`` files that look like COCO."""
    found = split_files(folder)
    return [f for f in found or sorted(folder.glob("*.json")) if looks_like_coco(f)]


def split_files(folder: Path) -> list[Path]:
    """An export's files of one split each: ``annotations/instances_<split>.json``, else Roboflow's
    ``<split>/_annotations.coco.json`` (its images beside it)."""
    found = sorted((folder / "annotations").glob("instances_*.json"))
    return found or sorted(folder.glob(f"*/{ROBOFLOW_FILE}"))


def looks_like_coco(path: Path) -> bool:
    """A .json file whose top-level keys have COCO's ``images`` (before any LabelMe ``shapes``) and that is
    no panoptic file, or a folder with such files in ``annotations/`` (a CVAT or Datumaro COCO export, one
    file per split) or Roboflow's ``<split>/_annotations.coco.json``."""
    if path.is_dir():  # not the folder's own .json files: a project saved inside another dataset
        return any(looks_like_coco(f) for f in split_files(path))
    return path.suffix.lower() == ".json" and json_layout(path) == "coco"


def json_layout(path: Path) -> str | None:
    """The layout, "coco", "coco-panoptic" or "labelme", of a JSON file from its top-level keys
    (``json_keys``; only they count): ``images`` before any ``shapes`` is COCO (a project read from CVAT
    keeps the export's polylines, points and tags under ``shapes`` inside its images: no top-level key),
    panoptic when the ``annotations`` list's first object has a ``segments_info`` key (not a value or a
    nested key that spells it: a COCO box with such an attribute read as panoptic); ``shapes`` first is
    LabelMe. None
    for anything else (a FIFO, a folder, no JSON object). Remembered per file version: the detection of
    every format asks."""
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return _layout(str(path), st.st_size, st.st_mtime_ns, st.st_ino)


@lru_cache(maxsize=64)
def _layout(path: str, _size: int, _mtime: int, _inode: int) -> str | None:
    images = annotations = panoptic = False
    keys = top_level_keys(Path(path))
    try:
        for key, offset in keys:
            if key == "shapes" and not images:
                return "labelme"
            if key == "annotations" and not annotations:
                annotations = True
                first = first_item_keys(Path(path), offset)
                panoptic = "segments_info" in first
                first.close()
            images = images or key == "images"
            if images and annotations:
                break
    finally:
        keys.close()
    return ("coco-panoptic" if panoptic else "coco") if images else None


def looks_like_panoptic_json(path: Path) -> bool:
    """A COCO panoptic JSON: its ``annotations`` list starts with ``segments_info`` (however far after the
    ``images`` list: COCO's own file lists 5,000 images first), or it is named ``panoptic*.json`` beside the
    folder of its PNGs (``panoptic_val2017.json`` + ``panoptic_val2017/``)."""
    if not (path.suffix.lower() == ".json" and path.is_file()):
        return False
    if path.name.lower().startswith("panoptic") and path.with_suffix("").is_dir():
        return True
    return json_layout(path) == "coco-panoptic"


FORMAT = Format(
    name="coco",
    title="COCO JSON",
    reader=read_coco,
    declares_sizes=True,
    writer=write_coco,
    read_options=(
        Option(
            "remap_categories",
            "bool",
            "renumber categories 1..n (COCO files from other tools often start at 0, which some trainers "
            "take as background)",
            False,
            label="Renumber categories 1..n",
        ),
    ),
    write_options=(images_option(),),
    input_is_file=True,
    output_is_file=True,
    detect=looks_like_coco,
    suffixes=(".json",),
    lost_on_export="nothing",
)

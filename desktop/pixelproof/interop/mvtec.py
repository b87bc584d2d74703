"""MVTec AD layout: ``<object>/{train,test}/<defect>/<name>.png`` and
``<object>/ground_truth/<defect>/<name>_mask.png``; MVTec AD 2 keeps its ground truth inside the public test
split, ``<object>/test_public/ground_truth/bad/<name>_mask.png``, and is read and written so.

The category of a defect is ``<object>/<defect>`` (a ``crack`` of pill is not a ``crack`` of hazelnut). A
mask file holds every defective pixel of its image, so it becomes **one object per mask file** (separate
blobs are not split into objects). Images under ``good`` have no objects; any image keeps its object and
split in its extras, and a defect image read without its mask its defect, so defect-free or mask-less
images still say what they are (where an object says the defect, no extra does that could go stale).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pixelproof.core.imageio import IMAGE_SUFFIXES, ImageReadError, image_size, open_pillow
from pixelproof.core.limits import LimitError, check_image_size
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    fresh_output,
    is_file,
    path_part,
    rel_name,
    with_progress,
)
from pixelproof.interop.formats import Format, Option, images_option
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import place_image
from pixelproof.interop.mask_drawing import paint
from pixelproof.interop.per_image import draw_per_image
from pixelproof.interop.splits import set_split, spelled
from pixelproof.interop.stems import file_stem
from pixelproof.interop.void_regions import without_void

GOOD = "good"
GROUND_TRUTH = "ground_truth"
AD2_TEST = "test_public"  # MVTec AD 2's split whose ground truth lies inside it


def read_mvtec(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import an MVTec AD folder: the dataset (one folder per object) or a single object's folder."""
    root = Path(path)
    if not root.is_dir():
        raise ValueError("expected an MVTec AD folder (<object>/<split>/<defect>/ and ground_truth/)")
    report = Reporter(on_problem)
    project = folder_project(root)
    build = Builder(project)
    objects = _objects(root)
    if not objects:
        report(f"{root}: no <object>/ground_truth or <object>/<split>/<defect>/ folders found")
    work: list[tuple[Path, str, str, Path]] = []
    for obj in objects:
        for split in sorted(d for d in obj.iterdir() if d.is_dir() and d.name != GROUND_TRUTH):
            # a split's own ground_truth (MVTec AD 2's test_public) holds masks, not a defect's images
            for defect in sorted(d for d in split.iterdir() if d.is_dir() and d.name != GROUND_TRUTH):
                work += [(obj, split.name, defect.name, f) for f in _images_in(defect)]
            if loose := _images_in(split):  # MVTec AD 2's test_private: no defect folder, no ground truth
                report.skip(
                    "images",
                    f"{split}: {plural(len(loose), 'image')} in no <defect>/ folder ({loose[0].name}"
                    f"{', ...' if len(loose) > 1 else ''}), as MVTec AD 2's private test sets; not imported",
                )
    used: set[Path] = set()
    for obj, split, defect, file in with_progress(work, len(work), progress):
        _read_image(obj, split, defect, file, root, build, report, used)
    for obj in objects:
        _report_unused_masks(obj, used, report)
    return ImportResult(project, report.problems, report.skipped)


def _objects(root: Path) -> list[Path]:
    """The object folders of ``root``: itself when it is one, else its subfolders that are."""
    return [root] if _is_object(root) else sorted(d for d in root.iterdir() if d.is_dir() and _is_object(d))


def mvtec_categories(path: Path) -> list[str]:
    """The categories (``<object>/<defect>``, sorted) an import of ``path`` makes, from its folders alone:
    each defect folder with images and a ground truth folder of that defect (no mask is read, so an empty
    or unreadable mask still names its category here). The question before an import names them."""
    names: set[str] = set()
    for obj in _objects(path):
        try:
            for split in (d for d in obj.iterdir() if d.is_dir() and d.name != GROUND_TRUTH):
                for defect in split.iterdir():
                    if defect.name in (GOOD, GROUND_TRUTH) or not defect.is_dir() or not _images_in(defect):
                        continue
                    truth = (obj / GROUND_TRUTH / defect.name, split / GROUND_TRUTH / defect.name)  # AD, AD 2
                    if any(t.is_dir() for t in truth):
                        names.add(f"{obj.name}/{defect.name}")
        except OSError:  # an unreadable folder: the import says so; the question names what it could read
            continue
    return sorted(names)


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def _is_object(folder: Path) -> bool:
    return (folder / GROUND_TRUTH).is_dir() or any(
        (folder / split / GOOD).is_dir() for split in ("train", "test", "validation")
    )


def _report_unused_masks(obj: Path, used: set[Path], report: Reporter) -> None:
    """Masks no image took: nothing a reader does not import goes unsaid."""
    masks = [*obj.glob(f"{GROUND_TRUTH}/*/*"), *obj.glob(f"*/{GROUND_TRUTH}/*/*")]  # AD 2: in its split
    for mask in sorted(masks):
        if mask in used or mask.suffix.lower() not in IMAGE_SUFFIXES or not mask.is_file():
            continue
        defect = mask.parent.name
        why = (
            "good images have no defects"
            if defect == GOOD
            else f"no image {mask.stem.removesuffix('_mask')} in {obj}/<split>/{defect}/"
        )
        report.skip("masks", f"{mask}: {why}; mask not imported")


def _read_image(
    obj: Path,
    split: str,
    defect: str,
    file: Path,
    root: Path,
    build: Builder,
    report: Reporter,
    used: set[Path],
) -> None:
    mvtec = {"object": obj.name}  # the defect only where no object says it (``_defect_unsaid``)
    candidates = tuple(
        gt / defect / name
        for gt in (obj / GROUND_TRUTH, obj / split / GROUND_TRUTH)  # MVTec AD, AD 2 (in test_public)
        for name in (f"{file.stem}_mask.png", file.name)
    )
    mask_file = None if defect == GOOD else next((m for m in candidates if m.exists()), None)
    if mask_file is not None:
        used.add(mask_file)  # taken even when the image cannot be read: that is reported, not the mask
    try:
        width, height = image_size(file)
        image = build.image(
            rel_name(file, root), width, height, pixelproof=set_split({"mvtec": mvtec}, split)
        )
    except (ImageReadError, LimitError) as e:  # LimitError: a file or folder name that is not UTF-8
        report.skip("images", f"{e}; skipped")
        return
    if defect == GOOD:  # the dataset's word that it has no defect
        build.labelled(image)
        return
    if mask_file is None:
        report(f"{file}: no ground truth mask {candidates[0]}; image imported without objects")
        _defect_unsaid(image, defect)
        return
    mask = _read_mask(mask_file, image, report)
    if mask is None:
        _defect_unsaid(image, defect)
        return
    if not mask.any():
        report(f"{mask_file}: empty mask; image imported without objects")
        _defect_unsaid(image, defect)
        return
    cat = build.category(f"{obj.name}/{defect}")
    build.annotation(image, cat.id, mask=mask)
    build.labelled(image)  # its ground truth read whole: labelled, as a good image is


def _defect_unsaid(image: ImageRecord, defect: str) -> None:
    """Keep the defect of an image read without its mask in its extras, so it is written back to its own
    folder: no object says it. Elsewhere the objects say it (none: ``good``), and an extra saying so too
    went stale as they changed: ``defect: good`` on a good image a dent was drawn on."""
    image.extra["pixelproof"]["mvtec"]["defect"] = defect


def _read_mask(mask_file: Path, image: ImageRecord, report: Reporter) -> np.ndarray | None:
    """The mask at the image's size: its header size is compared with the image's before decoding (a
    FIFO is refused without blocking, a bomb by ``open_pillow``'s pixel limit)."""
    try:
        with open_pillow(mask_file, str(mask_file)) as im:
            size = (int(im.width), int(im.height))
            if size != (image.width, image.height):
                report.skip(
                    "masks",
                    f"{mask_file}: mask is {size[0]}x{size[1]} but the image is "
                    f"{image.width}x{image.height}; skipped",
                )
                return None
            values = np.asarray(im if im.mode in ("L", "I;16", "I") else im.convert("L"))
    except (OSError, ValueError) as e:
        report.skip("masks", f"{mask_file}: not a readable mask ({e}); skipped")
        return None
    mask = values > 0
    if said := _grey_values(values, mask):
        report(f"{mask_file}: {said}; every pixel not 0 is read as the defect ({int(mask.sum()):,} px)")
    return mask


def _grey_values(values: np.ndarray, mask: np.ndarray) -> str:
    """The values of a mask besides 0 and its highest (MVTec's hold 0 and 255 alone): a JPEG-saved or
    resized mask's grey edge, or noise, would become defect pixels unsaid - a whole image for noise of 1s;
    "" for a two-value mask (0/255, 0/1, 0/65535 are all fine)."""
    on = values[mask]
    if on.size == 0 or (high := int(on.max())) == int(on.min()):
        return ""
    grey = np.unique(on[on < high])
    listed = ", ".join(str(int(v)) for v in grey[:4]) + (", ..." if grey.size > 4 else "")
    return f"values other than 0 and {high}: {listed} ({int((on < high).sum()):,} px)"


# ------------------------------------------------------------------------------------------------
# writing


def write_mvtec(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    good_train_fraction: float = 0.0,
    progress: ProgressCallback | None = None,
    executor: Any = None,
    worker_path: Callable[[str], str] | None = None,
) -> list[str]:
    """``<object>/<split>/<defect>/`` images and ``<object>/ground_truth/<defect>/<name>_mask.png`` (the union
    of the image's objects, 255 on 0); returns warnings. Object and defect come from the category name
    ``object/defect`` (a name without ``/`` is a defect of the object ``object``); images without objects go
    to ``good`` (or the defect their extras name); the split is the image's own (``val`` as ``validation``),
    else ``test`` - or, for a ``good_train_fraction`` share of the defect-free ones without a split (evenly
    spread in image order), ``train``: MVTec AD and Anomalib learn what good looks like from ``train/good``,
    and a project made from a folder of photos has no splits.
    ``executor`` (``pixelproof.core.batch``; default: here) draws the masks (``interop.per_image``;
    ``worker_path`` maps the output folder for a cluster); the images are linked or copied here."""
    if images not in ("copy", "link"):
        raise ValueError(f"images: MVTec AD needs its own folders: expected copy or link, got {images!r}")
    out = Path(out_dir)
    project, warnings = without_void(project, "MVTec AD")
    counts: Counter[str] = Counter()
    places: dict[int, tuple[str, str, str, list[Annotation]]] = {}
    to_train = _good_to_train(project, good_train_fraction)
    only_object = _only_object(project)
    for image in project.images.values():
        mvtec = _extras(image)
        anns = [
            a for a in sorted(project.annotations_of(image.id), key=lambda a: a.id) if not project.is_void(a)
        ]
        if anns:
            obj, _, defect = project.categories[anns[0].category_id].name.rpartition("/")
            obj = obj or str(mvtec.get("object") or "object")
            counts["merged"] += sum(a.category_id != anns[0].category_id for a in anns)
            counts["objects"] += len(anns) > 1
        else:
            obj, defect = str(mvtec.get("object") or only_object), str(mvtec.get("defect") or GOOD)
        split = spelled(image, "mvtec") or ("train" if image.id in to_train else "test")  # val: validation/
        counts["train_defects"] += bool(anns) and split == "train"
        # a split named ground_truth would put images where the masks go (a mask saved over a linked image)
        safe_split = path_part(split, "test") if split != GROUND_TRUTH else "test"
        parts = (path_part(obj, "object"), safe_split, path_part(defect, "defect"))
        counts["renamed"] += parts != (obj, split, defect)
        places[image.id] = (*parts, anns)
    stems = _folder_stems(project, places)
    items = []
    for image_id, (obj, split, defect, anns) in places.items():
        image = project.images[image_id]
        src = project.image_path(image)
        dst = out / obj / split / defect / (stems[image.id] + (src.suffix or ".png"))
        if is_file(src):
            if (placed := place_image(src, dst, images, image, project.applies_exif)) is not None:
                warnings.append(placed)
        else:
            counts["missing"] += 1
        if anns:
            items.append((image, anns, f"{_mask_folder(obj, split, defect)}/{stems[image.id]}_mask.png"))
    root = worker_path(str(out)) if worker_path else str(out)
    for _ in draw_per_image(_write_mask, root, items, executor=executor, progress=progress):
        pass
    messages = {
        "missing": ("image file", "not found; only their masks were written"),
        "objects": ("image", "with several objects: one mask each (MVTec AD has one mask per image)"),
        "merged": ("object", "of another category merged into their image's first defect"),
        "renamed": (
            "image",
            "whose object, split or defect name is no single folder name (path "
            "separators, '..') written with '_' (a split named ground_truth as test)",
        ),
        "train_defects": (
            "image",
            "with defects in train: MVTec AD's train holds defect-free images only "
            "(models learn what good looks like from it; defects belong in test)",
        ),
    }
    warnings += noted_counts(counts, messages)
    objects = {obj for obj, _, _, _ in places.values()}
    trained = {obj for obj, split, defect, _ in places.values() if split == "train" and defect == GOOD}
    if objects - trained:
        warnings.append(
            f"no defect-free image in train/good for {', '.join(sorted(objects - trained))}: MVTec AD's "
            "models and Anomalib learn what good looks like from it; images without a split go to test, so "
            "give the defect-free ones a share of train (--good-train-fraction, the Export dialog's "
            "Defect-free to train)"
        )
    return warnings


def _only_object(project: Project) -> str:
    """The object a defect-free image without ``mvtec`` extras belongs to: the one every category names
    (``plate/scratch``, ``plate/dent``: ``plate``), else ``object``. Written to ``object/``, the good parts
    of a project made from photos were a second object with no defects, and ``plate`` had no good ones."""
    named = {c.name.rpartition("/")[0] for c in project.categories.values() if not c.void}
    return named.pop() if len(named) == 1 and "" not in named else "object"


def _extras(image: ImageRecord) -> dict[str, Any]:
    """The image's ``mvtec`` extras (object, defect), or none."""
    app = image.extra.get("pixelproof") if isinstance(image.extra.get("pixelproof"), dict) else {}
    return app.get("mvtec") if isinstance(app.get("mvtec"), dict) else {}


def _good_to_train(project: Project, fraction: float) -> set[int]:
    """The defect-free images without a split that go to train: ``fraction`` of them, evenly spread in id
    order (the first of each run of 1/fraction goes to test, so test/good keeps some as soon as there are
    two)."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"good_train_fraction: expected 0..1, got {fraction}")
    good = [
        im.id
        for im in sorted(project.images.values(), key=lambda im: im.id)
        if spelled(im, "mvtec") is None
        and _extras(im).get("defect", GOOD) == GOOD  # a defect image read without its mask is no good one
        and all(project.is_void(a) for a in project.annotations_of(im.id))
    ]
    return {i for n, i in enumerate(good) if math.floor((n + 1) * fraction) > math.floor(n * fraction)}


def _folder_stems(
    project: Project, places: dict[int, tuple[str, str, str, list[Annotation]]]
) -> dict[int, str]:
    """Image id -> its file stem, unique (ignoring case) in its image folder ``<object>/<split>/<defect>/``
    and, with a mask, in its mask folder (``_mask_folder``) - not in the whole project: MVTec AD numbers
    every defect folder's images from ``000``, and a dataset written back keeps its names. A stem taken
    twice there is ``<stem>_<image id>`` in both, else the first free ``<stem>_<image id>_<n>``."""

    def spaces(image_id: int) -> list[tuple[str, ...]]:
        obj, split, defect, anns = places[image_id]
        folders = [("images", obj, split, defect)] + (
            [("masks", _mask_folder(obj, split, defect))] if anns else []
        )
        return [tuple(part.casefold() for part in folder) for folder in folders]

    want = {i: file_stem(project.images[i].file_name) for i in places}
    seen = Counter((space, want[i].casefold()) for i in places for space in spaces(i))
    taken: dict[tuple[str, ...], set[str]] = {}
    out: dict[int, str] = {}
    for i in places:
        if all(seen[(space, want[i].casefold())] == 1 for space in spaces(i)):
            out[i] = want[i]
            for space in spaces(i):
                taken.setdefault(space, set()).add(want[i].casefold())
    for i in places:
        if i in out:
            continue
        made, n = f"{want[i]}_{i}", 1
        while any(made.casefold() in taken.get(space, ()) for space in spaces(i)):
            n += 1
            made = f"{want[i]}_{i}_{n}"
        for space in spaces(i):
            taken.setdefault(space, set()).add(made.casefold())
        out[i] = made
    return out


def _mask_folder(obj: str, split: str, defect: str) -> str:
    """Where an image's mask goes: ``<object>/ground_truth/<defect>``, in MVTec AD 2's public test split
    inside it (``<object>/test_public/ground_truth/<defect>``), so a dataset read so is written back so."""
    return f"{obj}/{split}/{GROUND_TRUTH}/{defect}" if split == AD2_TEST else f"{obj}/{GROUND_TRUTH}/{defect}"


def _write_mask(root: str, image: ImageRecord, anns: list[Annotation], name: str) -> None:
    """The union of an image's objects, 255 on 0 (a batch task's work: see ``interop.per_image``)."""
    check_image_size(image.width, image.height, image.file_name)
    mask = np.zeros((image.height, image.width), dtype=bool)
    for a in anns:
        paint(mask, a, True)
    target = Path(root) / name
    make_folders(target.parent)
    with fresh_output(target) as f:
        Image.fromarray(mask.astype(np.uint8) * 255).save(f, format="PNG")


def looks_like_mvtec(path: Path) -> bool:
    if not path.is_dir():
        return False
    return _is_object(path) or any(_is_object(d) for d in path.iterdir() if d.is_dir())


FORMAT = Format(
    name="mvtec",
    title="MVTec AD",
    reader=read_mvtec,
    writer=write_mvtec,
    write_options=(
        images_option("<object>/<split>/<defect>/"),
        Option(
            "good_train_fraction",
            "float",
            "share of the defect-free images without a split of their own written to train/good (evenly "
            "spread; the rest to test/good): MVTec AD and Anomalib train on train/good",
            0.0,
            label="Defect-free to train",
            minimum=0.0,
            maximum=1.0,
        ),
    ),
    detect=looks_like_mvtec,
    parallel_writer=True,
    lost_on_export=(
        "several objects of an image (one mask), a second category in an image (merged into the first), boxes"
        " (filled), void regions (a warning says how many), the crowd flag, scores, review state, notes"
    ),
)

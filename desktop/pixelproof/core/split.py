"""Split a project into one shard per annotator, with overlap images and hidden honeypots (issue 16).

Every image goes to exactly one annotator, except the overlap images (each to ``overlap_copies``
annotators, for agreement) and the honeypots: images of a reference project given to every annotator,
unlabelled and unmarked in the shard, listed only in the lead's manifest so ``merge`` can leave them out
and the scorecards can score them. A video's frames go out in contiguous ranges, one per annotator, the
overlap frames at their boundaries (``core.split_ranges``); stills at random. The split is a pure function
of the project, the names and the seed.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import history
from pixelproof.core.coco import ProjectFormatError, load_project, save_project
from pixelproof.core.folder_links import link_out_of
from pixelproof.core.id_marks import LAST_ANNOTATION_ID, LAST_IMAGE_ID, RENUMBER_HINT
from pixelproof.core.image_maps import IMAGE_MAPS, images_only
from pixelproof.core.limits import ID_MAX
from pixelproof.core.merge_stacking import STACKING_AT_SPLIT, stacking_at_split
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.name_fold import fold
from pixelproof.core.names import annotator_name, annotator_name_problem
from pixelproof.core.paths import RelativeNames
from pixelproof.core.run_ids import RUN, only_images
from pixelproof.core.shard_match import FILES_AT_SPLIT, files_at_split
from pixelproof.core.split_ranges import deal_ranges, video_frames
from pixelproof.core.tracks import NEW_TRACKS_FROM, track_ids

MANIFEST_FORMAT = 1
# Annotation ids each shard's new objects take: annotator k's (from 0) start (k + 1) * ID_RANGE above the
# project's - the ids right above stay the lead's, who may go on labelling the project - so objects
# drawn in two shards, or in a shard and the project, keep their ids when merged (a shard that outgrows
# its range is renumbered by merge, as before, and reported).
ID_RANGE = 100_000


class SplitError(ValueError):
    """The split cannot be made as asked (bad names, fractions, too few images)."""


@dataclass
class SplitResult:
    """``shards[annotator]`` is that annotator's project; ``manifest`` is for the lead only."""

    shards: dict[str, Project]
    manifest: dict[str, Any]
    overlap: dict[str, list[str]] = field(default_factory=dict)  # file name -> annotators
    honeypots: list[str] = field(default_factory=list)  # file names


MANIFEST_NAME = "lead-manifest.json"


def split_outputs(names: list[str], out: Path, manifest: Path | None = None) -> list[Path]:
    """The files a split writes: one shard per annotator (``<name>.json`` in ``out``), then the lead's
    manifest (``manifest``, by default ``out/lead-manifest.json``)."""
    return [out / f"{n}.json" for n in names] + [manifest or out / MANIFEST_NAME]


def save_shard(shard: Project, target: Path, name: str, author: str | None = None) -> None:
    """Save ``name``'s shard to ``target``, its change log entry "Split for NAME" by ``author`` (None: the
    user identity). Over a project there already (the same split run again into the same folder) it is a
    save over that file, as any other: its entry follows the file's (``parent``, ``parent_file``), so the
    earlier split's entry, saved, stays on the chain (it read as not committed, the rerun's had no parent),
    and a file changed meanwhile is ``ProjectConflictError``. One that does not load is replaced as before
    (its ``.bak`` keeps it). The CLI and the app's dialog save shards alike. Raises ``ProjectSaveError``."""
    history.note(shard, tool="split", author=author, edit=f"Split for {name}")
    try:
        earlier = load_project(target)
    except ProjectFormatError:  # none there (the first run), or no project to follow
        earlier = None
    if earlier is not None:
        shard.app.pop("history", None)
        if "history" in earlier.app:
            shard.app["history"] = copy.deepcopy(earlier.app["history"])
        shard.file_state = earlier.file_state
    save_project(shard, target)


def outputs_problem(
    names: list[str], out: Path, inputs: list[Path | str], manifest: Path | None = None
) -> str | None:
    """Why the split cannot write its files, or None: one would be written over another (an annotator
    named like the manifest; names equal but for case, one file on Windows and macOS) or over an input of
    the split (the project, the honeypots' reference), or through a symbolic link in ``out`` to a place
    outside it (``folder_links``). The CLI and the app's dialog ask this alike."""
    targets = split_outputs(names, out, manifest)
    seen: dict[str, Path] = {}
    for target in targets:
        key = os.path.normcase(os.path.abspath(target)).casefold()
        if key in seen:
            if target == targets[-1] or seen[key] == targets[-1]:
                return f"{target}: the manifest would overwrite the shard of that annotator; rename one"
            return f"{target} and {seen[key]}: one file on a case-insensitive disk; use distinct names"
        seen[key] = target
    for target in targets:  # a shard is saved through a link (save_project): one planted in ``out`` is not
        if (linked := link_out_of(out, target, "split's output folder", itself=True)) is not None:
            return f"{linked[0]}: {linked[1]}"
    given = {Path(p).resolve() for p in inputs if str(p)}
    for target in targets:
        if target.resolve() in given:
            return f"{target} would overwrite an input of the split: choose another output folder"
    return None


def check_annotator_names(names: list[str]) -> list[str]:
    """The names in NFC (``names.annotator_name``), or ``SplitError``: each becomes a file name
    (``<name>.json``) and an ``author`` value, so it must be one on every disk, and no two may be one file
    on a case-insensitive disk (macOS, Windows), as ``Anna`` and ``anna`` would."""
    if not names:
        raise SplitError("no annotators given")
    composed = [annotator_name(n) for n in names]
    for given, n in zip(names, composed, strict=True):
        problem = annotator_name_problem(n)
        if problem:
            raise SplitError(
                f"annotator name {given if len(given) <= 80 else given[:80] + '…'!r} {problem} "
                "(the name becomes the shard's file name: letters of any script, digits, '.', '_' or '-', "
                "a letter or digit first)"
            )
    dupes = sorted({n for n in composed if composed.count(n) > 1})
    if dupes:
        raise SplitError(f"annotator names given twice: {', '.join(dupes)}")
    by_fold: dict[str, list[str]] = {}
    for n in composed:
        by_fold.setdefault(fold(n), []).append(n)
    clash = next((same for same in by_fold.values() if len(same) > 1), None)
    if clash:
        raise SplitError(
            f"annotator names {' and '.join(clash)} differ only in case: their shard files "
            f"({', '.join(f'{n}.json' for n in clash)}) would be one file on macOS and Windows; "
            "use distinct names"
        )
    return composed


def image_key(project: Project, image: ImageRecord) -> str:
    """What identifies an image across projects saved in different folders: its absolute path."""
    if project.path is None and not os.path.isabs(image.file_name):
        return image.file_name.replace("\\", "/")
    return os.path.normpath(os.path.abspath(project.image_path(image))).replace("\\", "/")


def subset(project: Project, image_ids: list[int], *, app: dict[str, Any] | None = None) -> Project:
    """A new project with these images (in that order), their objects, all categories and the app state.

    Objects are shallow copies with their own ``extra`` dicts: geometry is shared, never mutated in place.
    """
    keep = set(image_ids)
    out = Project(
        images={i: copy.copy(project.images[i]) for i in image_ids},
        categories={k: copy.deepcopy(c) for k, c in project.categories.items()},
        annotations={},
        path=project.path,
        extra=copy.deepcopy(project.extra),
        app=copy.deepcopy(project.app) if app is None else app,
    )
    for key in IMAGE_MAPS:
        entries = out.app.get(key)  # per-image maps keep the subset's images only
        if isinstance(entries, dict):
            out.app[key] = images_only(entries, keep)
    only_images(out.app, keep.__contains__)
    for i in image_ids:
        for a in project.annotations_of(i):
            out.add_annotation(copy_annotation(a))
    return out


def copy_annotation(a: Annotation, **changes: Any) -> Annotation:
    """A shallow copy with private ``extra``/``app_extra`` dicts and no decoded-mask cache."""
    b = copy.copy(a)
    b.extra = dict(a.extra)
    b.app_extra = dict(a.app_extra)
    b._mask = None
    for k, v in changes.items():
        setattr(b, k, v)
    return b


def _assign(n_images: int, overlap: float, copies: int, load: list[int]) -> list[list[int]]:
    """For each image position (in shuffled order), the annotator indexes it goes to, the next image to
    whoever holds fewest (``load``: images each holds so far, a video's frames dealt before; updated). An
    overlap asked for is at least one image, as a honeypot share is at least one honeypot: ``--overlap 0.1``
    of 4 images rounded to none, and agreement later had "nothing to compare"."""
    n_annotators = len(load)
    n_overlap = 0
    if n_annotators > 1 and overlap > 0:
        n_overlap = min(n_images, max(1, round(overlap * n_images)))
    out: list[list[int]] = []
    for i in range(n_overlap):
        who = [(i + k) % n_annotators for k in range(copies)]
        for w in who:
            load[w] += 1
        out.append(who)
    for _ in range(n_images - n_overlap):
        w = min(range(n_annotators), key=lambda j: (load[j], j))
        load[w] += 1
        out.append([w])
    return out


def split_project(
    project: Project,
    annotators: list[str],
    *,
    overlap: float = 0.1,
    overlap_copies: int = 2,
    seed: int = 0,
    honeypots: Project | None = None,
    honeypot_fraction: float = 0.05,
) -> SplitResult:
    """Deal the project's images out to ``annotators`` (see the module docstring)."""
    annotators = check_annotator_names(annotators)
    if not 0.0 <= overlap <= 1.0 or math.isnan(overlap):
        raise SplitError(f"--overlap must be between 0 and 1, got {overlap}")
    if not 0.0 <= honeypot_fraction < 1.0 or math.isnan(honeypot_fraction):
        raise SplitError(f"--honeypot-fraction must be in [0, 1), got {honeypot_fraction}")
    n_ann = len(annotators)
    if overlap > 0 and n_ann < 2:
        raise SplitError("overlap images need at least two annotators (use --overlap 0)")
    if overlap > 0 and overlap_copies < 2:  # one annotator's version cannot be compared with anyone's
        raise SplitError(
            f"--overlap-copies must be at least 2 (annotators per overlap image), got {overlap_copies}"
        )
    copies = min(max(2, overlap_copies), n_ann)  # more than there are annotators: every annotator
    rng = np.random.default_rng(seed)

    hp_images, hp_keys = _pick_honeypots(project, honeypots, honeypot_fraction, n_ann, overlap, copies, rng)
    regular = [i for i in sorted(project.images) if image_key(project, project.images[i]) not in hp_keys]
    if not regular:
        raise SplitError("the project has no images to split")
    last = project.given_out(LAST_ANNOTATION_ID)
    if last + (n_ann + 1) * ID_RANGE > ID_MAX:  # a shard's new ids would pass what a project may hold
        raise SplitError(
            f"{project.path or 'the project'}: object ids reach {last}: no room for {n_ann} annotators' "
            f"ranges of {ID_RANGE} new ids each up to {ID_MAX} (2**63 - 1), the largest id a project file "
            f"can hold; " + RENUMBER_HINT.format(file=project.path or "PROJECT.json")
        )
    load = [0] * n_ann
    dealt: list[tuple[int, list[int]]] = []
    for frames in video_frames(project, regular):  # a video's frames in contiguous ranges, as CVAT's jobs
        dealt += deal_ranges(frames, load, overlap)
    framed = {image_id for image_id, _who in dealt}
    stills = [i for i in regular if i not in framed]
    order = [stills[k] for k in rng.permutation(len(stills))]
    dealt += zip(order, _assign(len(order), overlap, copies, load), strict=True)
    per_annotator: list[list[int]] = [[] for _ in annotators]
    overlap_names: dict[str, list[str]] = {}
    for image_id, who in dealt:
        for w in who:
            per_annotator[w].append(image_id)
        if len(who) > 1:
            overlap_names[project.images[image_id].file_name] = [annotators[w] for w in who]

    split_id = _split_id(
        project, annotators, seed, overlap, overlap_copies, [im.file_name for im in hp_images]
    )
    shards: dict[str, Project] = {}
    first_new = last + 1  # the ranges fit: checked above
    given_images = project.given_out(LAST_IMAGE_ID)  # the project's other images' ids are not the shard's
    new_tracks = max(track_ids(project), default=-1) + 1  # a shard's tracks from here on are its own
    from pixelproof.core.merge_marks import MARKS_AT_SPLIT, deal_marks  # it imports the edits (OpenCV)

    for k, (name, ids) in enumerate(zip(annotators, per_annotator, strict=True)):
        shard = subset(project, sorted(ids))
        shard.app[LAST_ANNOTATION_ID] = first_new - 1 + (k + 1) * ID_RANGE  # the first range: the lead's
        if given_images > shard.given_out(LAST_IMAGE_ID):
            shard.app[LAST_IMAGE_ID] = given_images
        for image in hp_images:
            shard.add_image(copy.copy(image))
        marks = deal_marks(project, shard, ids)  # the outside marks on its frames, in its numbering
        shard.app.pop("reference", None)  # the reference may be the honeypots' source: not for annotators
        shard.app.pop("history", None)  # a shard starts a change log of its own
        shard.app.pop(RUN, None)  # an unfinished "Pre-label all" continues in the project, not a shard
        shard.app["shard"] = {
            "annotator": name,
            "split": split_id,
            "at_split": at_split(shard),
            # each image's file (absolute) and size as dealt out: an annotator who relocates the shard to
            # a copy of the images of their own is still given this image back, under this path
            FILES_AT_SPLIT: files_at_split([(image_key(shard, im), im) for im in shard.images.values()]),
            # each image's status as dealt out: one the annotator changed (marked done, a look) is theirs,
            # though they changed no object
            "status_at_split": {str(i): shard.image_status(i) for i in shard.images},
            # the classes as dealt out: merge tells a class the lead renamed or removed since from one
            # the annotator renamed or added
            "categories": {str(c.id): c.name for c in shard.categories.values()},
            # the first track id new in the shard: merge gives each shard's new tracks ids of their own
            NEW_TRACKS_FROM: new_tracks,
            # each image's object order as dealt out: merge keeps an annotator's Bring to Front / Send to Back
            STACKING_AT_SPLIT: stacking_at_split(shard),
            # the outside marks on the frames dealt out (image id -> tracks): merge keeps their edits
            MARKS_AT_SPLIT: marks,
        }
        shards[name] = shard
    manifest = {
        "pixelproof_split": MANIFEST_FORMAT,
        "split": split_id,
        "seed": seed,
        "project": os.path.abspath(project.path) if project.path is not None else None,
        "annotators": list(annotators),
        "overlap_fraction": overlap,
        "overlap_copies": copies,
        "assignments": {
            n: [project.images[i].file_name for i in sorted(ids)]
            for n, ids in zip(annotators, per_annotator, strict=True)
        },
        "overlap": overlap_names,
        "honeypots": {
            "reference": os.path.abspath(honeypots.path)
            if honeypots is not None and honeypots.path
            else None,
            "images": [im.file_name for im in hp_images],
        },
    }
    return SplitResult(shards, manifest, overlap_names, [im.file_name for im in hp_images])


def at_split(shard: Project) -> dict[str, str]:
    """Image id -> what the image holds as the shard is made (``merge_image.image_fingerprint``): merge then
    tells an image the annotator left alone from one they changed, so edits the lead made to the base
    since the split are kept (before, the shard's copy replaced them as if it were an edit)."""
    from pixelproof.core.merge_image import image_fingerprint  # merge_image imports this module

    names = {c.id: c.name for c in shard.categories.values()}
    return {
        str(i): image_fingerprint((a, names[a.category_id]) for a in shard.annotations_of(i))
        for i in shard.images
    }


def manifest_keys(manifest: dict[str, Any], section: str) -> set[str]:
    """Image keys (see ``image_key``) of a manifest's ``"honeypots"`` or ``"overlap"`` images: its file
    names are relative to the split project's folder."""
    names = manifest.get(section)
    if section == "honeypots":
        names = names.get("images") if isinstance(names, dict) else None
    project = manifest.get("project")
    folder = os.path.dirname(project) if isinstance(project, str) else None
    out = set()
    for n in names if isinstance(names, list | dict) else []:
        if not isinstance(n, str):
            continue
        if os.path.isabs(n) or folder is not None:
            n = os.path.normpath(os.path.join(folder or "", n)).replace("\\", "/")
        out.add(n)
    return out


def _pick_honeypots(
    project: Project,
    reference: Project | None,
    fraction: float,
    n_ann: int,
    overlap: float,
    copies: int,
    rng: np.random.Generator,
) -> tuple[list[ImageRecord], set[str]]:
    """Honeypot image records (file names relative to the project's folder) and their keys."""
    if reference is None or fraction <= 0 or not reference.images:
        return [], set()
    n = len(project.images)
    shard_size = n * (1 + overlap * (copies - 1)) / n_ann
    wanted = max(1, round(fraction * shard_size / (1 - fraction)))
    candidates = sorted(reference.images.values(), key=lambda im: im.file_name)
    picked = sorted(rng.choice(len(candidates), size=min(wanted, len(candidates)), replace=False).tolist())
    by_key = {image_key(project, im): im for im in project.images.values()}
    new_ids = project.id_counter(LAST_IMAGE_ID)
    out: list[ImageRecord] = []
    keys: set[str] = set()
    for k in picked:
        ref_image = candidates[k]
        key = image_key(reference, ref_image)
        keys.add(key)
        same = by_key.get(key)
        if same is not None:  # an image of the project: it becomes a honeypot, not a regular image
            out.append(ImageRecord(same.id, same.file_name, same.width, same.height, dict(same.extra)))
            continue
        out.append(
            ImageRecord(
                new_ids.take(), _relative_to(project, reference, ref_image), ref_image.width, ref_image.height
            )
        )
    return out, keys


def _relative_to(project: Project, reference: Project, image: ImageRecord) -> str:
    """A reference image's name as the split project sees it: ``RelativeNames`` (the OS's walk through
    symlinked folders, as every project save names its images), or as written without a project folder."""
    path = reference.image_path(image)
    if project.path is None or not path.is_absolute():
        return str(path).replace("\\", "/")
    return RelativeNames(Path(os.path.abspath(project.path)).parent).name(path)


def _split_id(
    project: Project, names: list[str], seed: int, overlap: float, copies: int, hp: list[str]
) -> str:
    h = hashlib.sha256()
    for part in (repr((names, seed, overlap, copies, hp)), *(im.file_name for im in project.images.values())):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()[:12]

"""Merge project shards back into one project, reporting every conflict by type (issue 16).

Images are matched across shards (and the base) by their absolute path; categories by name. Each image is
merged by ``merge_image.merge_image`` (see there how versions merge), a pure function of that image's
versions, and the results are assembled in image order (base images first, then new images in shard order)
with ids decided in that order (``merge_assembly``), so the output is the same whoever computes the
per-image parts. Nothing is resolved in silence: every conflict is reported by type.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pixelproof.core.channel_display import display_entries
from pixelproof.core.merge_assembly import assemble_project
from pixelproof.core.merge_categories import merge_categories, removed_classes
from pixelproof.core.merge_checks import check_distinct, check_lineage, check_split
from pixelproof.core.merge_decisions import Source, carry_decisions
from pixelproof.core.merge_image import Conflict, ImageMerge, Version, merge_image
from pixelproof.core.merge_lines import copy_renamed
from pixelproof.core.merge_lines import relocated_lines as relocated_lines
from pixelproof.core.merge_lines import renamed_text as renamed_text
from pixelproof.core.merge_maps import image_reviews as image_reviews
from pixelproof.core.merge_maps import merged_review, merged_time
from pixelproof.core.merge_maps import time_spent_by_image as time_spent_by_image
from pixelproof.core.merge_marks import carry_marks
from pixelproof.core.merge_outside import off_shard, report_outside, set_aside
from pixelproof.core.merge_stacking import dealt_ids, keep_restacks
from pixelproof.core.merge_tracks import shard_tracks, split_elsewhere
from pixelproof.core.model import ImageRecord, Project, id_key
from pixelproof.core.names import annotator_name
from pixelproof.core.overlap_versions import HONEYPOT_KEY, overlap_annotators
from pixelproof.core.paths import RelativeNames, is_absolute_name
from pixelproof.core.run_ids import merged_run
from pixelproof.core.shard_match import (
    RenamedTwins,
    another_picture,
    copied_from,
    copied_in_shard,
    moved_away,
    relocated_in_base,
    renamed_in_shard,
    shard_annotator,
)
from pixelproof.core.split import copy_annotation, image_key, manifest_keys
from pixelproof.core.wording import plural

CONFLICT_TYPES = (
    "edited_in_two_shards",
    "category_added",
    "category_renamed",
    "category_missing",
    "category_removed",
    "image_size_mismatch",
    "annotation_id_collision",
    "image_id_collision",
    "edited_in_base_and_shard",
    "base_state_unknown",
    "locked_in_base",
    "edited_outside_shard",
    "outside_marks_differ",
    "outside_mark_not_dealt",
    "outside_mark_renumbered",
    "track_split_in_shard",
)


@dataclass(slots=True)
class Shard:
    """One shard: its annotator (None for batch-job shards) and where it was read from."""

    name: str
    project: Project
    annotator: str | None = None
    split: str | None = None
    at_split: dict[int, str] | None = None  # category id -> name as the split dealt it out (None: unknown)

    @classmethod
    def of(cls, project: Project, fallback_name: str) -> Shard:
        info = project.app.get("shard") if isinstance(project.app.get("shard"), dict) else {}
        annotator = shard_annotator(project)  # in NFC, as split wrote it
        split = info.get("split") if isinstance(info.get("split"), str) else None
        cats = info.get("categories")
        at_split = (
            {id_key(k): v for k, v in cats.items() if id_key(k) is not None and isinstance(v, str)}
            if isinstance(cats, dict)
            else None
        )
        return cls(annotator or annotator_name(fallback_name), project, annotator, split, at_split)


@dataclass
class MergeResult:
    project: Project
    conflicts: list[Conflict]
    left_out: list[dict[str, Any]]  # objects not merged (image size mismatch), as annotation dicts
    overlap_images: dict[str, list[str]]  # file name -> annotators kept side by side
    honeypots_left_out: list[str]
    stats: dict[str, int]
    renamed_files: list[tuple[str, str, str]] = field(default_factory=list)  # (base's name, shard's, shard)
    # images a shard was pointed at a copy of (relocated to the annotator's own copy): (merged name,
    # the shard's name, shard)
    relocated_files: list[tuple[str, str, str]] = field(default_factory=list)
    # of those, records that name the file dealt out from the folder the shard was saved in (the shard file
    # moved since: ``shard_match.moved_away``), not a copy
    moved_files: set[tuple[str, str, str]] = field(default_factory=set)
    geometry_differs: list[dict[str, Any]] = field(default_factory=list)  # ``merge_geometry``'s rows
    shard_names: list[str] = field(default_factory=list)  # whose shards, as merged (canonical_order)
    tracks: list[tuple[str, int, int]] = field(default_factory=list)  # (shard, new track, merged id)

    def label(self) -> str:
        """The merge's undo step and change-log line: whose shards came in, so ``pixelproof log`` says who
        (the entry's author is the lead who merged them)."""
        names = ", ".join(self.shard_names[:8])  # batch jobs' part files can be hundreds
        more = len(self.shard_names) - 8
        names += f" and {more} more" if more > 0 else ""
        return f"Merge {plural(len(self.shard_names), 'shard')}" + (f" of {names}" if names else "")

    def report(self) -> dict[str, Any]:
        """The JSON conflict report (documented in README)."""
        counts = Counter(c.type for c in self.conflicts)
        return {
            "stats": {**self.stats, "tracks_renumbered": len(self.tracks)},
            "conflict_counts": dict(sorted(counts.items())),
            "conflicts": [c.to_dict() for c in self.conflicts],
            "overlap_images": self.overlap_images,
            "honeypots_left_out": self.honeypots_left_out,
            "left_out_objects": self.left_out,
            "renamed_files": [
                {"file_name": old, "renamed_to": new, "shard": who} for old, new, who in self.renamed_files
            ],
            "relocated_files": [
                {"file_name": name, "relocated_to": copy, "shard": who, "renamed": copy_renamed(name, copy)}
                | ({"shard_moved": True} if (name, copy, who) in self.moved_files else {})
                for name, copy, who in self.relocated_files
            ],
            "geometry_differs": self.geometry_differs,
            "renumbered_tracks": [{"shard": s, "track_id": t, "merged_as": m} for s, t, m in self.tracks],
        }


# ------------------------------------------------------------------------------------------------
# the whole merge


def merge_task(context: tuple[list[str], list[str | None]], items: list[tuple]) -> list[ImageMerge]:
    """``merge_image`` for a batch of images, on any executor (``pixelproof.core.batch``)."""
    names, annotators = context
    return [merge_image(name, b, vs, names, annotators, *overlap) for name, b, vs, *overlap in items]


def canonical_order(shards: list[Shard]) -> list[Shard]:
    """Annotators' shards in name order (then split id): ids of new classes, of overlap copies and of new
    images are handed out shard by shard, so ``merge b.json a.json`` and ``merge a.json b.json`` gave one
    project two numberings (and kept, without ``--into``, the first-given shard's image record). Names are
    distinct by then (``check_distinct``). Batch-job shards (no annotator) keep the order given: their
    part files are numbered, and that order is theirs."""
    if not shards or any(s.annotator is None for s in shards):
        return list(shards)
    return sorted(shards, key=lambda s: (s.annotator or "", s.split or ""))


def merge_shards(
    shards: list[Shard],
    base: Project | None = None,
    manifest: dict[str, Any] | None = None,
    executor: Any = None,
) -> MergeResult:
    """Merge ``shards`` (into a copy of ``base`` when given). See the module docstring. ``executor``
    (``pixelproof.core.batch``; default: here) merges the images; the result is the same."""
    from pixelproof.core.batch import Failed, SerialExecutor, run_batch

    check_distinct(shards)
    check_split(shards, manifest)
    check_lineage(shards, base)
    shards = canonical_order(shards)
    shards, tracks_moved = shard_tracks(shards, base)  # each shard's new tracks: free ids
    conflicts: list[Conflict] = []
    names = _unique_names([s.name for s in shards])
    annotators = [s.annotator for s in shards]
    honeypot_names, overlap_names = _manifest_sets(manifest)
    one_split = len({s.split for s in shards}) == 1 and bool(shards) and bool(shards[0].split)
    same_split = manifest is None and one_split
    categories, cat_maps, renamed, removed = merge_categories(shards, names, base, conflicts)

    # collect versions per image key, in output order
    key_of = _image_keys([p for p in (base,) if p is not None] + [s.project for s in shards])
    order: list[str] = []
    base_versions: dict[str, Version] = {}
    base_keys: dict[str, str] = {}
    key_path: dict[str, str] = {}  # key -> the image's path, as the manifest names it
    placed: list[dict[int, str]] = [{} for _ in shards]  # each shard's image ids -> keys
    if base is not None:
        for im in base.images.values():
            key = key_of(base, im)
            key_path[key] = image_key(base, im)
            base_keys[key] = im.file_name
            order.append(key)
            base_versions[key] = _version(base, im, -1, {c.id: c.name for c in base.categories.values()})
    versions: dict[str, list[Version]] = {}
    outside: dict[str, list[Version]] = {}  # versions of shards not dealt the image (``merge_outside``)
    display: dict[str, str] = dict(base_keys)
    renamed_files: list[tuple[str, str, str]] = []  # files annotators renamed: (base's name, shard's, shard)
    relocated: list[tuple[str, str, str]] = []  # shards pointed at copies: (merged name, shard's name, shard)
    moved_files: set[tuple[str, str, str]] = set()  # of those, the shard file moved (``moved_away``)
    left_hp: list[str] = []
    home = base.path if base is not None else shards[0].project.path if shards else None
    twins = RenamedTwins()  # an overlap image one annotator renamed: its copies are one image
    home_name = RelativeNames(Path(os.path.abspath(home)).parent).name if home is not None else str
    known = honeypot_names | overlap_names  # the paths the manifest names
    for k, shard in enumerate(shards):
        p = shard.project
        rename = _names_from(p, home)
        for im in p.images.values():
            key, path, now, moved, copy = key_of(p, im), image_key(p, im), None, None, None
            own = im.file_name  # the shard's name for it, as the annotator sees it
            dealt = copied_from(p, im, path)
            away = dealt is not None and moved_away(p, im, dealt)  # the shard file moved, not relocated
            if dealt is not None:  # relocated to a copy of its file: the image dealt out, by the lead's path
                copy, im = own, replace(im, file_name=dealt.file_name)
                key, path = key_of(p, im), dealt.file_name
            if base is not None and key not in base_keys:
                now = relocated_in_base(base, p, im)
                moved = None if now is not None else renamed_in_shard(base, p, im)
                if now is None and moved is None and (now := copied_in_shard(base, p, im)) is not None:
                    copy = own  # a shard that does not record the files it was dealt (an older split)
                if now is not None and path not in known:  # the manifest names the split's path
                    path = image_key(base, now)
            twin = twins.find(k, shard.split, p, key, im) if base is None and key not in display else None
            if now is None and moved is None and twin is None and key not in display:
                why = another_picture(base, p, im, path, names[k], home_name)
                if why is not None:  # kept as an image of its own
                    conflicts.append(Conflict("image_size_mismatch", why[1], why[0], [names[k]]))
            im = rename(im)
            if dealt is not None:  # named from the merged project's folder, as every other image
                im = replace(im, file_name=home_name(dealt.file_name))
            if now is not None:  # the base's image, under its new name
                key, im = key_of(base, now), replace(im, file_name=now.file_name)
            if moved is not None:  # the base's image, under the name the annotator gave its file
                key = key_of(base, moved)
                b = base_versions[key]
                renamed_files.append((b.image.file_name, im.file_name, names[k]))
                base_versions[key] = replace(b, image=replace(b.image, file_name=im.file_name))
                display[key] = im.file_name
            elif twin is not None and twin[2] is None:  # copies of one file, in two shards relocated
                key, copy = twin[0], own
            elif twin is not None:  # another shard's copy of this image, one of the two files renamed
                key, j, renamed_here = twin
                if renamed_here:  # this shard's name is the file's: every version takes it
                    versions[key] = [replace(v, image=replace(v.image, file_name=im.file_name))
                                     for v in versions[key]]  # fmt: skip
                    line = (display[key], im.file_name, names[k])
                    display[key] = im.file_name
                else:  # the other's is: this one's name is the split's, as the manifest names it
                    line, key_path[key] = (im.file_name, display[key], names[j]), path
                if line not in renamed_files:
                    renamed_files.append(line)
            else:
                key_path[key] = path  # as the manifest names it (the base's name, for a file renamed)
            placed[k][im.id] = key
            if key_path[key] in honeypot_names:
                if im.file_name not in left_hp:
                    left_hp.append(im.file_name)
                continue
            if key not in display:
                display[key] = im.file_name
                order.append(key)
            if copy is not None:
                relocated.append((display[key], copy, names[k]))
                if away:
                    moved_files.add(relocated[-1])
            version = _version(p, im, k, cat_maps[k], renamed[k], one_split)
            (outside if off_shard(p, im) else versions).setdefault(key, []).append(version)

    strays = set_aside(outside, versions, base_versions)
    todo = [key for key in order if versions.get(key)]
    items = [
        (
            display[key],
            base_versions.get(key),
            versions[key],
            bool(same_split) or key_path[key] in overlap_names,
            key_path[key] in overlap_names,
        )
        for key in todo
    ]
    done: dict[str, ImageMerge] = {}
    for index, m in run_batch(merge_task, (names, annotators), items, executor or SerialExecutor()):
        if isinstance(m, Failed):
            raise RuntimeError(f"{items[index][0]}: {m.reason}")  # a bug, not a conflict: stop
        done[todo[index]] = m
    merged: list[tuple[str, ImageMerge, Version | None]] = []
    for key in order:
        vs = versions.get(key, [])
        b = base_versions.get(key)
        if not vs:
            objects = [(copy_annotation(a), c, True) for a, c in b.objects]
            m = ImageMerge(b.image, objects, b.status, raters=b.raters or [])
            m.time_spent = merged_time([b])
            m.review, m.display = merged_review([b]), merged_review([b], "display")
        else:
            m = done[key]
            m.time_spent = merged_time(vs + ([b] if b is not None else []))
            m.review = merged_review(([b] if b is not None else []) + vs)
            m.display = merged_review(([b] if b is not None else []) + vs, "display")
        if key in strays:
            owners = list(dict.fromkeys(names[v.shard] for v in vs))
            report_outside(display[key], m, strays[key], owners, names)
        merged.append((key, m, b))
    project, left_out, overlap_images, stats = assemble_project(
        merged, shards, base, categories, conflicts, left_hp, names, set(removed)
    )
    result = MergeResult(project, conflicts, left_out, overlap_images, left_hp, stats)
    result.shard_names = [s.name for s in shards]
    if base is not None:  # the base's ids stay given out: an object an annotator deleted too
        result.project.keep_given_out(base.ids_given_out())
    removed_classes(result.project, result.conflicts, removed)
    ids = dict(zip([key for key, _, _ in merged], result.project.images, strict=True))
    _mark_honeypots(
        result.project, [ids[key] for key, _, _ in merged if key_path.get(key) in honeypot_names], manifest
    )
    result.stats["categories"] = len(result.project.categories)
    result.stats["conflicts"] = len(result.conflicts)
    sources = [Source(base, {im.id: ids[key_of(base, im)] for im in base.images.values()})] if base else []
    for k, shard in enumerate(shards):
        mine = {old: ids[key] for old, key in placed[k].items() if key in ids}  # not honeypots
        sources.append(Source(shard.project, mine, shard.annotator or names[k]))
    result.stats["dismissed_dropped"] = carry_decisions(result.project, sources)
    given = base is not None  # sources[0] is the base's
    marks = carry_marks(result.project, sources[0] if given else None, sources[int(given) :], names)
    result.conflicts += marks[0]
    result.conflicts += split_elsewhere(
        result.project, shards, [s.image_ids for s in sources[int(given) :]], tracks_moved
    )
    result.stats["outside_marks_changed"] = marks[1]
    result.stats["conflicts"] = len(result.conflicts)
    result.stats["restacked"] = keep_restacks(result.project, [(s.project, s.image_ids) for s in sources])
    base_ids = sources[0].image_ids if base is not None else {}
    app = base.app if base is not None else None
    result.stats["prelabel_runs_dropped"] = merged_run(
        result.project.app, app, base_ids, [s.project.app for s in shards]
    )
    result.renamed_files, result.tracks = renamed_files, tracks_moved
    result.relocated_files, result.moved_files = relocated, moved_files
    result.geometry_differs = [row for _, m, _ in merged for row in m.geometry]
    return result


def _mark_honeypots(project: Project, image_ids: list[int], manifest: dict[str, Any] | None) -> None:
    """Record the honeypot images the merged project holds (the base's images the split made honeypots: no
    annotator's version of them is merged): QA leaves them out while nobody labels them here
    (``qa_team``), where they would score Dice 0 against the reference they were taken from."""
    if not image_ids or manifest is None:
        return
    marks = project.app.get(HONEYPOT_KEY)
    marks = dict(marks) if isinstance(marks, dict) else {}
    marks.update({str(i): str(manifest.get("split") or "") for i in image_ids})
    project.app[HONEYPOT_KEY] = marks


def _names_from(project: Project, home: Path | None) -> Callable[[ImageRecord], ImageRecord]:
    """A shard's image records with relative ``file_name``s rewritten to lead from the folder of ``home``
    (the merged project's file) to the same files, as the shard's led from its own folder."""
    if home is None or project.path is None:
        return lambda image: image
    old, new = Path(os.path.abspath(project.path)).parent, Path(os.path.abspath(home)).parent
    if old == new:
        return lambda image: image
    names = RelativeNames(new)

    def rename(image: ImageRecord) -> ImageRecord:
        if is_absolute_name(image.file_name):
            return image
        return replace(image, file_name=names.name(os.path.join(old, image.file_name)))

    return rename


def _image_keys(projects: list[Project]) -> Callable[[Project, ImageRecord], str]:
    """What pairs an image across the base and the shards: its path (``split.image_key``), and its id too
    when a project lists that path under several ids (each record is its own image: keyed by the path
    alone, they became one, and the base's two records one id twice)."""
    shared: set[tuple[str, int]] = set()
    for p in projects:
        keys = [(image_key(p, im), im.id) for im in p.images.values()]
        repeated = {k for k, n in Counter(k for k, _ in keys).items() if n > 1}
        shared.update(k for k in keys if k[0] in repeated)

    def key_of(project: Project, image: ImageRecord) -> str:
        key = image_key(project, image)
        return f"{key}\0{image.id}" if (key, image.id) in shared else key  # NUL: in no path

    return key_of


def _unique_names(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for n in names:
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n}#{seen[n]}")
    return out


def _manifest_sets(manifest: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    if manifest is None:
        return set(), set()
    return manifest_keys(manifest, "honeypots"), manifest_keys(manifest, "overlap")


def _version(
    project: Project,
    image: ImageRecord,
    shard: int,
    cat_names: dict[int, str],
    split_names: dict[str, str] | None = None,
    one_split: bool = False,
) -> Version:
    """``project``'s version of ``image``. ``one_split``: the shards merged are all of one split, so the ids
    each records as dealt out (``dealt_ids``) name the same objects in every shard."""
    objects = [(a, cat_names[a.category_id]) for a in project.annotations_of(image.id)]
    status = project.app.get("image_status", {}).get(str(image.id))
    spent = project.app.get("time_spent")
    spent = spent.get(str(image.id)) if isinstance(spent, dict) else None
    raters = overlap_annotators(project).get(image.id)
    review = image_reviews(project).get(image.id)
    display = display_entries(project).get(image.id)
    info = project.app.get("shard")
    at_split = info.get("at_split") if isinstance(info, dict) else None
    at_split = at_split.get(str(image.id)) if isinstance(at_split, dict) else None
    dealt = info.get("status_at_split") if isinstance(info, dict) else None
    dealt = dealt.get(str(image.id)) if isinstance(dealt, dict) else None
    # a split's shard (annotator, split id) that records no at_split at all: split before it was recorded
    unknown = isinstance(info, dict) and isinstance(info.get("split"), str) and "at_split" not in info
    return Version(
        shard,
        image,
        objects,
        status,
        spent if isinstance(spent, dict) else None,
        raters,
        review,
        at_split if isinstance(at_split, str) else None,
        split_names or None,
        dealt if isinstance(dealt, str) else None,
        display,
        unknown,
        dealt_ids(project, image.id) if one_split else frozenset(),
    )


def load_shards(paths: list[str | os.PathLike[str]], projects: list[Project]) -> list[Shard]:
    """Shards named by their annotator, or by file stem for batch-job shards."""
    return [Shard.of(p, Path(path).stem) for path, p in zip(paths, projects, strict=True)]

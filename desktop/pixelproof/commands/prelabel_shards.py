"""``prelabel --shard-size N -o OUT``: the pre-labeled images as COCO projects of N images each, kept
across an interruption (``core.batch.checkpoint``): a job stopped at 199k of 200k images keeps its
finished parts in ``.OUT.partial`` and the same command finishes it, redoing none of them, with the
parts an uninterrupted job writes.

A job writing one project (``-o OUT.json``, or in place) of more images than a part is kept the same way
(``ShardJob.whole``): its parts are only a checkpoint, the project itself is written once, at the end,
as a run without parts writes it, and the parts go."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pixelproof import __version__
from pixelproof.commands._common import shown, warn
from pixelproof.core import history
from pixelproof.core.batch import PathMap, job_timestamp
from pixelproof.core.batch.checkpoint import (
    Checkpoint,
    ResumeRefused,
    Stamp,
    file_digest,
    source_stamp,
    staging_folder,
)
from pixelproof.core.coco import ProjectSaveError, load_project, save_project
from pixelproof.core.edits.prelabel_run import kept_factor
from pixelproof.core.errors import error_text
from pixelproof.core.limits import LimitError
from pixelproof.core.lock import acquire_lock, lock_path, release_lock
from pixelproof.core.model import Category, ImageRecord, Project
from pixelproof.core.project_json import ProjectFormatError, read_json
from pixelproof.core.save_targets import check_output_path
from pixelproof.core.wording import plural
from pixelproof.inference.apply import PredictionMapper, Proposal
from pixelproof.inference.batch import BackendSpec, worker_path
from pixelproof.inference.prelabel_report import PrelabelReport

_COUNTS = (
    "annotations",
    "ignored",
    "skipped",
    "duplicates",
    "speckles",
)  # a part's counts, for the summary of a resumed job


_CATEGORY_FIELDS = {f.name for f in dataclasses.fields(Category)}


ONE_PROJECT = "parts of one output project"  # the manifest's key of a ``whole`` job's part size


class ShardsRefused(Exception):
    """The job cannot write its parts there now (one line for the user)."""


@dataclass
class ShardJob:
    """One sharded job's output: ``OUT``, its lock, and its staging folder with the finished parts."""

    target: Path
    size: int
    checkpoint: Checkpoint
    mapper: PredictionMapper | None = None
    result: PrelabelReport | None = None
    kept_boxes: int = 0  # boxes not outlined, and pictures pre-labeled in tiles, in the kept parts
    kept_tiled: int = 0
    whole: bool = False  # one output project: the parts are a checkpoint, not the output
    paths: PathMap = field(default_factory=PathMap)  # where the workers read the pictures (--path-map)
    ended: bool = False  # the job is done (its output written, or every picture failed): nothing to keep
    leftover: OSError | None = None  # why its staging folder could not be removed then
    _before: dict[str, int] = field(default_factory=dict)  # the report's counts when the part began
    _recorded: set[int] = field(default_factory=set)  # ids of the created categories in the manifest

    @classmethod
    def start(
        cls,
        args: argparse.Namespace,
        project: Project,
        images: list[ImageRecord],
        spec: BackendSpec,
        mapping: dict[str, str | None],
        size: int,
        whole: bool = False,
        paths: PathMap | None = None,
    ) -> ShardJob:
        """Take ``-o OUT`` (its lock) and its staging folder, new or kept by an interrupted run of the
        same inputs; ``ShardsRefused`` when held by another live run or kept by one of other inputs.
        ``whole``: the job writes one project, ``-o OUT`` or ``project`` itself, in parts of ``size``.
        ``paths``: the run's ``--path-map`` (the pictures' stamps are of the files its workers read)."""
        paths = paths or PathMap()
        assert project.path is not None
        named = Path(args.output or project.path)  # as typed, in what is said
        target = named.absolute()
        holder = acquire_lock(target)
        if holder is not None:
            raise ShardsRefused(
                f"{named}: being written by {holder.describe()}; wait for it (if that job is gone, its node "
                f"ended it: remove {lock_path(named)})"
            )
        try:
            inputs, labels = job_inputs(args, project, images, spec, mapping, size, whole)
            job = {"time": job_timestamp()}
            staging = staging_folder(target)
            checkpoint = Checkpoint.open(staging, inputs, job, labels, _valid_state, _images_held)
            kept = checkpoint.images
            changed = checkpoint.drop_changed_sources(
                len(images), lambda place: picture_stamp(project, images[place], paths)
            )
            if changed:
                from pixelproof.interop.formats import image_names  # half a second: only when needed

                them = "it" if len(changed) == 1 else "them"
                names = image_names(project, [images[i].id for i in changed])
                checkpoint.notes.append(
                    f"{plural(len(changed), 'picture')} changed since the interrupted run pre-labeled {them} "
                    f"({names}); pre-labeling again from the part holding the first: "
                    f"{kept - checkpoint.images} of the {kept} kept images"
                )
        except ResumeRefused as e:
            release_lock(target)
            raise ShardsRefused(str(e)) from None
        except (OSError, LimitError) as e:  # LimitError: a FIFO named as a file to hash (never waited on)
            release_lock(target)
            raise ShardsRefused(error_text(e)) from None
        return cls(target, size, checkpoint, whole=whole, paths=paths)

    @property
    def now(self) -> str:
        """The job's one timestamp: the interrupted run's, for the parts a resumed run adds."""
        return str(self.checkpoint.job["time"])

    def resume(
        self, project: Project, images: list[ImageRecord], mapper: PredictionMapper, result: PrelabelReport
    ) -> list[ImageRecord]:
        """The images still to do, after those of the kept parts: ``mapper`` goes on from the last kept
        part (ids, new categories, added to ``project``; ``whole``: the kept parts' new objects too),
        ``result`` counts the kept parts' images."""
        self.mapper, self.result = mapper, result
        for note in self.checkpoint.notes:
            warn(note)
        parts = self.checkpoint.parts
        if parts:
            created = _created_categories(parts)
            self._recorded = {c["id"] for c in created}
            for cat in mapper.resume({**parts[-1]["state"]["mapper"], "categories": created}):
                project.add_category(cat)
            if self.whole:
                self._take_objects(project)
            failed: list[tuple[str, str]] = []
            for part in parts:
                kept = part["state"]["report"]
                for name in _COUNTS:
                    # a part without ``duplicates`` (before 5b9b337) counted both kinds in ``skipped``
                    split = name != "skipped" or "duplicates" in kept
                    name_in_result = name if split else "skipped_unsplit"
                    setattr(result, name_in_result, getattr(result, name_in_result) + int(kept.get(name, 0)))
                result.new_categories += kept["new_categories"]
                failed += [(str(n), str(why)) for n, why in kept["failures"]]
                self.kept_boxes += int(kept["box_failures"])
                self.kept_tiled += int(kept["auto_tiled"])
                _take_shrink(result, kept)
            done, kept = self.checkpoint.images, plural(len(parts), "kept part")
            were = "was" if done == 1 else "were"
            print(
                f"pixelproof: resumed: {plural(done, 'image')} {were} done in {kept} "
                f"({shown(self.checkpoint.folder)}); pre-labeling the other {len(images) - done}",
                file=sys.stderr,
            )
            result.failures += failed
            if failed:
                warn(kept_failures_line(failed))
        self._before = self._counts()
        return images[self.checkpoint.images :]

    def _take_objects(self, project: Project) -> None:
        """Add the objects the kept parts added to ``project``, in their order: as if their images had
        been pre-labeled by this run (their files are as recorded: ``Checkpoint.open``)."""
        for part in self.checkpoint.parts:
            for name in part["files"]:
                if name.endswith(".json"):  # not its change log
                    kept = load_project(self.checkpoint.folder / name)
                    for ann in kept.annotations.values():
                        if ann.id not in project.annotations:  # the image's objects from before the job
                            project.add_annotation(ann)

    def _counts(self) -> dict[str, int]:
        r = self.result
        assert r is not None
        counts = {name: getattr(r, name) for name in _COUNTS}
        lists = {"failures": r.failures, "box_failures": r.box_failures, "auto_tiled": r.auto_tiled}
        lengths = {k: len(v) for k, v in lists.items()}
        return {**counts, **lengths, "new_categories": len(r.new_categories), "shrunk": r.shrunk.count}

    def save(self, part: Project, name: str, edit: str, sources: list[Stamp]) -> None:
        """Write a finished part and record it with what the job goes on from after it, and its images'
        files as they were (``sources``: their ``source_stamp``, taken when each was pre-labeled)."""
        path = self.checkpoint.folder / name
        history.note(part, tool="prelabel", edit=edit)
        save_project(part, path)
        assert self.mapper is not None and self.result is not None
        now, before, r = self._counts(), self._before, self.result
        report: dict[str, Any] = {k: now[k] - before[k] for k in (*_COUNTS, "box_failures", "auto_tiled")}
        report["new_categories"] = r.new_categories[before["new_categories"] :]
        report["failures"] = [list(f) for f in r.failures[before["failures"] :]]
        report["shrunk"] = r.shrunk.count - before["shrunk"]  # pictures shrunk a lot to the model's input
        report["most_shrunk"] = [r.shrunk.worst, r.shrunk.factor]  # the job's so far: the largest is taken
        files = [p for p in (path, history.sidecar(path)) if p.exists()]
        mapper = self.mapper.checkpoint()  # the categories this part created: the earlier ones are recorded
        mapper["categories"] = [c for c in mapper["categories"] if c["id"] not in self._recorded]
        self.checkpoint.add(files, len(part.images), {"mapper": mapper, "report": report}, sources)
        self._recorded |= {c["id"] for c in mapper["categories"]}
        self._before = now

    def end(self) -> None:
        """The job is done: its staging folder goes (what of it cannot is said by ``close``, as such)."""
        self.ended = True
        self.leftover = self.checkpoint.discard()

    def close(self) -> None:
        """After the job, whatever ended it: finished parts of a job that did not end stay (said, with how
        to go on); a staging folder without any goes; the lock is given back."""
        try:
            folder = self.checkpoint.folder
            if self.ended:
                if self.leftover is not None:  # never 'run the same command again' of a job that is done
                    with contextlib.suppress(OSError, ValueError):
                        warn(
                            f"the job is complete; its staging folder could not be removed "
                            f"({error_text(self.leftover)}); nothing in it is needed: remove {shown(folder)}"
                        )
            elif folder.exists():
                self.checkpoint.recount()  # a part the stop caught as it was being recorded counts
                if self.checkpoint.parts:
                    with contextlib.suppress(OSError):  # a part stopped half-way: kept = what is said
                        self.checkpoint.remove_unrecorded()
                    parts = plural(len(self.checkpoint.parts), "finished part")
                    images = plural(self.checkpoint.images, "image")
                    with contextlib.suppress(OSError, ValueError):  # SIGHUP: the terminal may be gone
                        print(
                            f"pixelproof: {parts} ({images}) kept in {shown(folder)}; "
                            "run the same command again to finish the job",
                            file=sys.stderr,
                        )
                else:
                    self.checkpoint.discard()
        finally:
            release_lock(self.target)


def picture_stamp(project: Project, image: ImageRecord, paths: PathMap) -> Stamp:
    """``image``'s picture as it is now (``source_stamp``), at the path the job's workers read it from
    (``worker_path``: with ``--path-map``, theirs, as this process sees it: a picture replaced there is
    what changes the result), else, where this process does not see that path, at the project's (the same
    file on a volume mounted elsewhere here)."""
    stamp = source_stamp(worker_path(project, image, paths))
    if stamp is None and paths.pairs:
        stamp = source_stamp(project.image_path(image))
    return stamp


KEPT_FAILURES_NAMED = 5  # images named in the line on the kept parts' failures, the rest counted


def kept_failures_line(failures: list[tuple[str, str]]) -> str:
    """The kept parts' failed images, said when a job is taken up: the interrupted run named them, but
    the resumed one would only count them ("500 failed"), after the run, with no name nor a way on (a
    cluster's mount missing then, put back since: its images are not tried again, their files unchanged)."""
    named = [f"{name} ({why})" for name, why in failures[:KEPT_FAILURES_NAMED]]
    rest = len(failures) - len(named)
    listed = ", ".join(named) + (f" and {rest} more" if rest else "")
    return (
        f"{plural(len(failures), 'image')} of the kept parts failed in the interrupted run and "
        f"{'is' if len(failures) == 1 else 'are'} not tried again: {listed}; pre-label "
        f"{'it' if len(failures) == 1 else 'them'} once the job is done, with --unlabeled-only on its output"
    )


def _created_categories(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The categories the kept parts' job created, each once, in the order it created them (their ids
    grow): each part records those it created (manifest format 2), or all created so far (format 1)."""
    by_id = {c["id"]: c for part in parts for c in part["state"]["mapper"]["categories"]}
    return [by_id[i] for i in sorted(by_id)]


def _valid_state(state: dict[str, Any]) -> bool:
    """What ``ShardJob.save`` records after a part (a manifest edited by hand is not trusted)."""
    mapper, report = state.get("mapper"), state.get("report")
    if not isinstance(mapper, dict) or not isinstance(report, dict):
        return False
    counts = (*_COUNTS, "box_failures", "auto_tiled")
    report = {"duplicates": 0, **report}  # parts kept before duplicates were counted apart: none
    return (
        type(mapper.get("next_annotation_id")) is int
        and isinstance(mapper.get("categories"), list)
        and all(isinstance(c, dict) and type(c.get("id")) is int and isinstance(c.get("name"), str)
                and set(c) <= _CATEGORY_FIELDS for c in mapper["categories"])
        and all(type(report.get(k)) is int for k in counts)
        and isinstance(report.get("new_categories"), list)
        and isinstance(report.get("failures"), list)
        and all(isinstance(f, list) and len(f) == 2 for f in report["failures"])
    )  # fmt: skip


def _images_held(path: Path) -> int | None:
    """The images a kept part's project file holds, read back (its change log: None), for the manifest's
    count to be checked against (a wrong one moves where the job goes on: pictures done twice)."""
    if not path.name.endswith(".json"):  # as ``_take_objects`` tells them apart
        return None
    try:
        doc = read_json(path)
    except ProjectFormatError:  # its bytes are as recorded: only a manifest made by hand names it
        return 0
    images = doc.get("images") if isinstance(doc, dict) else None
    return len(images) if isinstance(images, list) else 0


def job_inputs(
    args: argparse.Namespace,
    project: Project,
    images: list[ImageRecord],
    spec: BackendSpec,
    mapping: dict[str, str | None],
    size: int,
    whole: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """What the parts depend on, as the manifest compares them (files by content: a model copied to
    another node is the same model), and how to name each in a message. Where the job runs (workers,
    scheduler, path map) is left out: it does not change the result. ``whole``: parts of ``size`` kept
    for one output project (not a ``--shard-size``: those parts are the output)."""
    assert project.path is not None
    labels = {"the project file": f"the project file {project.path}"}
    inputs: dict[str, Any] = {
        "PixelProof version": __version__,
        "the project file": file_digest(project.path),
    }
    spec_inputs, spec_labels = spec.inputs()
    inputs |= spec_inputs
    labels |= spec_labels
    image_list = json.dumps([[im.id, im.file_name, im.width, im.height] for im in images]).encode()
    inputs |= {
        "--images": args.images,
        "--unlabeled-only": bool(args.unlabeled_only),
        "--from-boxes": bool(args.from_boxes),
        "--only-existing": bool(args.only_existing),
        "--map": sorted([k, v] for k, v in mapping.items()),
        "--category": args.category,
        "--skip-existing": args.skip_existing,
        "--keep-overlapping": bool(args.keep_overlapping),
        "--keep-specks": True if args.keep_specks else None,  # absent from earlier jobs' manifests: None
        "--tile": args.tile,
        "--overlap": args.overlap,
        "--shard-size": None if whole else size,
        "the image list": f"sha256:{hashlib.sha256(image_list).hexdigest()}",
    }
    if whole:  # absent from the shards' manifests: equal to theirs (None) there
        inputs[ONE_PROJECT] = size
    return inputs, labels


def write_shards(
    project: Project,
    proposals: Iterable[tuple[ImageRecord, Proposal | str]],
    job: ShardJob,
    account: Callable[[ImageRecord, Proposal | str], None],
    images: int,
    edit: str = "",
) -> Path:
    """Write the pre-labeled images (``images`` of them in the whole job, those of ``job``'s kept parts
    first) as COCO projects of ``job.size`` images each (``part_name``: ``part-00001.json``...) into
    ``job``'s staging folder, renamed to ``-o OUT`` at the end; an interrupted job keeps its finished
    parts there (``ShardJob.close``). A job where every picture failed (as ``-o OUT.json`` then writes
    nothing) leaves nothing. Each part has the categories known when it was written (ids agree across
    parts) and its images' existing annotations; the input project is not modified. Each part's change
    log names ``prelabel`` and ``edit``, as the one-file save does.

    ``job.whole``: the proposals go into ``project`` too, which is saved to ``job.target`` at the end as a
    run without parts saves it; the staging folder then goes."""
    size, checkpoint = job.size, job.checkpoint
    number = len(checkpoint.parts)
    parts = -(-images // size)
    part, sources = _new_part(project), []
    for image, proposal in proposals:
        account(image, proposal)
        sources.append(picture_stamp(project, image, job.paths))  # as it was pre-labeled, near enough
        part.add_image(replace(image))  # a copy: saving rewrites relative file names
        part.extend_annotations(project.annotations_of(image.id))
        if isinstance(proposal, Proposal):
            if job.whole:
                proposal.edit().apply(project)
            else:
                for cat in proposal.categories:
                    project.add_category(cat)  # later parts and ids see it; no annotation is added
            proposal.edit().apply(part)
        if len(part.images) == size:
            number += 1
            job.save(part, part_name(number, parts), edit, sources)
            part, sources = _new_part(project), []
    if part.images:
        number += 1
        job.save(part, part_name(number, parts), edit, sources)
    assert job.result is not None
    if not job.result.succeeded:  # every picture failed, in the kept parts too: nothing worth keeping
        job.end()
        return job.target
    if job.whole:  # the one save of a run without parts; the parts kept until it is done
        history.note(project, tool="prelabel", edit=edit)
        save_project(project, job.target)
        job.end()
        return job.target
    check_shard_folder(job.target)  # made meanwhile by someone else: the parts stay, nothing is replaced
    checkpoint.finish(job.target)
    return job.target


def part_name(number: int, parts: int) -> str:
    """Part ``number`` of ``parts``: zero-padded to the widest number (5 digits at least), so the names
    sort in order (a shell's ``OUT/part-*.json`` gives ``merge`` the parts in the job's image order)."""
    return f"part-{number:0{max(5, len(str(parts)))}d}.json"


def check_shard_folder(target: Path) -> None:
    """``ProjectSaveError`` naming ``target`` when the shards' new folder cannot be made there: it exists
    (shards never go over anything), or the folder it would go in does not exist."""
    if target.exists():
        raise ProjectSaveError(f"{target}: already exists; --shard-size writes a new folder")
    check_output_path(target)


def _new_part(project: Project) -> Project:
    part = Project(path=project.path, extra=dict(project.extra), app=dict(project.app))
    for cat in project.categories.values():
        part.add_category(cat)
    return part


def _take_shrink(result: PrelabelReport, kept: dict[str, Any]) -> None:
    """A kept part's pictures shrunk to the model's input into ``result`` (parts kept by a version that did
    not record them, or a hand-edited manifest's values that are not a count and a name and a factor a
    picture can have, ``kept_factor``: none)."""
    shrunk, most = kept.get("shrunk"), kept.get("most_shrunk")
    if type(shrunk) is int and shrunk > 0:
        result.shrunk.count += shrunk
    if isinstance(most, list) and len(most) == 2 and isinstance(most[0], str):
        factor = kept_factor(most[1])
        if factor is not None and factor > result.shrunk.factor:
            result.shrunk.worst, result.shrunk.factor = most[0], factor

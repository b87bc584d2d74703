"""Label Studio JSON export (a list of tasks: ``data.image``, ``annotations[].result[]``, ``predictions[]``),
read and written, so a team moving off Label Studio keeps its brush masks, rotated boxes and choices.

Regions: ``rectanglelabels`` (x, y, width, height in percent of the image; ``rotation`` in degrees
clockwise about the top-left corner turns it into a 4-corner polygon), ``polygonlabels`` (points in
percent; polygons of one label nested under another with ``parentID`` are the parts of one object, as
the writer splits a multi-part polygon), ``ellipselabels`` (a 64-point polygon), ``brushlabels``
(``format: "rle"``, :mod:`labelstudio_rle`); their pixels are worked out in :mod:`labelstudio_regions`.
A region's ``score`` is the object's score and its ``meta.text`` (the region's note in Label Studio) the
object's note. ``keypointlabels`` nested under a region (``parentID``) are its object's keypoints
(:mod:`labelstudio_keypoints`). Other results - ``choices``, ``keypointlabels`` under no region,
``textarea``, ``rating``... - enclose no area: they are kept in the image's extras
(``pixelproof.labelstudio.results``), reported, and written back on export to Label Studio.

A task keeps one annotation: the most recent one not cancelled (the others are reported). A task with
one is labelled (image status Done, even with no regions: checked and empty); a task without one is To
do. ``predictions[]`` become pending model objects (source ``model:<model_version>``, with their
score) on tasks nobody annotated yet, or on every task, or never (``import_predictions``).

Images: ``data.image`` (``/data/upload/1/3f2a9c1b-img.jpg``, ``/data/local-files/?d=dir/img.jpg``,
``s3://``, ``http(s)://``) is matched by its base name (and without the upload's 8-hex prefix) to a file
in ``image_dir`` (searched recursively), else beside the JSON or in ``images/`` there, and an upload
where Label Studio keeps it (``labelstudio_inputs.labelstudio_media``). The label config
(``label_config.xml`` beside the JSON, or ``label_config``) gives the category order, colours and digit
keys (those that picked the labels in Label Studio: ``labelstudio_hotkeys``). A config of several
``<Image>`` tags (a multi-view task) makes each picture an image of its own with the results whose
``to_name`` names it; a result naming no picture is skipped and said, never put on another. An
``<Image valueList="$pages">`` (a multi-page task: ``data.pages`` a list of URLs) makes each page an image
of its own with the results whose ``item_index`` is that page (0 without one, as Label Studio reads it);
an ``item_index`` that is no page is skipped and said. Each picture keeps its task id, ``<Image>`` name
and page, so the export writes the task back whole.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from pixelproof.core.imageio import ImageReadError, image_size
from pixelproof.core.limits import LimitError, check_text, short_repr
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split_names import canonical
from pixelproof.core.wording import plural
from pixelproof.interop._util import (
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    as_dict,
    folder_project,
    listed,
    rel_name,
    with_progress,
)
from pixelproof.interop.dataset_json import loads_json
from pixelproof.interop.formats import Format, Option, images_option, sniff
from pixelproof.interop.labelstudio_annotators import ANNOTATOR_CHOICES, pick_annotations, tag_versions
from pixelproof.interop.labelstudio_inputs import ImageFinder, Labels, Views, page_of, read_config
from pixelproof.interop.labelstudio_keypoints import finish_keypoints, group_keypoints, group_versions
from pixelproof.interop.labelstudio_min import is_json_min, tasks_from_min
from pixelproof.interop.labelstudio_origin import keep_origin
from pixelproof.interop.labelstudio_regions import join_parts, region_geometry, region_note, whole
from pixelproof.interop.labelstudio_results import AREA_TYPES, PREDICTION_CHOICES, named, task_results
from pixelproof.interop.labelstudio_writer import (
    CONFIG_NAME,
    GROUND_TRUTH_KEY,
    SPLIT_KEY,
    TASKS_NAME,
    write_labelstudio,
)


def read_labelstudio(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
    image_dir: str | os.PathLike[str] | None = None,
    label_config: str | os.PathLike[str] | None = None,
    import_predictions: str = "all",
    annotator_versions: str = "latest",
) -> ImportResult:
    """Import a Label Studio JSON export (the file, or a folder holding ``tasks.json`` or one export)."""
    predictions = import_predictions
    if predictions not in PREDICTION_CHOICES:
        raise ValueError(
            f"import_predictions: expected one of {', '.join(PREDICTION_CHOICES)}, got {predictions!r}"
        )
    if annotator_versions not in ANNOTATOR_CHOICES:
        raise ValueError(
            f"annotator_versions: expected one of {', '.join(ANNOTATOR_CHOICES)}, got {annotator_versions!r}"
        )
    file = _export_file(Path(path))
    if image_dir is not None and not Path(image_dir).is_dir():
        raise ValueError(f"{image_dir}: the images folder is no folder")
    report = Reporter(on_problem)
    images = ImageFinder(file.parent, Path(image_dir) if image_dir else None)
    project = folder_project(images.root)
    build = Builder(project)
    views, labels = read_config(
        Path(label_config) if label_config else file.parent / CONFIG_NAME,
        label_config is not None,
        build,
        report,
    )
    try:
        tasks = _load(file)
    except (OSError, ValueError) as e:
        report.skip("files", f"{file}: not a readable JSON file ({e}); skipped")
        return ImportResult(project, report.problems, report.skipped)
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]  # one task, as Label Studio also imports
    if not isinstance(tasks, list):
        report.skip("files", f"{file}: not a Label Studio export (expected a list of tasks); skipped")
        return ImportResult(project, report.problems, report.skipped)
    if is_json_min(tasks):
        tasks, untyped = tasks_from_min(tasks, views.data_keys)
        report(
            f"{file}: read as Label Studio's JSON-MIN export (one record per annotation), which holds no "
            "predictions, cancelled annotations or polygon parts; export as JSON to keep them"
            + (f"; keys not read: {', '.join(untyped)}" if untyped else "")
        )
    urls = [as_dict(as_dict(t).get("data")).get(k) for t in tasks for k in views.data_keys]
    urls = [u for v in urls for u in (v if isinstance(v, list) else [v])]  # a valueList's pages too
    images.report_lookup(str(file), [u.strip() for u in urls if isinstance(u, str) and u.strip()], report)
    notes = _Notes(labels)
    for k, task in enumerate(with_progress(tasks, len(tasks), progress)):
        where = f"{file}: tasks[{k}]"
        if isinstance(task, dict) and isinstance(task.get("id"), int | str):
            where += f" (id {short_repr(task['id'])})"
        try:
            _read_task(
                where, task, views, images, build, report, notes, predictions, annotator_versions == "each"
            )
        except LimitError as e:
            report.skip("tasks", f"{e}; skipped")
    if not views.single:
        tags = [views.tag_of(k) for k in views.data_keys]
        names = ", ".join(tags[:5]) + (f" and {len(tags) - 5:,} more" if len(tags) > 5 else "")
        shown = plural(len(tags), "image", thousands=True)
        report(
            f"{file}: the label config shows {shown} a task (<Image> {names}): each "
            "imported as a picture of its own, with the results whose to_name names it"
        )
    if views.lists:
        report(
            f"{file}: <Image valueList> reads a list of pictures a task (data."
            f"{', data.'.join(sorted(views.lists))}): each page imported as a picture of its own, with "
            "the results whose item_index names it"
        )
    finish_keypoints(project)
    notes.report(file, report)
    report.summarise(file)  # how many ``often`` left unsaid
    return ImportResult(project, report.problems, report.skipped)


def _load(file: Path) -> Any:
    """The export's JSON (``loads_json``: a NaN or Infinity is reported at its region, not the whole file)."""
    return loads_json(file.read_bytes())


def _export_file(src: Path) -> Path:
    if not src.is_dir():
        return src
    if (src / TASKS_NAME).is_file():
        return src / TASKS_NAME
    found = sorted(f for f in src.glob("*.json") if looks_like_labelstudio(f))
    if len(found) != 1:
        raise ValueError(f"{src}: no {TASKS_NAME} (or one Label Studio JSON export) in this folder")
    return found[0]


class _Notes:
    """What the file's tasks share: what is worth one line per file, not one per region (rotated boxes
    made polygons, kept results), the regions' labels, and the task that brought each image file first."""

    def __init__(self, labels: Labels) -> None:
        self.rotated: list[str] = []
        self.kept: Counter[str] = Counter()
        self.kept_at: list[str] = []
        self.grouped = 0  # keypoint results read as their region's object's keypoints
        self.keypoint_names: dict[int, dict[str, None]] = {}  # a category's keypoint names so far
        self.labels = labels
        self.first_task: dict[str, str] = {}  # an image's file name -> the task that named it first

    def report(self, file: Path, report: Reporter) -> None:
        if self.grouped:
            report(
                f"{file}: {plural(self.grouped, 'keypoint')} nested under regions (parentID) read as their "
                "objects' keypoints"
            )
        if self.rotated:
            report(
                f"{file}: {plural(len(self.rotated), 'rotated box')} imported as 4-corner polygons "
                f"(PixelProof boxes are upright): {listed(self.rotated)}"
            )
        if self.kept:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kept.items()))
            report(
                f"{file}: results that are no regions ({kinds}) kept in the image extras, not objects; "
                f"written back on export to Label Studio: {listed(self.kept_at)}"
            )


def _read_task(
    where: str,
    task: Any,
    views: Views,
    images: ImageFinder,
    build: Builder,
    report: Reporter,
    notes: _Notes,
    predictions: str,
    each: bool,
) -> None:
    """A task's annotation (and predictions) on its picture, or on each of its pictures (``views``)."""
    task = task if isinstance(task, dict) else {}  # said as a task naming no image
    picked, others = pick_annotations(task.get("annotations"), each)
    for a, why in others:  # one a task at most, but an export of 100,000 tasks: the first few said
        report.often(
            "annotations not imported",
            f"{where}: annotation {short_repr(as_dict(a).get('id'))} not imported: {why}",
            "annotations",
        )
    results, lost = task_results(where, task, picked, predictions, report)
    data = as_dict(task.get("data"))
    if views.single and not views.lists:  # one picture: every result is on it, whatever its to_name says
        key = views.data_keys[0]
        _read_view(where, task, key, data.get(key), "", images, build, report, notes, results, picked, lost)
        return
    on = [views.data_keys[0] if views.single else views.key_of(item[0]) for item in results]
    for (r, source, _, at, _), key in zip(results, on, strict=True):
        if key is None:  # never on a picture it may not be on
            report.skip("results", f"{where}: {at} ({named(r)}): {views.why_not(r)}; skipped")
            lost += source is None
    for key in views.data_keys:
        mine = [item for item, k in zip(results, on, strict=True) if k == key]
        tag = views.tag_of(key)
        at = f'{where} <Image name="{tag}">'
        if key not in views.lists:
            _read_view(at, task, key, data.get(key), tag, images, build, report, notes, mine, picked, lost)
            continue
        pages = data.get(key)
        if not isinstance(pages, list):  # <Image valueList="$key">: the pages' URLs, one task
            if pages is not None or mine:
                said = f"; its {plural(len(mine), 'result')} not imported" if mine else ""
                report.skip(
                    "tasks", f"{at}: data.{key} is not a list of image URLs (valueList){said}; skipped"
                )
            continue
        on_page: list[list] = [[] for _ in pages]
        for item in mine:
            page, why = page_of(item[0], len(pages))
            if page is None:
                report.skip("results", f"{where}: {item[3]} ({named(item[0])}): {why}; skipped")
                lost += item[1] is None
            else:
                on_page[page].append(item)
        for n, (url, items) in enumerate(zip(pages, on_page, strict=True)):
            _read_view(
                f"{at} page {n}", task, f"{key}[{n}]", url, tag, images, build, report, notes, items,
                picked, lost, page=n,
            )  # fmt: skip


def _read_view(
    where: str,
    task: dict,
    image_key: str,
    url: Any,
    view: str,
    images: ImageFinder,
    build: Builder,
    report: Reporter,
    notes: _Notes,
    results: list,
    picked: list,
    lost: int,
    page: int | None = None,
) -> None:
    """One picture of a task (``url`` from its ``data.<image_key>``; ``view``: its ``<Image>`` name when
    the task shows several, ``page``: which of a valueList's) with the results on it; ``lost``: the task's
    results that came in as nothing (its picture is then not Done)."""
    data = as_dict(task.get("data"))
    if not isinstance(url, str) or not url.strip():
        said = f"; its {plural(len(results), 'result')} not imported" if results else ""
        if view and not results:  # a view left empty: said for the first few tasks (10,000 <Image> tags)
            report.often(
                "views not in a task's data", f"{where}: no data.{image_key} naming the image; skipped"
            )
        else:
            report.skip("tasks", f"{where}: no data.{image_key} naming the image{said}; skipped")
        return
    name, file, note = images.find(url.strip())
    if name in ("", ".", "..") or "\0" in name:
        report.skip("tasks", f"{where}: data.{image_key} {short_repr(url)} names no file; skipped")
        return
    if note:
        report(f"{where}: {note}")
    chosen = picked[0][0] if picked else None
    size = _size(where, file, results, report)
    if size is None:
        return
    # results that are no regions: the image keeps the most recent annotation's ("result[n]")
    no_region = [
        (r, at, who)
        for r, src, _, at, who in results
        if src is None and as_dict(r).get("type") not in AREA_TYPES
    ]
    kept = [r for r, at, _ in no_region if at.startswith("result[")]
    theirs = [(r, who) for r, at, who in no_region if not at.startswith("result[")]  # other versions'
    extra: dict[str, Any] = {}
    # the version a reviewer marked as Label Studio's ground truth: its annotator's, True when one is kept
    truth = next((who or True for a, who in picked if a.get("ground_truth") is True), None)
    if kept or task.get("id") is not None or view or truth:
        ls: dict[str, Any] = {"results": kept} if kept else {}
        if truth:
            ls[GROUND_TRUTH_KEY] = truth
        if isinstance(task.get("id"), int) and not isinstance(task.get("id"), bool):
            ls["task"] = task["id"]
        if view:  # one of the task's pictures: which one (the <Image> it was shown in, which page)
            ls["view"] = view
        if page is not None:
            ls["page"] = page
        extra["pixelproof"] = {"labelstudio": ls}
    # our writer keeps the split in the task's data, unless the config's image reads that field
    if image_key != SPLIT_KEY and (split := canonical(data.get(SPLIT_KEY))) is not None:
        extra.setdefault("pixelproof", {})["split"] = split
    image_file = file if file is not None else images.root / name
    if file is None:
        report(f"{where}: no image file named {name} in {images.searched} (from {short_repr(url)}); imported "
               "with the size in the results")  # fmt: skip
    image = build.image(
        rel_name(image_file, images.root),
        *size,
        where=where,
        chosen=images.chosen and file is not None,
        **extra,
    )
    _same_file(where, url.strip(), image.file_name, notes, report)
    made: dict[str | None, dict[str, Annotation]] = {}  # per version: region id -> its object
    for result, source, score, at, who in results:
        if as_dict(result).get("type") in AREA_TYPES:
            mine = made.setdefault(who, {})
            ok = _add_region(f"{where}: {at}", result, source, score, image, build, report, notes, mine, who)
            lost += not ok and source is None
    for who, mine in made.items():
        join_parts(build, image, mine, [item for item in results if item[4] == who])
    grouped, others = group_versions(where, theirs, made, image, report, notes.keypoint_names)
    notes.grouped += grouped
    if others:
        report(
            f"{where}: {plural(others, 'result')} that {'is' if others == 1 else 'are'} no regions (choices, "
            f"text...) of the other annotators' versions not imported: the image keeps the most recent's "
            f"({picked[0][1]})"
        )
    if kept and picked:  # the kept annotation's points nested under its regions: their keypoints
        left = group_keypoints(where, kept, made.get(picked[0][1], {}), image, report, notes.keypoint_names)
        if len(left) < len(kept):
            notes.grouped += len(kept) - len(left)
            ls = image.extra["pixelproof"]["labelstudio"]
            ls.update(results=left) if left else ls.pop("results")
            kept = left
    for r in kept:
        notes.kept[str(as_dict(r).get("type", "?"))] += 1
    if kept:
        notes.kept_at.append(where.split(": ", 1)[-1])
    if len(picked) > 1:
        tag_versions(build.project, image.id, [str(who) for _, who in picked])
    if chosen is not None and not lost:  # read whole: labelled (checked and empty when it holds nothing)
        build.project.set_image_status(image.id, "done")


def _same_file(where: str, url: str, file_name: str, notes: _Notes, report: Reporter) -> None:
    """Say a second task on one image file: its objects are a record of their own (lint: duplicate_image),
    a picture imported twice, or two uploads of one name the upload prefix told apart."""
    first = notes.first_task.get(file_name)
    if first is None:
        notes.first_task[file_name] = where
    else:
        report(
            f"{where}: data.image {short_repr(url)} is {file_name}, also the image of "
            f"{first.split(': ', 1)[-1]}; imported as a second record of that file, its objects apart"
        )


def _size(where: str, file: Path | None, results: list, report: Reporter) -> tuple[int, int] | None:
    """(width, height): the image file's, else the first result's ``original_width/height``."""
    declared = next(
        (
            (w, h)
            for r, _, _, _, _ in results
            if (w := whole(as_dict(r).get("original_width")))
            and (h := whole(as_dict(r).get("original_height")))
        ),
        None,
    )
    if file is not None:
        try:
            size = image_size(file)
        except ImageReadError as e:
            report(f"{where}: {e}; the size in the results is used")
        else:
            if declared is not None and declared != size:
                report(
                    f"{where}: original_width x original_height {declared[0]} x {declared[1]} differ from "
                    f"the image file's {size[0]} x {size[1]}; percentages placed on the file's pixels"
                )
            return size
    if declared is None:
        report.skip("tasks", f"{where}: no image file and no result with original_width/height; skipped")
    return declared


def _add_region(
    where: str,
    result: dict,
    source: str | None,
    task_score: Any,
    image: ImageRecord,
    build: Builder,
    report: Reporter,
    notes: _Notes,
    made: dict[str, Annotation],
    annotator: str | None = None,
) -> bool:
    """Add a region as an object; False when it is skipped (reported)."""
    kind = result["type"]
    value = as_dict(result.get("value"))
    rid = result.get("id")
    where += f" ({kind}" + (f", id {short_repr(rid)})" if rid is not None else ")")
    labels = value.get(kind)
    if not isinstance(labels, list) or not labels or not all(isinstance(v, str) and v for v in labels):
        report.skip("results", f"{where}: value.{kind} must be a list of label names; skipped")
        return False
    if len(labels) > 1:
        report(f"{where}: labels {short_repr(labels)}; the first, {labels[0]!r}, is the object's category")
    rotation = result.get("image_rotation", 0)
    if rotation not in (0, None):
        report.skip(
            "results", f"{where}: image_rotation {short_repr(rotation)}: drawn on a turned view; skipped"
        )
        return False
    try:
        geometry = region_geometry(kind, value, result, image, where)
        score = result.get("score", task_score)
        note = region_note(value, result)
        if note is not None:
            check_text(note, where, "meta.text")
        app: dict[str, Any] = {
            k: result[k] for k in ("id", "from_name", "to_name") if isinstance(result.get(k), str)
        }
        fields: dict[str, Any] = {"app_extra": {"labelstudio": app}} if app else {}
        if annotator is not None:  # one of several annotators' versions, as a merge tags them
            fields.setdefault("app_extra", {})[ANNOTATOR_KEY] = annotator
        if source is not None:
            fields.update(source=source, review="pending")
        if score is not None:
            fields["score"] = score
        if note:
            fields["note"] = note
        cat_id = notes.labels.category_id(labels[0], where, report)
        ann = build.annotation(image, cat_id, where=where, **geometry, **fields)
        keep_origin(ann, image, result, source is not None)
    except (ValueError, TypeError) as e:  # LimitError and RleError are ValueErrors
        report.skip("results", f"{e}; skipped" if isinstance(e, LimitError) else f"{where}: {e}; skipped")
        return False
    if kind == "rectanglelabels" and "polygons" in geometry:
        notes.rotated.append(where.split(": ", 1)[-1])
    if isinstance(rid, str) and source is None:
        made.setdefault(rid, ann)
    return True


def looks_like_labelstudio(path: Path) -> bool:
    """A JSON list of tasks with ``data`` and ``annotations`` or ``predictions`` near its start, or of
    JSON-MIN records (``annotation_id``, ``annotator``), or a folder holding ``tasks.json``."""
    file = path / TASKS_NAME if path.is_dir() else path
    head = sniff(file).lstrip()
    if head[:1] == b"[" and b'"annotation_id"' in head and b'"annotator"' in head:
        return True  # JSON-MIN: flat records, one per annotation
    return head[:1] == b"[" and b'"data"' in head and (b'"annotations"' in head or b'"predictions"' in head)


FORMAT = Format(
    name="labelstudio",
    title="Label Studio JSON",
    reader=read_labelstudio,
    writer=write_labelstudio,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "where the task images are, matched by base name (default: beside the JSON and its images/, "
            "and an upload where Label Studio keeps it, media/upload/<project id>/ of its data folder)",
            None,
            label="Images folder",
            empty="beside the JSON, or Label Studio's upload folder",
        ),
        Option(
            "label_config",
            "file",
            "the project's label config XML (default: label_config.xml beside the JSON)",
            None,
            label="Label config",
            empty="label_config.xml beside the JSON, if there",
        ),
        Option(
            "import_predictions",
            "choice",
            "predictions[] as pending model objects, but not the one a kept annotation was made from "
            "(all, the default), only on tasks nobody annotated (unannotated), or never (skip)",
            "all",
            choices=PREDICTION_CHOICES,
            label="Predictions",
        ),
        Option(
            "annotator_versions",
            "choice",
            "a task several annotators labelled: keep the one marked ground truth, else the latest (latest, "
            "the default), or each annotator's latest as their version, side by side as after a merge of "
            "shards (each; for agreement and consensus)",
            "latest",
            choices=ANNOTATOR_CHOICES,
            label="Annotators",
        ),
    ),
    write_options=(
        images_option("images/"),
        Option(
            "url_prefix",
            "text",
            "what each task's data.image starts with, before images/<name> (default /data/local-files/?d=: "
            "Label Studio serving the output folder as local files)",
            "/data/local-files/?d=",
            label="Image URL prefix",
        ),
    ),
    input_is_file=True,
    holds_predictions=True,  # a model's pending objects go to the task's predictions, not its annotation
    holds_versions=True,  # annotators' versions side by side: one annotation each
    detect=looks_like_labelstudio,
    suffixes=(".json",),
    lost_on_export=(
        "the crowd flag, the void flag, review state; rotated boxes and ellipses stay polygons; an image's "
        "status beyond labelled or not (In progress and Reviewed come back as Done); authors and edit times; "
        "a keypoint's visibility (an occluded one is written as a point, one not labelled left out)"
    ),
)
